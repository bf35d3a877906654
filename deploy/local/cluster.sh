#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for development, tests and the demo.
#
#   deploy/local/cluster.sh start        # create (first time) and start; prints the superuser's DATABASE_URL
#   deploy/local/cluster.sh stop
#   deploy/local/cluster.sh url          # the superuser's URL (database postgres): tests, psql
#   deploy/local/cluster.sh url LOGIN    # a program's login on database `collections`:
#                                        # migrate, admin, worker or server
#   deploy/local/cluster.sh destroy      # stop and remove the cluster's data
#
# initdb refuses to run as root, so the server runs as the `postgres` OS user, which
# may not enter a checkout under a mode-700 folder such as /root. So nothing the
# server touches lives in the checkout: its data folder and Unix socket are in
# /var/tmp/collections-pg-<hash of the checkout's path>/ (.pgdata/data in the
# checkout is a symlink to it, for humans), and it is started from /. It listens on
# that socket and on 127.0.0.1 at a free port, with trust authentication for local
# connections only: it is a developer's cluster, never a production one.
#
# On start it also makes database `collections`, bootstraps it (sql/bootstrap.sql:
# the group roles, schema ownership) and creates the programs' NOINHERIT logins
# (deploy/sql/logins.sql), which the demo uses; the tests make their own databases.
# Extra server settings can be passed in PG_EXTRA_OPTS (e.g. "-c fsync=off").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE="$ROOT/.pgdata"
BASE="/var/tmp/collections-pg-$(echo "$ROOT" | md5sum | cut -c1-12)"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

log() { echo "cluster: $*" >&2; }

ensure_packages() {
    local missing=()
    [ -x "$PGBIN/pg_ctl" ] || missing+=(postgresql)
    pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    command -v psql >/dev/null || missing+=(postgresql-client)
    # libcurl's SMTP for the sender (Sources/CLibCurl).
    pkg-config --exists libcurl 2>/dev/null || missing+=(libcurl4-openssl-dev)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        if [ "$(id -u)" -ne 0 ]; then
            log "need root to install ${missing[*]} (apt-get install -y ${missing[*]})"; exit 1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# Runs a command as the cluster's OS user (postgres when we are root, ourselves
# otherwise), from / so that it never needs to enter the checkout.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

# The data and socket folders, owned by the server's user, made if missing.
prepare_dirs() {
    mkdir -p "$STATE" "$BASE/data" "$BASE/run"
    chmod 700 "$BASE/data"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$BASE" "$BASE/data" "$BASE/run"; fi
    # (A real folder there is an older layout's data: left alone, unused.)
    if [ -L "$STATE/data" ] || [ ! -e "$STATE/data" ]; then ln -sfn "$BASE/data" "$STATE/data"; fi
}

socket_dir() { echo "$BASE/run"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    local p
    for p in $(seq 54320 54999); do
        if ! port_in_use "$p"; then echo "$p"; return; fi
    done
    log "no free port in 54320-54999"; exit 1
}

# The superuser's URL, or a program's login (deploy/sql/logins.sql) on `collections`.
url() {
    local port; port=$(cat "$STATE/port")
    case "${1:-}" in
        "") echo "postgresql://postgres@/postgres?host=$(socket_dir)&port=$port" ;;
        migrate|admin|worker|server) echo "postgresql://collections_$1_login@/collections?host=$(socket_dir)&port=$port" ;;
        *) log "unknown login $1: use migrate, admin, worker or server"; exit 2 ;;
    esac
}

# Database `collections`, bootstrapped, and the programs' logins: all idempotent.
provision() {
    local port; port=$(cat "$STATE/port")
    local su="postgresql://postgres@/postgres?host=$(socket_dir)&port=$port"
    local db="postgresql://postgres@/collections?host=$(socket_dir)&port=$port"
    if [ "$(psql "$su" -XtAc "SELECT 1 FROM pg_database WHERE datname = 'collections'")" != 1 ]; then
        psql "$su" -XqAc "CREATE DATABASE collections" >/dev/null
    fi
    PGOPTIONS="-c client_min_messages=warning" psql "$db" -Xq -v ON_ERROR_STOP=1 -1 -f "$ROOT/sql/bootstrap.sql" >/dev/null
    PGOPTIONS="-c client_min_messages=warning" psql "$db" -Xq -v ON_ERROR_STOP=1 -1 -f "$ROOT/deploy/sql/logins.sql" >/dev/null
}

start() {
    ensure_packages
    prepare_dirs
    local pgdata="$BASE/data" sock; sock=$(socket_dir)
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        log "initdb in $pgdata"
        as_pg "$PGBIN/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$STATE/initdb.log" 2>&1 \
            || { cat "$STATE/initdb.log" >&2; exit 1; }
        cat >>"$pgdata/postgresql.conf" <<CONF
# private development cluster (deploy/local/cluster.sh)
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 8GB
checkpoint_timeout = 30min
logging_collector = off
CONF
    fi
    if as_pg "$PGBIN/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
        log "already running ($(url))"
        provision
        url
        return
    fi
    local port; port=$(free_port)
    echo "$port" >"$STATE/port"
    log "starting on port $port, socket $sock"
    as_pg "$PGBIN/pg_ctl" -D "$pgdata" -w -t 60 -l "$pgdata/server.log" \
        -o "-p $port -k $sock ${PG_EXTRA_OPTS:-}" start >/dev/null \
        || { tail -20 "$pgdata/server.log" >&2; exit 1; }
    local i
    for i in $(seq 1 60); do
        if "$PGBIN/pg_isready" -q -h "$sock" -p "$port"; then provision; url; return; fi
        sleep 0.5
    done
    log "server did not accept connections in 30 s"; exit 1
}

stop() {
    local pgdata="$BASE/data"
    [ -f "$pgdata/PG_VERSION" ] || return 0
    if as_pg "$PGBIN/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null
        log "stopped"
    fi
}

destroy() {
    stop
    rm -rf "$BASE" "$STATE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url "${2:-}" ;;
    packages) ensure_packages ;;
    destroy) destroy ;;
    *) echo "usage: $0 start|stop|url [migrate|admin|worker|server]|packages|destroy" >&2; exit 2 ;;
esac
