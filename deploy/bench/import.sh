#!/usr/bin/env bash
# collections-admin import against psql \copy, on one server, in one run.
#
#   deploy/bench/import.sh                       # 1,000,000 invoices of 10,000 clients, 3 runs
#   ROWS=200000 RUNS=5 deploy/bench/import.sh
#   DATABASE_URL=postgresql://... deploy/bench/import.sh
#   BUILD_PATH=.build-import deploy/bench/import.sh    # swift build --scratch-path
#
# Each run gets a fresh database (created, migrated with collections-admin migrate,
# dropped at the end) holding one tenant and its clients, and times, each after a
# CHECKPOINT:
#   copy    psql \copy of the invoices CSV into `bare`: the file's six columns, all
#           text, no keys, no constraints (the target's reference rate)
#   keyed   the same \copy into `bare_keyed`: the same columns with the invoice number
#           as primary key, the least any import that keeps numbers unique must maintain
#   import  collections-admin import invoices (release build): read and check the
#           file, stage it by COPY, check it in SQL, insert into invoices
#   insert  psql INSERT ... SELECT of the same rows from `bare` into invoices for a
#           second tenant, as collections_app with the tenant set: the write that any
#           importer has to do under the schema (four indexes, three foreign keys,
#           row-level security), for reference
# and prints each run and the medians: rows/s of each, import/copy (target >= 0.5)
# and import/insert.
#
# With DATABASE_URL set, that server is measured (the role needs CREATEDB; a
# superuser also gets the CHECKPOINTs). Without it, the private cluster of
# deploy/local/cluster.sh is used (started if needed and then stopped again).
# Progress goes to stderr, the report to stdout.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

ROWS=${ROWS:-1000000}
CLIENTS=${CLIENTS:-10000}
RUNS=${RUNS:-3}

log() { echo "bench: $*" >&2; }

if [ -z "${DATABASE_URL:-}" ]; then
    start_log=$(mktemp)
    if ! DATABASE_URL=$(deploy/local/cluster.sh start 2>"$start_log"); then
        cat "$start_log" >&2
        exit 1
    fi
    if ! grep -q "already running" "$start_log"; then STOP_CLUSTER=1; fi
    rm -f "$start_log"
fi
export DATABASE_URL

WORK=$(mktemp -d)
DATABASES=()
cleanup() {
    for db in "${DATABASES[@]}"; do
        psql "$DATABASE_URL" -qX -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
    if [ -n "${STOP_CLUSTER:-}" ]; then deploy/local/cluster.sh stop; fi
}
trap cleanup EXIT

# The same server, another database: replace the path of a URI, or add dbname=
# to a keyword/value string (the last dbname wins).
database_url() {
    case "$DATABASE_URL" in
        postgres://* | postgresql://*)
            echo "$DATABASE_URL" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$1#" ;;
        *) echo "$DATABASE_URL dbname=$1" ;;
    esac
}

log "building collections-admin (release)"
BUILD_FLAGS=(-c release)
if [ -n "${BUILD_PATH:-}" ]; then BUILD_FLAGS+=(--scratch-path "$BUILD_PATH"); fi
swift build "${BUILD_FLAGS[@]}" --product collections-admin >&2
ADMIN="$(swift build "${BUILD_FLAGS[@]}" --show-bin-path)/collections-admin"

log "writing $ROWS invoices of $CLIENTS clients to $WORK"
# Dates by day number, for awk (which has no date arithmetic everywhere).
for day in $(seq 0 800); do date -u -d "2012-01-01 + $day days" +%F; done >"$WORK/dates"
awk -v clients="$CLIENTS" 'BEGIN {
    print "ref,name,currency,payment_terms_days"
    for (c = 1; c <= clients; c++) printf "C%06d,Client %d,USD,%d\n", c, c, 10 + c % 4 * 10
}' >"$WORK/clients.csv"
awk -v rows="$ROWS" -v clients="$CLIENTS" 'BEGIN { srand(42) }
    NR == FNR { date[NR - 1] = $0; next }
    FNR == 1 {
        print "client_ref,number,currency,amount,issued_on,due_on"
        for (i = 1; i <= rows; i++) {
            issued = int(rand() * 730)
            # Every fifth invoice without a due date: the client terms give it.
            due = (i % 5 == 0) ? "" : date[issued + 30]
            printf "C%06d,INV-%08d,USD,%d.%02d,%s,%s\n", 1 + int(rand() * clients), i,
                   1 + int(rand() * 99999), int(rand() * 100), date[issued], due
        }
    }' "$WORK/dates" "$WORK/dates" >"$WORK/invoices.csv"
SIZE=$(du -h "$WORK/invoices.csv" | cut -f1)

now() { date +%s.%N; }
rate() { awk -v rows="$ROWS" -v t0="$1" -v t1="$2" 'BEGIN { printf "%.0f", rows / (t1 - t0) }'; }
checkpoint() { psql "$1" -qX -c "CHECKPOINT" >/dev/null 2>&1 || true; }

