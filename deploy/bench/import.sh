#!/usr/bin/env bash
# collections-admin import of invoices and payments against psql \copy, on one
# server, in one run.
#
#   deploy/bench/import.sh                       # 1,000,000 invoices of 10,000 clients, then
#                                                # 1,000,000 payments and 500,000 automatic ones, 3 runs
#   ROWS=200000 RUNS=5 deploy/bench/import.sh
#   PAYMENTS=20000 AUTOPAY=10000 deploy/bench/import.sh    # payment files' sizes (default ROWS, ROWS/2)
#   COSTS=1 deploy/bench/import.sh               # also what each constraint and index costs (slow)
#   DATABASE_URL=postgresql://... deploy/bench/import.sh
#   BUILD_PATH=.build-import deploy/bench/import.sh    # swift build --scratch-path
#
# Files (written once, the same for every run; awk with fixed seeds, so the same
# sizes give the same files): clients.csv (CLIENTS clients), invoices.csv (ROWS
# invoices of random clients, USD, 1.00-99,999.99, issued on one of the 730 days
# from 2012-01-01, due 30 days later or, every fifth, without a due date),
# payments.csv (PAYMENTS payments naming an invoice, made from invoices.csv read
# back: invoice i gets floor(i*P/R) - floor((i-1)*P/R) of them, so PAYMENTS/ROWS
# each, spread evenly; a payment has its invoice's client and currency, a random
# 5-100% of the invoice amount divided by the invoice's number of payments, so no
# invoice is ever paid more than its amount, is received 0-60 days after the
# invoice's issue, and has reference PAY-%08d) and autopay.csv (AUTOPAY payments
# without an invoice number, so allocated oldest due first: a random client, USD,
# 1.00-99,999.99, received on one of the 790 days from 2012-01-01, reference
# AUTO-%08d).
#
# Each run gets a fresh database (created, migrated with collections-admin migrate,
# dropped at the end) holding tenants `bench` and `bench-sql`, each with the clients,
# and times, in this order, each after a CHECKPOINT:
#   copy         psql \copy of invoices.csv into `bare`: the file's six columns, all
#                text, no keys, no constraints (the target's reference rate)
#   keyed        the same \copy into `bare_keyed`: the same columns with the invoice
#                number as primary key, the least any import that keeps numbers unique
#                must maintain
#   constrained  psql \copy, as the role of DATABASE_URL (the superuser of the private
#                cluster; no row-level security on this table), of the same invoices
#                into `invoices_like`: a copy of invoices with its columns, defaults,
#                checks, indexes (primary key and unique ones included), foreign keys
#                (to the real tenants, clients and currencies) and triggers, made from
#                the catalog by deploy/bench/import-like.sql. What the \copy reads is
#                invoices' own layout (tenant_id, client_id, number, currency,
#                amount_minor, issued_on, due_on; id, created_at and the late-fee
#                columns from their defaults) for tenant `bench`, exported from `bare`
#                joined to the clients (due date from the client's terms when the
#                file has none) with psql \copy (SELECT ...) TO before the timing:
#                only the \copy FROM is timed. The importer's honest baseline.
#   costs        (COSTS=1 only) the same \copy into copies of invoices_like each
#                without one part: each foreign key, primary key, unique constraint
#                and other index alone, the check constraints as a group (and the
#                triggers as a group, if invoices has any), each followed by another
#                constrained \copy (into a fresh invoices_like); a part's cost is
#                the mean seconds of the constrained copies just before and after
#                it minus its copy's seconds, per million rows (on a shared machine
#                the load drifts by more than a part costs)
#   import       collections-admin import invoices bench (release build): read and
#                check the file, stage it by COPY, check it in SQL, insert into
#                invoices; its JSON report's `inserted` must be ROWS
#   insert       psql INSERT ... SELECT of the same rows from `bare` into invoices for
#                tenant bench-sql, as collections_app with the tenant set: the write
#                that any importer has to do under the schema (its indexes, foreign
#                keys and row-level security), for reference
#   payments     collections-admin import payments bench payments.csv (into the
#                invoices the import wrote); `inserted` must be PAYMENTS
#   autopay      collections-admin import payments bench autopay.csv, right after;
#                `inserted` must be AUTOPAY
# The three collections-admin imports run under /usr/bin/time for their peak RSS
# (without it, their VmHWM is sampled from /proc every 50 ms); a wrong `inserted`
# or a failed import stops the script with the import's log. Each run is listed on
# stderr with the imports' phase_seconds, and the report prints each run and the
# medians: rows/s of each, import/copy (target >= 0.5), import/constrained (target
# >= 0.8), import/insert, payments/import (target >= 0.5), autopay/import (target
# >= 0.3), the imports' peak RSS in MiB, their phase seconds, and with COSTS=1 a
# table of the parts' costs in seconds per million rows (median over the runs of
# each part's cost, and the range of all the constrained copies' times, to show
# how far the machine's noise goes).
#
# With DATABASE_URL set, that server is measured (the role needs CREATEDB, and for
# `constrained` to create tables referencing tenants, clients and currencies; a
# superuser also gets the CHECKPOINTs, and is what `constrained` is meant to be
# measured as). Without it, the private cluster of deploy/local/cluster.sh is used
# (started if needed and then stopped again) as its superuser. Progress goes to
# stderr, the report to stdout. A missed target does not fail the script; an error
# does.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

