#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL cluster on 127.0.0.1 and exports
# MEMBERS_TEST_POSTGRES_URL for it (and MEMBERS_TEST_POSTGRES_DATA, its data
# folder). When that variable is already set (a server
# the user runs), the command just runs. The cluster is stopped and removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${MEMBERS_TEST_POSTGRES_URL:-}" ]; then exec "$@"; fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then echo "with-postgres: no PostgreSQL server found (make setup installs it)" >&2; exit 1; fi

dir=$(mktemp -d /tmp/members-pg.XXXXXX)
chmod 755 "$dir"
# A free port of our own, so a server the machine runs is never touched.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"

stop() {
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

as_postgres "$bin/initdb" -A trust -U postgres -D "$dir/data" >/dev/null
# fsync stays on: the durability tests kill writers and check every acknowledged row.
as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
export MEMBERS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
# Its data folder, for tests that restart this cluster under load (make soak).
export MEMBERS_TEST_POSTGRES_DATA="$dir/data"
echo "with-postgres: throw-away cluster on 127.0.0.1:$port"
"$@"
