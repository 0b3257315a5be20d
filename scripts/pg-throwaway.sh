#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster from the machine's own binaries and prints its URL.
#   eval "$(scripts/pg-throwaway.sh start)"   # exports SAMVERKAN_TEST_POSTGRES_URL and PG_THROWAWAY_DIR
#   scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
#   scripts/pg-throwaway.sh halt DIR / resume DIR   # stop and start the same cluster (outage tests)
# initdb refuses to run as root, so as root the cluster runs as the postgres user.
set -euo pipefail

find_bin() {
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    bin=$(find_bin)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
      echo "pg-throwaway: no PostgreSQL server binaries (install postgresql)" >&2
      exit 1
    fi
    dir=$(mktemp -d /tmp/samverkan-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
      chown postgres "$dir"
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 >"$dir/initdb.log" 2>&1
    echo "$port" >"$dir/port"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
    echo "export SAMVERKAN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
    echo "export PG_THROWAWAY_DIR=$dir"
    echo "export PG_THROWAWAY_BIN=$bin"
    ;;
  stop)
    dir=${2:?usage: pg-throwaway.sh stop DIR}
    bin=${PG_THROWAWAY_BIN:-$(find_bin)}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  halt)
    dir=${2:?usage: pg-throwaway.sh halt DIR}
    bin=${PG_THROWAWAY_BIN:-$(find_bin)}
    # A clean stop: the cluster runs with asynchronous commits, which an immediate stop may lose.
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    dir=${2:?usage: pg-throwaway.sh resume DIR}
    bin=${PG_THROWAWAY_BIN:-$(find_bin)}
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
    ;;
  *)
    echo "usage: $0 start | stop DIR | halt DIR | resume DIR" >&2
    exit 2
    ;;
esac