ROWS=${ROWS:-1000000}
CLIENTS=${CLIENTS:-10000}
RUNS=${RUNS:-3}
PAYMENTS=${PAYMENTS:-$ROWS}
AUTOPAY=${AUTOPAY:-$((ROWS / 2))}
COSTS=${COSTS:-0}

log() { echo "bench: $*" >&2; }

# Every invoice is at least 1.00 (100 cents): each of its payments gets at least a cent.
if [ "$PAYMENTS" -gt $((ROWS * 100)) ]; then
    log "PAYMENTS ($PAYMENTS) may be at most 100 per invoice ($((ROWS * 100)))"; exit 1
fi
if [ "$PAYMENTS" -lt 1 ] || [ "$AUTOPAY" -lt 1 ]; then
    log "PAYMENTS and AUTOPAY must be at least 1"; exit 1
fi

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

log "writing $ROWS invoices of $CLIENTS clients, $PAYMENTS payments naming their invoice and $AUTOPAY without to $WORK"
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
# Payments naming their invoice, from what invoices.csv says of it (read back line
# by line, so memory stays flat): invoice i gets floor(i*P/R) - floor((i-1)*P/R)
# payments (P in all), each at most its share of the amount, received 0-60 days
# after the issue.
awk -F, -v rows="$ROWS" -v payments="$PAYMENTS" 'BEGIN { srand(43) }
    NR == FNR { date[NR - 1] = $0; day[$0] = NR - 1; next }
    FNR == 1 { print "client_ref,reference,currency,amount,received_on,invoice_number"; next }
    {
        i = FNR - 1
        k = int(i * payments / rows) - int((i - 1) * payments / rows)
        split($4, amount, ".")
        cents = amount[1] * 100 + amount[2]
        for (j = 0; j < k; j++) {
            share = int(cents / k * (0.05 + 0.95 * rand()))
            if (share < 1) share = 1
            received = date[day[$5] + int(rand() * 61)]
            printf "%s,PAY-%08d,%s,%d.%02d,%s,%s\n", $1, ++n, $3, int(share / 100), share % 100, received, $2
        }
    }' "$WORK/dates" "$WORK/invoices.csv" >"$WORK/payments.csv"
awk -v autopay="$AUTOPAY" -v clients="$CLIENTS" 'BEGIN { srand(44) }
    { date[NR - 1] = $0 }
    END {
        print "client_ref,reference,currency,amount,received_on,invoice_number"
        for (i = 1; i <= autopay; i++)
            printf "C%06d,AUTO-%08d,USD,%d.%02d,%s,\n", 1 + int(rand() * clients), i,
                   1 + int(rand() * 99999), int(rand() * 100), date[int(rand() * 790)]
    }' "$WORK/dates" >"$WORK/autopay.csv"
for f in invoices:"$ROWS" payments:"$PAYMENTS" autopay:"$AUTOPAY"; do
    got=$(($(wc -l <"$WORK/${f%%:*}.csv") - 1))
    if [ "$got" != "${f#*:}" ]; then log "${f%%:*}.csv has $got rows, not ${f#*:}"; exit 1; fi
done
SIZE=$(du -h "$WORK/invoices.csv" | cut -f1)
PAYMENTS_SIZE=$(du -h "$WORK/payments.csv" | cut -f1)
AUTOPAY_SIZE=$(du -h "$WORK/autopay.csv" | cut -f1)

