#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (Debian's `postgresql` package; installed when missing).
#
#   eval "$(bash tools/pg_test_cluster.sh start)"   # prints: export DRAFTER_TEST_DATABASE_URL=…
#   bash tools/pg_test_cluster.sh stop              # stops it and removes its directory
#
# Each start takes a fresh directory and a free port (PGTEST_DIR / PGTEST_PORT to choose), and exports them
# so that `stop` finds it. initdb refuses to run as root, so as root everything runs as the `postgres` user. Durability is off: it is a test cluster.
set -euo pipefail
DIR="${PGTEST_DIR:-}"
PORT="${PGTEST_PORT:-}"
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_bin() {
  local found
  found="$(command -v "$1" 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n1 || true)"
  echo "$found"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_pg() {
  [ -n "$(pg_bin initdb)" ] && return 0
  echo "installing Debian's postgresql package" >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  for try in 1 2 3; do
    $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      postgresql >&2 && return 0
    echo "apt-get failed (try $try of 3)" >&2; sleep 10
  done
  echo "could not install postgresql" >&2; exit 1
}

start() {
  install_pg
  [ -n "$DIR" ] || DIR="$(mktemp -d /tmp/drafter-pgtest.XXXXXX)"
  [ -n "$PORT" ] || PORT="$(free_port)"
  URL="postgresql+psycopg://postgres@127.0.0.1:${PORT}/postgres"
  local initdb pg_ctl
  initdb="$(pg_bin initdb)"; pg_ctl="$(pg_bin pg_ctl)"
  if [ -f "$DIR/postmaster.pid" ] && as_pg "$pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    echo "export DRAFTER_TEST_DATABASE_URL=$URL PGTEST_DIR=$DIR PGTEST_PORT=$PORT"; return 0
  fi
  rm -rf "$DIR"; mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  as_pg "$initdb" -D "$DIR" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$DIR.initdb.log" 2>&1 \
    || as_pg "$initdb" -D "$DIR" -A trust -U postgres -E UTF8 >"$DIR.initdb.log" 2>&1 \
    || { cat "$DIR.initdb.log" >&2; exit 1; }
  as_pg "$pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2 \
    || { cat "$DIR/server.log" >&2; exit 1; }
  echo "export DRAFTER_TEST_DATABASE_URL=$URL PGTEST_DIR=$DIR PGTEST_PORT=$PORT"
}

stop() {
  [ -n "$DIR" ] || { echo "PGTEST_DIR is not set: nothing to stop" >&2; return 0; }
  local pg_ctl; pg_ctl="$(pg_bin pg_ctl)"
  if [ -n "$pg_ctl" ] && [ -d "$DIR" ]; then as_pg "$pg_ctl" -D "$DIR" -m fast -w stop >&2 || true; fi
  rm -rf "$DIR" "$DIR.initdb.log"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "postgresql+psycopg://postgres@127.0.0.1:${PORT}/postgres" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
