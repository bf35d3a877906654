#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for development, tests and the demo.
#
#   deploy/local/cluster.sh start    # create (first time) and start; prints DATABASE_URL
#   deploy/local/cluster.sh stop
#   deploy/local/cluster.sh url      # the DATABASE_URL of the running cluster
#
# The data lives in .pgdata/ of the checkout (git-ignored). initdb refuses to run as
# root, so the server runs as the `postgres` OS user. It listens on a Unix socket in
# .pgdata/run and on 127.0.0.1 at a free port, with trust authentication for local
# connections only: it is a developer's cluster, never a production one.
# Extra server settings can be passed in PG_EXTRA_OPTS (e.g. "-c fsync=off").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE="$ROOT/.pgdata"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

log() { echo "cluster: $*" >&2; }

ensure_packages() {
    local missing=()
    [ -x "$PGBIN/pg_ctl" ] || missing+=(postgresql)
    pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    command -v psql >/dev/null || missing+=(postgresql-client)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        if [ "$(id -u)" -ne 0 ]; then
            log "need root to install ${missing[*]} (apt-get install -y ${missing[*]})"; exit 1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# Runs a command as the cluster's OS user: postgres when we are root, ourselves otherwise.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The data folder must be reachable by the postgres user; a checkout under /root is
# not, so then the data goes to /var/tmp and .pgdata/data is a symlink to it.
data_dir() {
    mkdir -p "$STATE"
    if [ ! -e "$STATE/data" ]; then
        if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$STATE"; then
            local alt="/var/tmp/collections-pgdata-$(echo "$ROOT" | md5sum | cut -c1-12)"
            mkdir -p "$alt"
            ln -s "$alt" "$STATE/data"
        else
            mkdir -p "$STATE/data"
        fi
    fi
    echo "$STATE/data"
}

socket_dir() {
    local dir="$STATE/run"
    # Unix socket paths are limited to 107 bytes.
    if [ ${#dir} -gt 80 ]; then dir="/tmp/collections-pg-$(echo "$ROOT" | md5sum | cut -c1-12)"; fi
    echo "$dir"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    local p
    for p in $(seq 54320 54999); do
        if ! port_in_use "$p"; then echo "$p"; return; fi
    done
    log "no free port in 54320-54999"; exit 1
}

url() {
    local port; port=$(cat "$STATE/port")
    echo "postgresql://postgres@/postgres?host=$(socket_dir)&port=$port"
}

start() {
    ensure_packages
    local data sock pgdata
    data=$(data_dir)
    sock=$(socket_dir)
    pgdata=$(readlink -f "$data")
    mkdir -p "$sock"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pgdata" "$sock"; fi
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
        if "$PGBIN/pg_isready" -q -h "$sock" -p "$port"; then url; return; fi
        sleep 0.5
    done
    log "server did not accept connections in 30 s"; exit 1
}

stop() {
    local pgdata
    [ -e "$STATE/data" ] || return 0
    pgdata=$(readlink -f "$STATE/data")
    if as_pg "$PGBIN/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
        as_pg "$PGBIN/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null
        log "stopped"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    packages) ensure_packages ;;
    *) echo "usage: $0 start|stop|url|packages" >&2; exit 2 ;;
esac