now() { date +%s.%N; }
rate() { awk -v rows="$1" -v t0="$2" -v t1="$3" 'BEGIN { printf "%.0f", rows / (t1 - t0) }'; }
checkpoint() { psql "$1" -qX -c "CHECKPOINT" >/dev/null 2>&1 || true; }
# Seconds per million rows that a part costs: constrained time minus the time without it.
cost() { awk -v rows="$ROWS" -v full="$1" -v without="$2" 'BEGIN { printf "%.3f", (full - without) * 1000000 / rows }'; }
kib_to_mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# Runs a command and writes its peak RSS in KiB to $1: /usr/bin/time's maximum
# resident set size, or else the VmHWM of /proc/PID/status sampled until it ends.
peak_rss() {
    local out=$1 pid peak=0 value rc=0
    shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f %M -o "$out" "$@" || rc=$?
        # On a failure time writes "Command exited with non-zero status N" first.
        tail -n 1 "$out" >"$out.tmp" && mv "$out.tmp" "$out"
        return "$rc"
    fi
    "$@" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        value=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        if [ -n "$value" ] && [ "$value" -gt "$peak" ]; then peak=$value; fi
        sleep 0.05
    done
    wait "$pid" || rc=$?
    echo "$peak" >"$out"
    return "$rc"
}

# collections-admin import KIND bench FILE after a CHECKPOINT, timed, with its peak
# RSS; stops the script unless the JSON report's `inserted` is WANT. Sets t0, t1,
# phases (the report's phase_seconds) and rss (KiB).
admin_import() {
    local kind=$1 file=$2 want=$3 url=$4 name inserted
    name=$(basename "$file" .csv)
    checkpoint "$url"
    t0=$(now)
    if ! peak_rss "$WORK/$name.rss" "$ADMIN" import "$kind" bench "$file" --database-url "$url" --format json \
        >"$WORK/$name.json" 2>"$WORK/$name.log"; then
        t1=$(now)
        log "collections-admin import $kind bench $file failed after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s:"
        cat "$WORK/$name.log" "$WORK/$name.json" >&2
        exit 1
    fi
    t1=$(now)
    rss=$(cat "$WORK/$name.rss")
    phases=$(tr -d '\n ' <"$WORK/$name.json" | sed -E 's/.*"phase_seconds":\{([^}]*)\}.*/\1/; s/"//g; s/,/ /g' |
        awk '{ for (i = 1; i <= NF; i++) { split($i, p, ":"); printf "%s%s %.3f", (i > 1 ? ", " : ""), p[1], p[2] } }')
    inserted=$(tr -d '\n ' <"$WORK/$name.json" | sed -E 's/.*"inserted":([0-9]+).*/\1/')
    if [ "$inserted" != "$want" ]; then
        log "collections-admin import $kind bench $file inserted $inserted rows, not $want:"
        cat "$WORK/$name.json" "$WORK/$name.log" >&2
        exit 1
    fi
}

# A fresh copy of invoices (bench_invoices_like; without PART if given), then
# psql \copy of own.csv (invoices' own layout) into it after a CHECKPOINT, then
# dropped; prints the seconds the \copy took.
COPY_COLUMNS="tenant_id, client_id, number, currency, amount_minor, issued_on, due_on"
copy_own() {
    local url=$1 part=${2:-} a b
    if [ -n "$part" ]; then
        psql "$url" -qX -v ON_ERROR_STOP=1 -c "SELECT bench_invoices_like('invoices_like', '$part')" >/dev/null
    else
        psql "$url" -qX -v ON_ERROR_STOP=1 -c "SELECT bench_invoices_like('invoices_like')" >/dev/null
    fi
    checkpoint "$url"
    a=$(now)
    psql "$url" -qX -v ON_ERROR_STOP=1 -c "\\copy invoices_like ($COPY_COLUMNS) FROM '$WORK/own.csv' CSV" >/dev/null
    b=$(now)
    psql "$url" -qX -v ON_ERROR_STOP=1 -c "DROP TABLE invoices_like" >/dev/null
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.6f", b - a }'
}

