#!/usr/bin/env bash
# `make bench`: time the letter PDF on the demo data (bench/letter.json), then build a
# synthetic service on each database, serve it with gunicorn on 127.0.0.1 and load it with
# locust; writes bench/results.json and the README table.
#   make bench                                  1,000,000 courses, SQLite and PostgreSQL
#   make bench BENCH_COURSES=20000              a reduced size
#   make bench BENCH_DATABASES=sqlite           one database
#   bash bench/run.sh --courses 20000 --duration 30    (flags override the variables)
# Not part of `make test`. The PostgreSQL leg needs PostgreSQL on 127.0.0.1:5432 (BENCH_PG_URL)
# and Redis on 127.0.0.1:6379 (BENCH_REDIS_URL, database 3 by default, flushed by the run).
set -euo pipefail
cd "$(dirname "$0")/.."
args=(--courses "${BENCH_COURSES:-1000000}" --databases "${BENCH_DATABASES:-sqlite,postgresql}")
[ -n "${BENCH_DURATION:-}" ] && args+=(--duration "$BENCH_DURATION")
# The letter PDF on the demo service first (bench/letter.json; about 20 s).
env PYTHONPATH="$PWD" .venv/bin/python -m bench.letter bench/letter.json
exec env PYTHONPATH="$PWD" .venv/bin/python -m bench.driver "${args[@]}" "$@"