copy_rates=()
keyed_rates=()
import_rates=()
insert_rates=()
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
for run in $(seq 1 "$RUNS"); do
    db="bench_import_$$_$run"
    DATABASES+=("$db")
    url=$(database_url "$db")
    log "run $run/$RUNS: database $db"
    psql "$DATABASE_URL" -qX -c "CREATE DATABASE \"$db\"" >/dev/null
    "$ADMIN" migrate --database-url "$url" >/dev/null
    for tenant in bench bench-sql; do
        "$ADMIN" tenant create "$tenant" --name "Import benchmark" --database-url "$url" >/dev/null
        "$ADMIN" import clients "$tenant" "$WORK/clients.csv" --database-url "$url" >/dev/null
    done
    psql "$url" -qX -v ON_ERROR_STOP=1 -c "CREATE TABLE bare (client_ref text, number text, currency text, amount text, issued_on text, due_on text)" \
        -c "CREATE TABLE bare_keyed (client_ref text, number text PRIMARY KEY, currency text, amount text, issued_on text, due_on text)" \
        -c "GRANT SELECT ON bare TO collections_app" -c "VACUUM ANALYZE" >/dev/null

    checkpoint "$url"
    t0=$(now)
    psql "$url" -qX -v ON_ERROR_STOP=1 -c "\\copy bare FROM '$WORK/invoices.csv' CSV HEADER" >/dev/null
    t1=$(now)
    copy_rates+=("$(rate "$t0" "$t1")")
    psql "$url" -qX -c "VACUUM ANALYZE bare" >/dev/null

    checkpoint "$url"
    t0=$(now)
    psql "$url" -qX -v ON_ERROR_STOP=1 -c "\\copy bare_keyed FROM '$WORK/invoices.csv' CSV HEADER" >/dev/null
    t1=$(now)
    keyed_rates+=("$(rate "$t0" "$t1")")

    checkpoint "$url"
    t0=$(now)
    "$ADMIN" import invoices bench "$WORK/invoices.csv" --database-url "$url" --format json >"$WORK/import.json" 2>"$WORK/import.log"
    t1=$(now)
    import_rates+=("$(rate "$t0" "$t1")")
    phases=$(tr -d '\n ' <"$WORK/import.json" | sed -E 's/.*"phase_seconds":\{([^}]*)\}.*/\1/; s/"//g; s/,/ /g')
    inserted=$(tr -d '\n ' <"$WORK/import.json" | sed -E 's/.*"inserted":([0-9]+).*/\1/')
    if [ "$inserted" != "$ROWS" ]; then
        log "the import inserted $inserted rows, not $ROWS"; cat "$WORK/import.log" >&2; exit 1
    fi

    checkpoint "$url"
    t0=$(now)
    psql "$url" -qX -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
BEGIN;
SELECT id AS tenant FROM tenants WHERE slug = 'bench-sql' \gset
SELECT set_config('app.tenant_id', :'tenant', true);
SET LOCAL ROLE collections_app;
SET LOCAL jit = off;
-- The tenant named in the statement, as the importer's (DESIGN.md "Scale-out").
INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on)
SELECT :'tenant'::uuid, c.id, b.number, b.currency, (b.amount::numeric * 100)::bigint, b.issued_on::date,
       coalesce(nullif(b.due_on, '')::date, b.issued_on::date + c.payment_terms_days)
FROM bare b JOIN clients c ON c.tenant_id = :'tenant'::uuid AND c.ref = b.client_ref;
COMMIT;
SQL
    t1=$(now)
    insert_rates+=("$(rate "$t0" "$t1")")
    log "run $run: copy ${copy_rates[-1]} rows/s, keyed copy ${keyed_rates[-1]} rows/s, import ${import_rates[-1]} rows/s ($phases), insert ${insert_rates[-1]} rows/s"
    psql "$DATABASE_URL" -qX -c "DROP DATABASE \"$db\" WITH (FORCE)" >/dev/null
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
COPY=$(median "${copy_rates[@]}")
KEYED=$(median "${keyed_rates[@]}")
IMPORT=$(median "${import_rates[@]}")
INSERT=$(median "${insert_rates[@]}")
SERVER=$(psql "$DATABASE_URL" -qXAt -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync ' || current_setting('fsync') || ', synchronous_commit ' || current_setting('synchronous_commit') || ', shared_buffers ' || current_setting('shared_buffers')")

cat <<EOF
Import benchmark: $ROWS invoices of $CLIENTS clients ($SIZE of CSV), $RUNS runs, medians
  machine: $(nproc) cores, load average $LOAD_BEFORE before, $LOAD_AFTER after
  server:  $SERVER
  copy:    psql \\copy into bare (six text columns, no keys)     $(printf '%9s' "$COPY") rows/s   runs: ${copy_rates[*]}
  keyed:   psql \\copy into bare_keyed (number primary key)   $(printf '%9s' "$KEYED") rows/s   runs: ${keyed_rates[*]}
  import:  collections-admin import invoices                   $(printf '%9s' "$IMPORT") rows/s   runs: ${import_rates[*]}
  insert:  psql INSERT ... SELECT into invoices (reference)    $(printf '%9s' "$INSERT") rows/s   runs: ${insert_rates[*]}
  import / copy   = $(awk -v a="$IMPORT" -v b="$COPY" 'BEGIN { printf "%.3f", a / b }')   (target >= 0.5)
  keyed / copy    = $(awk -v a="$KEYED" -v b="$COPY" 'BEGIN { printf "%.3f", a / b }')   (psql itself, one unique index)
  import / insert = $(awk -v a="$IMPORT" -v b="$INSERT" 'BEGIN { printf "%.3f", a / b }')
EOF
