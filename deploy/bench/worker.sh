#!/usr/bin/env bash
# The daily worker against the best hand-written SQL, on one server, in one run.
#
#   deploy/bench/worker.sh                               # 1,000 tenants x 5,000 invoices, 3 runs each
#   deploy/bench/worker.sh --tenants 100 --invoices 5000 # a smaller book (max RSS at two scales)
#   DATABASE_URL=postgresql://... deploy/bench/worker.sh --keep
#
# 1. Creates a fresh database collections_bench_worker on the server of DATABASE_URL
#    (without it, the private cluster of deploy/local/cluster.sh, started if needed
#    and then stopped again; a cluster someone else started is left running),
#    migrates it with the release `collections-admin migrate`, and generates the
#    book in SQL as the superuser (deploy/bench/worker-data.sql: tenants x invoices
#    over the 12 months before --as-of, with payments, reversals, disputes,
#    write-offs, promises and satisfaction scores, time-ordered with tenants
#    interleaved), then VACUUM ANALYZE.
# 2. Runs `collections-worker run --as-of D-1 --jobs J` once, untimed: it accrues the
#    year's late fees and decides the year's promises (a backlog a daily run never
#    has) and warms the caches; then ANALYZE, as autovacuum would have by then.
# 3. Times, alternating so that both meet the same background load, --runs runs of
#    `collections-worker run --as-of D --jobs J` (run 1 a fresh day, the others
#    --recompute it), each under /usr/bin/time -v for its wall time and maximum
#    resident set size, and --runs runs of deploy/bench/worker-baseline.sql (as the
#    superuser, all tenants at once, set-based, into tables of schema
#    bench_baseline). Then counts the rows in which the worker's snapshots and the
#    baseline's tables differ (deploy/bench/worker-compare.sql; 0 expected).
# 4. Prints the machine, the sizes, the medians and their ratio; with --live-check
#    also compares every tenant's stored snapshots with the live report functions
#    of sql/0002 (deploy/bench/worker-live-check.sql; a minute or two).
#
# Needs a role that can CREATE DATABASE and is superuser (the data load and the
# baseline bypass row-level security; the worker itself runs as collections_app).
# The database is dropped at the end unless --keep. Progress goes to stderr, the
# report to stdout. A missed target does not fail the script; an error does.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

TENANTS=1000
INVOICES=5000
AS_OF=2025-06-30
RUNS=3
JOBS=2
KEEP=0
LIVE_CHECK=0
DB=collections_bench_worker

usage() { sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --tenants) TENANTS=$2; shift 2 ;;
        --invoices) INVOICES=$2; shift 2 ;;
        --as-of) AS_OF=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --jobs) JOBS=$2; shift 2 ;;
        --database) DB=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --live-check) LIVE_CHECK=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "worker.sh: unknown argument $1" >&2; usage >&2; exit 64 ;;
    esac
