#!/usr/bin/env bash
# The inner loop (docs/development.md): lint and types, then the tests of what changed
# since main, on SQLite, on every core. `make test` stays the full contract.
#   make check                   the tests of the areas you changed (or the fast subset)
#   make check TESTS=tests/x.py  these tests instead
#   make check BASE=HEAD~3       changes since another commit than main's merge-base
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_ALLOW_ASYNC_UNSAFE=true
export OPENIPT_DATA_DIR="${OPENIPT_DATA_DIR:-$PWD/var}"
FAST=(-m "not browser and not slow")

lint_paths=(src tests scripts)
[ -d bench ] && lint_paths+=(bench)
$BIN/ruff check "${lint_paths[@]}" || exit 1
$BIN/ruff format --check "${lint_paths[@]}" || exit 1
$BIN/mypy || exit 1

if [ -n "${TESTS:-}" ]; then
  read -ra targets <<<"$TESTS"
  selection=()
else
  base=$(git merge-base "${BASE:-main}" HEAD 2>/dev/null || echo HEAD)
  mapfile -t changed < <({ git diff --name-only "$base"; git ls-files --others --exclude-standard; } | sort -u)
  mapfile -t targets < <(printf '%s\n' "${changed[@]}" | $BIN/python scripts/tests_for.py)
  selection=("${FAST[@]}")
  # A changed browser test is run even though the fast subset leaves browser tests out.
  printf '%s\n' "${targets[@]}" | grep -q '^tests/browser\|test_browser' && selection=()
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "Nothing maps to a test area: running the fast subset (${FAST[*]})."
  targets=(tests)
  selection=("${FAST[@]}")
fi
echo "pytest ${targets[*]} ${selection[*]}"
env -u OPENIPT_DATABASE_URL $BIN/python -m pytest -n "${OPENIPT_TEST_WORKERS:-auto}" \
  "${selection[@]}" "${targets[@]}"
