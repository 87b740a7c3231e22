#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for the tests that need one (installed from Debian's
# packages when missing). Prints the connection URL on stdout and nothing else.
#   export MITHRIL_TEST_POSTGRES_URL="$(bash scripts/start-test-postgres.sh)"
#   bash scripts/start-test-postgres.sh --stop
set -euo pipefail
PORT="${MITHRIL_TEST_POSTGRES_PORT:-55432}"
DATA="/tmp/mithril-test-postgres-$PORT"

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
  # initdb and postgres refuse to run as root.
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi
}

stop() {
  local bin
  bin="$(pg_bin)"
  if [ -n "$bin" ] && [ -f "$DATA/postmaster.pid" ]; then as_owner "'$bin/pg_ctl' -D '$DATA' -m fast -w stop" >&2 || true; fi
  rm -rf "$DATA"
}

if [ "${1:-}" = "--stop" ]; then
  stop
  exit 0
fi

if [ -z "$(pg_bin)" ]; then
  echo "installing PostgreSQL from Debian packages" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN="$(pg_bin)"
stop # a fresh cluster every time
mkdir -p "$DATA"
if [ "$(id -u)" = "0" ]; then chown postgres "$DATA"; fi
as_owner "'$BIN/initdb' -D '$DATA' -A trust -U postgres --no-sync" >&2
as_owner "'$BIN/pg_ctl' -D '$DATA' -o '-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off' -l '$DATA/server.log' -w start" >&2
echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