copy_rates=()
keyed_rates=()
constrained_rates=()
import_rates=()
insert_rates=()
payments_rates=()
autopay_rates=()
import_rss=()
payments_rss=()
autopay_rss=()
phase_lines=()
PARTS=()
FULL_SECONDS=()
declare -A PART_KIND PART_DEFINITION PART_COSTS
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
    psql "$url" -qX -v ON_ERROR_STOP=1 -f deploy/bench/import-like.sql >/dev/null

    checkpoint "$url"
    t0=$(now)
    psql "$url" -qX -v ON_ERROR_STOP=1 -c "\\copy bare FROM '$WORK/invoices.csv' CSV HEADER" >/dev/null
    t1=$(now)
    copy_rates+=("$(rate "$ROWS" "$t0" "$t1")")
    psql "$url" -qX -c "VACUUM ANALYZE bare" >/dev/null

    checkpoint "$url"
    t0=$(now)
    psql "$url" -qX -v ON_ERROR_STOP=1 -c "\\copy bare_keyed FROM '$WORK/invoices.csv' CSV HEADER" >/dev/null
    t1=$(now)
    keyed_rates+=("$(rate "$ROWS" "$t0" "$t1")")

    # The rows in invoices' own layout, for tenant bench (not timed). The tenant is
    # set as well, for a role that the clients' row-level security applies to.
    # (\copy does not interpolate psql variables: the tenant goes in as text.)
    tenant=$(psql "$url" -qXAt -v ON_ERROR_STOP=1 -c "SELECT id FROM tenants WHERE slug = 'bench'")
    psql "$url" -qX -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT set_config('app.tenant_id', '$tenant', false);
