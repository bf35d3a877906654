#!/usr/bin/env bash
# A Citus cluster on one machine (a coordinator and two workers) for the checks by
# hand that deploy/citus/README.md records. It needs Citus already built and
# installed into PostgreSQL 15 (README, "The build"); CI never runs it.
#
#   deploy/citus/cluster.sh start        # create (first time) and start; prints the coordinator's superuser URL
#   deploy/citus/cluster.sh stop
#   deploy/citus/cluster.sh url [LOGIN]  # superuser on `collections`, or migrate|admin|worker|server
#   deploy/citus/cluster.sh destroy
#
# Nodes: coordinator 127.0.0.1:9700, workers :9701 and :9702, data in
# /var/tmp/citus/{coord,w1,w2}, socket folder /var/tmp/citus. Trust authentication
# on loopback stands in for inter-node authentication (a real cluster: passwords or
# certificates, and pg_dist_authinfo for the group roles' connections).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BASE=/var/tmp/citus
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
NODES=("coord 9700" "w1 9701" "w2 9702")

log() { echo "citus: $*" >&2; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi; }
su_url() { echo "postgresql://postgres@127.0.0.1:$1/${2:-collections}"; }
# sql PORT [psql arguments]: as the superuser on database `collections` (DB=postgres for another).
sql() { local port=$1; shift; PGOPTIONS="-c client_min_messages=warning" psql "$(su_url "$port" "${DB:-collections}")" -XqtA -v ON_ERROR_STOP=1 "$@"; }

url() {
    case "${1:-}" in
        "") su_url 9700 ;;
        migrate|admin|worker|server) echo "postgresql://collections_$1_login@127.0.0.1:9700/collections" ;;
        *) log "unknown login $1"; exit 2 ;;
    esac
}

start() {
    [ -f "$PGBIN/../lib/citus.so" ] || [ -f /usr/lib/postgresql/15/lib/citus.so ] \
        || { log "citus.so is not installed: build Citus first (deploy/citus/README.md)"; exit 1; }
    mkdir -p "$BASE"; chown postgres: "$BASE"
    local fresh=0 node name port
    for node in "${NODES[@]}"; do
        read -r name port <<<"$node"
        if [ ! -f "$BASE/$name/PG_VERSION" ]; then
            fresh=1
            as_pg "$PGBIN/initdb" -D "$BASE/$name" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
            cat >>"$BASE/$name/postgresql.conf" <<CONF
# deploy/citus/cluster.sh
shared_preload_libraries = 'citus,pg_stat_statements'
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$BASE'
max_connections = 300
shared_buffers = 1GB
work_mem = 64MB
fsync = off
synchronous_commit = off
# SET LOCAL app.tenant_id reaches the workers (DESIGN.md "Scale-out"); set_config never does.
citus.propagate_set_commands = 'local'
# A write to a table with a key to a reference table locks that table's shard
# (lock_shard_resources), which Citus allows only to a role that may write it:
# the app may not write currencies or tenants. Skipping the check lets any role
# take those locks (a way to make writes wait, never to read or write a row).
citus.skip_advisory_lock_permission_checks = on
CONF
        fi
        if ! as_pg "$PGBIN/pg_ctl" -D "$BASE/$name" status >/dev/null 2>&1; then
            as_pg "$PGBIN/pg_ctl" -D "$BASE/$name" -w -l "$BASE/$name.log" start >/dev/null
        fi
    done
    if [ "$fresh" = 1 ]; then provision; fi
    url
}

# The database on every node with the extension, the nodes joined, the roles and
# the schema's ownership everywhere (what Citus does not propagate), the logins.
provision() {
    local node name port
    for node in "${NODES[@]}"; do
        read -r name port <<<"$node"
        DB=postgres sql "$port" -c "CREATE DATABASE collections"
        sql "$port" -c "CREATE EXTENSION citus"
    done
    sql 9700 -c "SELECT citus_set_coordinator_host('127.0.0.1', 9700)" >/dev/null
    sql 9700 -c "SELECT citus_add_node('127.0.0.1', 9701)" >/dev/null
    sql 9700 -c "SELECT citus_add_node('127.0.0.1', 9702)" >/dev/null
    # Coordinator first: CREATE ROLE propagates; the workers then get what does not
    # (ownership of schema public, default privileges).
    for node in "${NODES[@]}"; do
        read -r name port <<<"$node"
        sql "$port" -1 -f "$ROOT/sql/bootstrap.sql" >/dev/null
    done
    sql 9700 -1 -f "$ROOT/deploy/sql/logins.sql" >/dev/null
    # Citus connects to the workers as the role a transaction SET ROLEs to, so
    # the group roles log in there. The policies call current_active_tenant_id(),
    # which reads the reference table tenants: on a worker that is a query from
    # within a shard's query, which Citus refuses ("cannot execute a distributed
    # query from a query on a shard") unless allowed; a role setting applies where
    # Citus logs in as the role.
    for role in collections_owner collections_app collections_worker collections_registry collections_agency; do
        sql 9700 -c "ALTER ROLE $role LOGIN" -c "ALTER ROLE $role SET citus.allow_nested_distributed_execution = on"
    done
    # The first distributed object's schema is created on the workers as its role.
    sql 9700 -c "GRANT CREATE ON DATABASE collections TO collections_owner"
    # The first PL/pgSQL function records plpgsql as distributed, which needs its owner.
    sql 9700 -c "CREATE FUNCTION citus_plpgsql_probe() RETURNS void LANGUAGE plpgsql AS 'BEGIN END'" \
        -c "DROP FUNCTION citus_plpgsql_probe()"
}

stop() {
    local node name port
    for node in "${NODES[@]}"; do
        read -r name port <<<"$node"
        [ -f "$BASE/$name/PG_VERSION" ] || continue
        as_pg "$PGBIN/pg_ctl" -D "$BASE/$name" -m fast -w stop >/dev/null 2>&1 || true
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url "${2:-}" ;;
    destroy) stop; rm -rf "$BASE" ;;
    *) echo "usage: $0 start|stop|url [LOGIN]|destroy" >&2; exit 2 ;;
esac