done
for n in "$TENANTS" "$INVOICES" "$RUNS" "$JOBS"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "worker.sh: $n is not a positive number" >&2; exit 64; }
done
[[ "$DB" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "worker.sh: bad database name $DB" >&2; exit 64; }

log() { echo "bench: $*" >&2; }

deploy/local/cluster.sh packages
[ -x /usr/bin/time ] || { log "installing time (for /usr/bin/time -v)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }

if [ -z "${DATABASE_URL:-}" ]; then
    # `start` reports "already running" on stderr when someone else started it:
    # then it is theirs to stop, not ours.
    start_log=$(mktemp)
    if ! DATABASE_URL=$(deploy/local/cluster.sh start 2>"$start_log"); then
        cat "$start_log" >&2
        rm -f "$start_log"
        exit 1
    fi
    cat "$start_log" >&2
    if ! grep -q "already running" "$start_log"; then
        STOP_CLUSTER=1
    fi
    rm -f "$start_log"
fi
export DATABASE_URL

# The URL of database $1 on the same server: a URI gets a new path, a key=value
# string a trailing dbname (the last one wins).
db_url() {
    case "$DATABASE_URL" in
        postgres://*|postgresql://*)
            echo "$DATABASE_URL" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$1#" ;;
        *) echo "$DATABASE_URL dbname=$1" ;;
    esac
}
BENCH_URL=$(db_url "$DB")
WORK=$(mktemp -d)

cleanup() {
    local status=$?
    if [ "$KEEP" -eq 0 ]; then
        psql "$DATABASE_URL" -qXc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
    if [ "${STOP_CLUSTER:-0}" -eq 1 ]; then deploy/local/cluster.sh stop; fi
    exit $status
}
trap cleanup EXIT

psql_bench() { psql "$BENCH_URL" -qXAt -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

log "building the release binaries"
swift build -c release --product collections-admin >&2
swift build -c release --product collections-worker >&2
BIN=$(swift build -c release --show-bin-path)

log "creating $DB"
psql "$DATABASE_URL" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
"$BIN/collections-admin" migrate --database-url "$BENCH_URL" >&2

log "generating $TENANTS tenants x $INVOICES invoices as of $AS_OF"
t0=$(now)
psql_bench -v tenants="$TENANTS" -v invoices="$INVOICES" -v as_of="$AS_OF" -f deploy/bench/worker-data.sql
t1=$(now)
psql_bench -c "VACUUM ANALYZE"
t2=$(now)
GENERATED="in $(elapsed "$t0" "$t1") s, VACUUM ANALYZE $(elapsed "$t1" "$t2") s"
log "generated $GENERATED"

PREVIOUS=$(psql_bench -c "SELECT (DATE '$AS_OF' - 1)::text")

# One timed command: wall seconds and max RSS (kB) appended to $WORK/$1.
timed_worker() {
    local label=$1; shift
    psql_bench -c "CHECKPOINT"
    LOG_LEVEL=warning /usr/bin/time -v -o "$WORK/time.txt" \
        "$BIN/collections-worker" run --database-url "$BENCH_URL" --jobs "$JOBS" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" \
        || { cat "$WORK/out.txt" "$WORK/err.txt" "$WORK/time.txt" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$WORK/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
    echo "$wall" >>"$WORK/$label.wall"
    echo "$rss" >>"$WORK/$label.rss"
    log "$label: $(cat "$WORK/out.txt") -- ${wall} s, max RSS ${rss} kB"
}

timed_baseline() {
    psql_bench -c "CHECKPOINT"
    local b0 b1
    b0=$(now)
    psql_bench -v as_of="$AS_OF" -f deploy/bench/worker-baseline.sql
    b1=$(now)
    echo "$(elapsed "$b0" "$b1")" >>"$WORK/baseline.wall"
    log "baseline: $(elapsed "$b0" "$b1") s"
}

log "worker warm-up: the day before ($PREVIOUS), untimed"
timed_worker warmup --as-of "$PREVIOUS"
# The warm-up wrote a year of late fees and promise decisions at once; in a
# running system autovacuum keeps their statistics current. Without this the
# timed runs plan against the empty tables that VACUUM ANALYZE saw (late fees
# measured 4x slower a tenant).
psql_bench -c "ANALYZE"

# Worker and baseline runs alternate, so that both meet the same background load
# (the machine is shared). Run 1 of the worker is a fresh day, the others --recompute
# it; every baseline run reads the same facts (the late fees of day D included).
log "$RUNS runs each of the worker (as of $AS_OF, --jobs $JOBS) and of worker-baseline.sql, alternating"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq 1 "$RUNS"); do
    if [ "$run" -eq 1 ]; then
        timed_worker worker --as-of "$AS_OF"
    else
        timed_worker worker --as-of "$AS_OF" --recompute
    fi
    timed_baseline
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
DAY_MS=$(psql_bench -c "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)::int || ' ms median, '
    || percentile_cont(0.9) WITHIN GROUP (ORDER BY duration_ms)::int || ' ms p90'
    FROM tenant_days WHERE as_of = DATE '$AS_OF'" 2>/dev/null || echo "?")

log "comparing the worker's snapshots with the baseline's tables"
DIFF=$(psql_bench -v as_of="$AS_OF" -f deploy/bench/worker-compare.sql)
read -r AGEING_ROWS AGEING_DIFF CLIENT_ROWS CLIENT_DIFF KPI_ROWS KPI_DIFF CSAT_ROWS CSAT_DIFF <<<"$DIFF"

LIVE="not run (--live-check)"
if [ "$LIVE_CHECK" -eq 1 ]; then
    log "comparing every tenant's snapshots with the live report functions"
    LIVE=$(psql_bench -v as_of="$AS_OF" -f deploy/bench/worker-live-check.sql)
fi

SIZES=$(psql_bench -c "SELECT (SELECT count(*) FROM tenants) || ' ' || (SELECT count(*) FROM clients) || ' ' ||
    (SELECT count(*) FROM invoices) || ' ' || (SELECT count(*) FROM payments) || ' ' ||
    (SELECT count(*) FROM payment_applications) || ' ' || (SELECT count(*) FROM contact_notes) || ' ' ||
    (SELECT count(*) FROM invoice_charges) || ' ' || (SELECT count(*) FROM disputes) || ' ' ||
    (SELECT count(*) FROM write_offs) || ' ' || pg_size_pretty(pg_database_size(current_database()))")
read -r N_TENANTS N_CLIENTS N_INVOICES N_PAYMENTS N_APPLICATIONS N_NOTES N_CHARGES N_DISPUTES N_WRITEOFFS DB_SIZE <<<"$SIZES"
SERVER=$(psql_bench -c "SELECT current_setting('server_version') || ', shared_buffers ' || current_setting('shared_buffers')
    || ', work_mem ' || current_setting('work_mem') || ', max_parallel_workers_per_gather '
    || current_setting('max_parallel_workers_per_gather') || ', jit ' || current_setting('jit')
    || ', fsync ' || current_setting('fsync') || ', synchronous_commit ' || current_setting('synchronous_commit')")

WORKER_S=$(median <"$WORK/worker.wall")
BASELINE_S=$(median <"$WORK/baseline.wall")
RATIO=$(echo "$WORKER_S $BASELINE_S" | awk '{ printf "%.2f", $1 / $2 }')
RSS_KB=$(sort -n "$WORK/worker.rss" | tail -1)

cat <<REPORT
Worker benchmark: collections-worker run vs hand-written SQL, one server, one run
  machine:    $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), MemTotal $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
              load average (1/5/15 min) before the timed runs $LOAD_BEFORE, after $LOAD_AFTER
  PostgreSQL: $SERVER
  date:       $(date -u +%Y-%m-%dT%H:%MZ)
  book:       $N_TENANTS tenants, $N_CLIENTS clients, $N_INVOICES invoices, $N_PAYMENTS payments,
              $N_APPLICATIONS applications, $N_NOTES notes, $N_CHARGES late-fee charges, $N_DISPUTES disputes,
              $N_WRITEOFFS write-offs; database $DB_SIZE; as of $AS_OF; generated $GENERATED
  worker:     collections-worker run --as-of $AS_OF --jobs $JOBS (run 1 a fresh day, then --recompute)
              runs (s): $(tr '\n' ' ' <"$WORK/worker.wall")-> median $WORKER_S s
              max RSS: $(tr '\n' ' ' <"$WORK/worker.rss")kB (warm-up day: $(cat "$WORK/warmup.rss") kB)
              a tenant's day (tenant_days.duration_ms, last run): $DAY_MS
  baseline:   worker-baseline.sql, all tenants in set-based statements
              runs (s): $(tr '\n' ' ' <"$WORK/baseline.wall")-> median $BASELINE_S s
  ratio:      worker / baseline = $RATIO (target <= 1.25)
  equal:      differing rows, worker vs baseline: ageing $AGEING_DIFF of $AGEING_ROWS, by client $CLIENT_DIFF of $CLIENT_ROWS,
              KPIs $KPI_DIFF of $KPI_ROWS, satisfaction $CSAT_DIFF of $CSAT_ROWS
  live check: $LIVE
  max RSS:    $RSS_KB kB at $N_INVOICES invoices
REPORT
