#!/usr/bin/env bash
# collections-admin import notes, a file imported again, with the planner's
# statistics old against fresh, in one run.
#
#   deploy/bench/notes-reimport.sh                  # 50,000 notes, 3 runs of each, debug build
#   NOTES=200000 RUNS=5 CONFIG=release deploy/bench/notes-reimport.sh
#
# Right after a big import, until autovacuum's ANALYZE, the planner has never seen
# the tenant's new notes: it takes the tenant to hold about one. The importer's own
# ANALYZE is skipped for the programs' logins (they do not own the tables), so that
# is what an admin meets who imports a file twice within the minute. A plan that
# trusts the estimate compares every staged note with every stored one.
#
# On the private cluster (deploy/local/cluster.sh, started if needed), as the admin
# login, with contact_notes' autovacuum off for the run (reset at the end). Each run
# of each side: a new tenant, the 100 clients, NOTES notes over them (timed: first),
# then the same file again (timed: again; every row unchanged). `fresh` runs
# ANALYZE contact_notes as the superuser between the two; `stale` does not. Sides
# alternate. Prints each run, the medians, and stale/fresh of `again` (1 when the
# import does not depend on the statistics). The tenants are deleted at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
NOTES=${NOTES:-50000}
RUNS=${RUNS:-3}
CONFIG=${CONFIG:-debug}
swift build -c "$CONFIG" --product collections-admin >&2
BIN=$(swift build -c "$CONFIG" --show-bin-path)
SUPER=$(deploy/local/cluster.sh start | tail -1)
"$BIN/collections-admin" migrate --database-url "$(deploy/local/cluster.sh url migrate)" >/dev/null
ADMIN=$(deploy/local/cluster.sh url admin)
DB=$(echo "$SUPER" | sed -E 's#^(postgresql://[^/?]*)/[^?]*#\1/collections#')
WORK=$(mktemp -d)
TENANTS=()
cleanup() {
    psql "$DB" -qX -c "ALTER TABLE contact_notes RESET (autovacuum_enabled)" >/dev/null 2>&1 || true
    for slug in "${TENANTS[@]}"; do
        "$BIN/collections-admin" tenant delete "$slug" --confirm "$slug" --database-url "$ADMIN" >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
psql "$DB" -qX -v ON_ERROR_STOP=1 -c "ALTER TABLE contact_notes SET (autovacuum_enabled = false)"

awk 'BEGIN { print "ref,name,payment_terms_days,currency"; for (c = 1; c <= 100; c++) printf "C%03d,Client %d,30,USD\n", c, c }' >"$WORK/clients.csv"
# A note every 7 minutes from 2013-01-01, the clients in turn; every tenth without a body.
awk -v n="$NOTES" 'BEGIN {
    print "client_ref,noted_at,channel,author,body,outcome,promise_amount,promise_date,satisfaction"
    start = 1357030800
    for (i = 0; i < n; i++) {
        body = (i % 10 == 0) ? "" : "Called about the open invoices item " i
        printf "C%03d,%s,call,collector%d,%s,,,,%s\n", i % 100 + 1, strftime("%Y-%m-%dT%H:%M:%SZ", start + 420 * i, 1),
            i % 5, body, (i % 3 == 0) ? (i % 5) + 1 : ""
    }
}' >"$WORK/notes.csv"

seconds() { python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.3f}')" "$1"; }
now() { python3 -c 'import time; print(time.time())'; }
import_notes() {  # slug -> seconds; the summary must say $2 rows inserted
    local start out
    start=$(now)
    out=$("$BIN/collections-admin" import notes "$1" "$WORK/notes.csv" --format json --database-url "$ADMIN")
    python3 -c "import json, sys; r = json.loads(sys.argv[1]); sys.exit(0 if r['inserted'] == int(sys.argv[2]) else 1)" "$out" "$2" \
        || { echo "bench: unexpected import summary: $out" >&2; exit 1; }
    seconds "$start"
}

declare -A first again
for run in $(seq "$RUNS"); do
    for side in stale fresh; do
        slug="bench-notes-$$-$run-$side"
        TENANTS+=("$slug")
        "$BIN/collections-admin" tenant create "$slug" --name "$slug" --currency USD --timezone UTC --database-url "$ADMIN" >/dev/null
        "$BIN/collections-admin" import clients "$slug" "$WORK/clients.csv" --database-url "$ADMIN" >/dev/null
        first[$side]+="$(import_notes "$slug" "$NOTES") "
        if [ "$side" = fresh ]; then psql "$DB" -qX -c "ANALYZE contact_notes"; fi
        again[$side]+="$(import_notes "$slug" 0) "
        echo "bench: run $run $side: first $(echo "${first[$side]}" | awk '{ print $NF }') s, again $(echo "${again[$side]}" | awk '{ print $NF }') s" >&2
    done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "notes import of $NOTES notes, $RUNS runs a side, medians (seconds):"
printf '%-6s  %-8s  %-8s  %s\n' side first again "again (all runs)"
for side in stale fresh; do
    printf '%-6s  %-8s  %-8s  %s\n' "$side" "$(echo "${first[$side]}" | median)" "$(echo "${again[$side]}" | median)" "${again[$side]}"
done
python3 -c "import sys; print(f'again, stale / fresh: {float(sys.argv[1]) / float(sys.argv[2]):.2f}')" \
    "$(echo "${again[stale]}" | median)" "$(echo "${again[fresh]}" | median)"
