#!/usr/bin/env bash
# What pgbouncer and prepared statements cost or save on the server's kind of
# transaction, with pgbench (PostgreSQL's own client), on the private cluster:
# direct vs through Debian's pgbouncer in transaction mode (test-pooler.sh, 4
# server connections), unnamed statements (-M extended: the layer with
# DATABASE_PREPARE_THRESHOLD=off) vs named prepared ones (-M prepared: the
# layer's default), 16 clients, as the server's login. The transaction is
# withTenant's: SET LOCAL ROLE collections_app, the tenant set for the
# transaction, current_tenant_is_active(), then one invoice by number.
#
#   deploy/pgbouncer/bench.sh [SECONDS]     # default 10 s a run, 2 rounds alternated
#
# It migrates the cluster's `collections` database and makes tenant `bench`
# with 1,000 invoices if missing, and gives the server's login a password of
# this run's own (pgbouncer asks for one; the cluster itself trusts local
# connections). A developer's cluster only.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
SECONDS_PER_RUN=${1:-10}
BIN=$(swift build --show-bin-path)
[ -x "$BIN/collections-admin" ] || { echo "bench: build first (swift build)" >&2; exit 1; }

SUPER=$(deploy/local/cluster.sh start 2>/dev/null | tail -1)
MIGRATE=$(deploy/local/cluster.sh url migrate)
ADMIN=$(deploy/local/cluster.sh url admin)
DATABASE_URL=$MIGRATE "$BIN/collections-admin" migrate >/dev/null 2>&1 \
    || { DATABASE_URL=$MIGRATE "$BIN/collections-admin" migrate; exit 1; }
DB_SUPER=$(sed 's|/postgres?|/collections?|' <<<"$SUPER")
TENANT=$(psql "$DB_SUPER" -XtAc "SELECT id FROM tenants WHERE slug = 'bench'")
if [ -z "$TENANT" ]; then
    DATABASE_URL=$ADMIN "$BIN/collections-admin" tenant create bench --name Bench >/dev/null
    work=$(mktemp -d)
    { echo "ref,name,currency"; for c in $(seq 1 100); do echo "C$c,Client $c,USD"; done; } >"$work/clients.csv"
    { echo "client_ref,number,currency,amount,issued_on,due_on"
      for i in $(seq 1 1000); do echo "C$(( (i % 100) + 1 )),B-$i,USD,$i.50,2026-01-01,2026-02-01"; done; } >"$work/invoices.csv"
    DATABASE_URL=$ADMIN "$BIN/collections-admin" import clients bench "$work/clients.csv" >/dev/null
    DATABASE_URL=$ADMIN "$BIN/collections-admin" import invoices bench "$work/invoices.csv" >/dev/null
    rm -rf "$work"
    TENANT=$(psql "$DB_SUPER" -XtAc "SELECT id FROM tenants WHERE slug = 'bench'")
fi
PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
psql "$DB_SUPER" -XqAc "ALTER ROLE collections_server_login PASSWORD '$PASSWORD'"

POOLER=$(deploy/pgbouncer/test-pooler.sh start 2>/dev/null)
trap 'deploy/pgbouncer/test-pooler.sh stop 2>/dev/null' EXIT
read -r POOLER_HOST POOLER_PORT <<<"$POOLER"
DIRECT=$(deploy/local/cluster.sh url server)
POOLED=$(sed -E "s|host=[^&]*|host=$POOLER_HOST|; s|port=[0-9]+|port=$POOLER_PORT|" <<<"$DIRECT")

script=$(mktemp)
trap 'rm -f "$script"; deploy/pgbouncer/test-pooler.sh stop 2>/dev/null' EXIT
cat >"$script" <<'SQL'
\set n random(1, 1000)
BEGIN;
SET LOCAL ROLE collections_app;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT current_tenant_is_active();
SELECT id, amount_minor, due_on FROM invoices WHERE tenant_id = :tenant::uuid AND number = 'B-' || :n;
COMMIT;
SQL

echo "pgbench, $SECONDS_PER_RUN s a run, 16 clients, the server's login, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2; do
    for target in direct pgbouncer; do
        url=$DIRECT; [ "$target" = pgbouncer ] && url=$POOLED
        for mode in extended prepared; do
            out=$(PGPASSWORD=$PASSWORD pgbench -n -f "$script" -c 16 -j 2 -T "$SECONDS_PER_RUN" -M "$mode" -D "tenant=$TENANT" "$url" 2>&1 || true)
            tps=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' <<<"$out")
            latency=$(sed -nE 's/^latency average = ([0-9.]+ ms).*/\1/p' <<<"$out")
            failed=$(grep -m1 -oE 'ERROR: +[^:]*prepared statement[^$]*' <<<"$out" || true)
            if [ -n "$failed" ]; then
                echo "round $round $target -M $mode: failed: $failed"
            else
                echo "round $round $target -M $mode: $tps tps, latency $latency"
            fi
        done
    done
done
