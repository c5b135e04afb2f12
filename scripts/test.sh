#!/usr/bin/env bash
# Run every check: install, lint, types, dependency audit, the suite on SQLite, then the
# database tests on PostgreSQL. Ends with the time of each step and the 30 slowest tests
# (scripts/test_report.py), so the cost of the suite is in every CI log. docs/development.md
# explains the legs, the markers and `make check`, the faster loop for work in progress.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export OPENIPT_DATA_DIR="${OPENIPT_DATA_DIR:-$PWD/var}"
PG_URL="${OPENIPT_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/openipt}"
REDIS_URL="${OPENIPT_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
# One pytest worker per core (pytest-xdist); each worker has its own test database.
WORKERS="${OPENIPT_TEST_WORKERS:-auto}"
REPORTS="$OPENIPT_DATA_DIR/test-reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
failed=()

# step NAME COMMAND...: run a step, record its time and result, go on after a failure.
step() {
  local name=$1 start rc
  shift
  echo
  echo "==> $name"
  start=$(date +%s.%N)
  "$@"
  rc=$?
  printf '%s\t%s\t%s\t%s\n' "$name" "$start" "$(date +%s.%N)" "$rc" >>"$REPORTS/steps.tsv"
  [ "$rc" -eq 0 ] || failed+=("$name")
  return "$rc"
}

# pytest_leg NAME [PYTEST ARGS]: one run of the suite, its results kept for the report.
pytest_leg() {
  local leg=$1
  shift
  $BIN/python -m pytest -n "$WORKERS" --junitxml="$REPORTS/$leg.xml" "$@"
}

sqlite_leg() {
  (
    unset OPENIPT_DATABASE_URL
    pytest_leg sqlite "$@"
  )
}

# The PostgreSQL leg runs as a service does: PostgreSQL, and Redis as the shared cache (the
# SQLite leg runs as a laptop does: the file cache).
postgresql_leg() {
  if ! bash scripts/ensure-postgres.sh "$PG_URL"; then
    if [ "${CI:-}" = "true" ]; then
      echo "PostgreSQL is required in CI but could not be reached." >&2
      return 1
    fi
    echo "PostgreSQL leg SKIPPED: no server at $PG_URL (set OPENIPT_TEST_PG_URL)."
    return 0
  fi
  (
    export OPENIPT_DATABASE_URL="$PG_URL"
    if bash scripts/ensure-redis.sh "$REDIS_URL"; then
      export OPENIPT_REDIS_URL="$REDIS_URL"
    elif [ "${CI:-}" = "true" ]; then
      echo "Redis is required in CI but could not be reached." >&2
      exit 1
    else
      echo "No Redis at $REDIS_URL (set OPENIPT_TEST_REDIS_URL): this leg uses the file cache."
    fi
    # Only the tests that use the database can answer differently here; the browser tests
    # drive pages, not SQL, and the resilience tests start their own SQLite and PostgreSQL
    # servers: all of those ran in the SQLite leg.
    pytest_leg postgresql --database-tests-only --ignore=tests/browser \
      --ignore=tests/resilience "$@"
  )
}

lint_paths=(src tests scripts)
[ -d bench ] && lint_paths+=(bench)

step "install" make --no-print-directory install || {
  echo "FAILED: install"
  exit 1
}
step "system packages" make --no-print-directory system-deps
step "ruff" $BIN/ruff check "${lint_paths[@]}"
step "ruff format" $BIN/ruff format --check "${lint_paths[@]}"
step "mypy" $BIN/mypy
step "pip-audit" bash scripts/audit.sh
step "pytest on SQLite" sqlite_leg "$@"
step "pytest on PostgreSQL" postgresql_leg "$@"

$BIN/python scripts/test_report.py "$REPORTS"
echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All checks passed (SQLite and PostgreSQL legs)."
