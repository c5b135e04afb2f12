#!/usr/bin/env bash
# Make sure a Redis server answers at the URL; start a local one if we can (it keeps nothing
# on disk: the tests use it as the shared cache of a service).
set -uo pipefail
url="$1"
ping() { .venv/bin/python - "$url" <<'PY'
import sys
import redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
except Exception as exc:  # noqa: BLE001
    print(f"Redis not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}
ping && exit 0
if command -v redis-server >/dev/null 2>&1; then
  echo "Starting local Redis"
  mkdir -p /tmp/openipt-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/openipt-redis --logfile /tmp/openipt-redis/redis.log || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do ping 2>/dev/null && exit 0; sleep 1; done
fi
exit 1
