#!/usr/bin/env bash
# Run every check: lint, types, dependency audit, the suite on SQLite, then on PostgreSQL.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export OPENIPT_DATA_DIR="${OPENIPT_DATA_DIR:-$PWD/var}"
PG_URL="${OPENIPT_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/openipt}"
failed=()

step() { echo; echo "==> $*"; }

step "ruff"
lint_paths=(src tests)
[ -d bench ] && lint_paths+=(bench)
$BIN/ruff check "${lint_paths[@]}" || failed+=(ruff)
$BIN/ruff format --check "${lint_paths[@]}" || failed+=(ruff-format)

step "mypy"
$BIN/mypy || failed+=(mypy)

step "pip-audit (known vulnerabilities in pinned dependencies)"
bash scripts/audit.sh || failed+=(pip-audit)

step "pytest on SQLite"
env -u OPENIPT_DATABASE_URL $BIN/python -m pytest "$@"
rc=$?
[ $rc -eq 0 ] || failed+=(pytest-sqlite)

step "pytest on PostgreSQL"
if bash scripts/ensure-postgres.sh "$PG_URL"; then
  # The browser tests drive pages, not SQL, and the resilience tests start their own SQLite
  # and PostgreSQL servers: both ran in the SQLite leg, so this leg covers the rest.
  OPENIPT_DATABASE_URL="$PG_URL" $BIN/python -m pytest --ignore=tests/browser \
    --ignore=tests/resilience "$@" || failed+=(pytest-postgresql)
  echo "PostgreSQL leg ran against $PG_URL"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required in CI but could not be reached." >&2
  failed+=(postgresql-unreachable)
else
  echo "PostgreSQL leg SKIPPED: no server at $PG_URL (set OPENIPT_TEST_PG_URL)."
fi

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All checks passed (SQLite and PostgreSQL legs)."