\\copy (SELECT c.tenant_id, c.id, b.number, b.currency, (b.amount::numeric * 100)::bigint, b.issued_on::date, coalesce(nullif(b.due_on, '')::date, b.issued_on::date + c.payment_terms_days) FROM bare b JOIN clients c ON c.tenant_id = '$tenant'::uuid AND c.ref = b.client_ref) TO '$WORK/own.csv' CSV
SQL
    exported=$(wc -l <"$WORK/own.csv")
    if [ "$exported" != "$ROWS" ]; then
        log "the export for invoices_like has $exported rows, not $ROWS (are the clients readable?)"; exit 1
    fi
    constrained_seconds=$(copy_own "$url")
    FULL_SECONDS+=("$constrained_seconds")
    constrained_rates+=("$(awk -v rows="$ROWS" -v s="$constrained_seconds" 'BEGIN { printf "%.0f", rows / s }')")

    if [ "$COSTS" = 1 ]; then
        if [ "${#PARTS[@]}" -eq 0 ]; then
            while IFS='|' read -r part kind definition; do
                PARTS+=("$part"); PART_KIND[$part]=$kind; PART_DEFINITION[$part]=$definition
            done < <(psql "$url" -qXAt -F'|' -v ON_ERROR_STOP=1 -c "SELECT part, kind, definition FROM bench_invoice_parts()")
        fi
        # Each copy without a part between two with everything (the first is the
        # constrained copy above), compared with their mean: on a shared machine the
        # load drifts, and a part costs less than one copy varies.
        before=$constrained_seconds
        for part in "${PARTS[@]}"; do
            log "run $run: \\copy into invoices_like without $part, then with everything"
            without=$(copy_own "$url" "$part")
            after=$(copy_own "$url")
            full=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.6f", (a + b) / 2 }')
            PART_COSTS[$part]="${PART_COSTS[$part]:-}${PART_COSTS[$part]:+ }$(cost "$full" "$without")"
            FULL_SECONDS+=("$after")
            before=$after
        done
    fi

    admin_import invoices "$WORK/invoices.csv" "$ROWS" "$url"
    import_rates+=("$(rate "$ROWS" "$t0" "$t1")")
    import_rss+=("$(kib_to_mib "$rss")")
    import_phases=$phases

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
    insert_rates+=("$(rate "$ROWS" "$t0" "$t1")")

    log "run $run: importing $PAYMENTS payments naming their invoice"
    admin_import payments "$WORK/payments.csv" "$PAYMENTS" "$url"
    payments_rates+=("$(rate "$PAYMENTS" "$t0" "$t1")")
    payments_rss+=("$(kib_to_mib "$rss")")
    payments_phases=$phases

    log "run $run: importing $AUTOPAY payments allocated automatically"
    admin_import payments "$WORK/autopay.csv" "$AUTOPAY" "$url"
    autopay_rates+=("$(rate "$AUTOPAY" "$t0" "$t1")")
    autopay_rss+=("$(kib_to_mib "$rss")")
    autopay_phases=$phases

    phase_lines+=("run $run: import ($import_phases), payments ($payments_phases), autopay ($autopay_phases)")
    log "run $run: copy ${copy_rates[-1]} rows/s, keyed copy ${keyed_rates[-1]} rows/s, constrained copy ${constrained_rates[-1]} rows/s, import ${import_rates[-1]} rows/s ($import_phases; ${import_rss[-1]} MiB peak), insert ${insert_rates[-1]} rows/s, payments ${payments_rates[-1]} rows/s ($payments_phases; ${payments_rss[-1]} MiB peak), autopay ${autopay_rates[-1]} rows/s ($autopay_phases; ${autopay_rss[-1]} MiB peak)"
    psql "$DATABASE_URL" -qX -c "DROP DATABASE \"$db\" WITH (FORCE)" >/dev/null
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
# The same for decimals (the costs), to three places.
median3() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
COPY=$(median "${copy_rates[@]}")
KEYED=$(median "${keyed_rates[@]}")
CONSTRAINED=$(median "${constrained_rates[@]}")
IMPORT=$(median "${import_rates[@]}")
INSERT=$(median "${insert_rates[@]}")
PAY=$(median "${payments_rates[@]}")
AUTO=$(median "${autopay_rates[@]}")
SERVER=$(psql "$DATABASE_URL" -qXAt -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync ' || current_setting('fsync') || ', synchronous_commit ' || current_setting('synchronous_commit') || ', shared_buffers ' || current_setting('shared_buffers')")

cat <<EOF
Import benchmark: $ROWS invoices of $CLIENTS clients ($SIZE of CSV), $PAYMENTS payments naming their invoice ($PAYMENTS_SIZE), $AUTOPAY allocated automatically ($AUTOPAY_SIZE), $RUNS runs, medians
  machine: $(nproc) cores, load average $LOAD_BEFORE before, $LOAD_AFTER after
  server:  $SERVER
  copy:        psql \\copy into bare (six text columns, no keys)        $(printf '%9s' "$COPY") rows/s   runs: ${copy_rates[*]}
  keyed:       psql \\copy into bare_keyed (number primary key)      $(printf '%9s' "$KEYED") rows/s   runs: ${keyed_rates[*]}
  constrained: psql \\copy into invoices_like (as invoices, no RLS)  $(printf '%9s' "$CONSTRAINED") rows/s   runs: ${constrained_rates[*]}
  import:      collections-admin import invoices                      $(printf '%9s' "$IMPORT") rows/s   runs: ${import_rates[*]}
  insert:      psql INSERT ... SELECT into invoices (reference)       $(printf '%9s' "$INSERT") rows/s   runs: ${insert_rates[*]}
  payments:    collections-admin import payments (invoice named)      $(printf '%9s' "$PAY") rows/s   runs: ${payments_rates[*]}
  autopay:     collections-admin import payments (oldest due first)   $(printf '%9s' "$AUTO") rows/s   runs: ${autopay_rates[*]}
  import / copy        = $(ratio "$IMPORT" "$COPY")   (target >= 0.5)
  keyed / copy         = $(ratio "$KEYED" "$COPY")   (psql itself, one unique index)
  import / constrained = $(ratio "$IMPORT" "$CONSTRAINED")   (target >= 0.8)
  import / insert      = $(ratio "$IMPORT" "$INSERT")
  payments / import    = $(ratio "$PAY" "$IMPORT")   (target >= 0.5)
  autopay / import     = $(ratio "$AUTO" "$IMPORT")   (target >= 0.3)
  peak RSS (MiB): import $(median "${import_rss[@]}") (runs: ${import_rss[*]}), payments $(median "${payments_rss[@]}") (runs: ${payments_rss[*]}), autopay $(median "${autopay_rss[@]}") (runs: ${autopay_rss[*]})
  phase seconds:
EOF
for line in "${phase_lines[@]}"; do echo "    $line"; done
if [ "$COSTS" = 1 ]; then
    echo "  constraint costs: seconds per million rows that each part adds to the constrained \\copy, medians"
    printf '%s\n' "${FULL_SECONDS[@]}" | sort -g | awk -v rows="$ROWS" '{ v[NR] = $1 * 1000000 / rows }
        END { printf "    (the %d constrained copies took %.3f-%.3f s per million, median %.3f; a part costs the mean of the\n", NR, v[1], v[NR], (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              print "    copies just before and after its copy without it, minus that copy; a negative cost is noise)" }'
    printf '    %-34s %-12s %8s   %-22s %s\n' part kind "s/M rows" runs definition
    for part in "${PARTS[@]}"; do
        read -ra values <<<"${PART_COSTS[$part]}"
        definition=${PART_DEFINITION[$part]}
        if [ "${#definition}" -gt 70 ]; then definition="${definition:0:67}..."; fi
        printf '    %-34s %-12s %8s   %-22s %s\n' "$part" "${PART_KIND[$part]}" "$(median3 "${values[@]}")" "${values[*]}" "$definition"
    done
fi
