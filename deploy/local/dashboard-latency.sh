#!/usr/bin/env bash
# p95 of each dashboard page for a 9,000-invoice tenant (README "Dashboard"). Not part of CI.
# On the private cluster it (re)creates the tenant `dash-p95` through the CLI's imports:
# 900 clients, 9,000 invoices over the last 400 days, a payment for 6 in 10 of them, two
# notes a client (a promise in one of them, some satisfaction scores); the worker stores the
# last 90 days; then collections-server (debug build, on its own login) is signed in to with
# a fresh key through the form, and each page is asked N times (default 100) in a row with
# curl after one warm-up request. Prints median, p95 and max per page.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
N=${1:-100}
deploy/local/cluster.sh start >/dev/null
ADMIN=$(deploy/local/cluster.sh url admin)
swift build --product collections-admin >&2
swift build --product collections-worker >&2
swift build --product collections-server >&2
BIN=$(swift build --show-bin-path)
"$BIN/collections-admin" migrate --database-url "$(deploy/local/cluster.sh url migrate)" >&2
WORK=$(mktemp -d)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

if "$BIN/collections-admin" tenant show dash-p95 --database-url "$ADMIN" >/dev/null 2>&1; then
    "$BIN/collections-admin" tenant delete dash-p95 --confirm dash-p95 --database-url "$ADMIN" >/dev/null
fi
"$BIN/collections-admin" tenant create dash-p95 --name "Dashboard p95 book" --currency USD --timezone America/Chicago \
    --database-url "$ADMIN" >/dev/null
python3 - "$WORK" <<'PY'
import csv, datetime, random, sys
out = sys.argv[1]; rng = random.Random(17); today = datetime.date.today()
with open(f"{out}/clients.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["ref", "name", "email", "payment_terms_days", "currency"])
    for c in range(900): w.writerow([f"C{c:04d}", f"Client {c}", f"ap{c}@example.com", 30, "USD"])
inv, pay, notes = [], [], []
for c in range(900):
    for k in range(10):
        issued = today - datetime.timedelta(days=rng.randrange(400)); number = f"I{c:04d}-{k}"
        amount = rng.randrange(2000, 500000); inv.append([f"C{c:04d}", number, "USD", f"{amount/100:.2f}", issued, issued + datetime.timedelta(days=30)])
        if rng.random() < 0.6:
            received = min(today, issued + datetime.timedelta(days=rng.randrange(10, 90)))
            pay.append([f"C{c:04d}", f"P{number}", "USD", f"{amount/100:.2f}", received, number])
    for n in range(2):
        at = datetime.datetime.combine(today - datetime.timedelta(days=rng.randrange(1, 60)), datetime.time(15, 0))
        promise = n == 0 and rng.random() < 0.3
        notes.append([f"C{c:04d}", at.isoformat() + "Z", "call", "ann", "called", "promise_to_pay" if promise else "left_message",
                      "100.00" if promise else "", (at.date() + datetime.timedelta(days=14)).isoformat() if promise else "",
                      rng.randrange(1, 6) if rng.random() < 0.3 else ""])
for name, header, rows in [("invoices", ["client_ref", "number", "currency", "amount", "issued_on", "due_on"], inv),
                           ("payments", ["client_ref", "reference", "currency", "amount", "received_on", "invoice_number"], pay),
                           ("notes", ["client_ref", "noted_at", "channel", "author", "body", "outcome", "promise_amount", "promise_date", "satisfaction"], notes)]:
    with open(f"{out}/{name}.csv", "w", newline="") as f:
        w = csv.writer(f); w.writerow(header); w.writerows(rows)
PY
for kind in clients invoices payments notes; do
    "$BIN/collections-admin" import "$kind" dash-p95 "$WORK/$kind.csv" --database-url "$ADMIN" >&2
done
TO=$(date -u +%F); FROM=$(date -u -d "$TO - 89 days" +%F)
"$BIN/collections-worker" run --tenant dash-p95 --from "$FROM" --to "$TO" --database-url "$(deploy/local/cluster.sh url worker)" >&2

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/collections-server" serve --database-url "$(deploy/local/cluster.sh url server)" --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
URL="http://127.0.0.1:$PORT"
key=$("$BIN/collections-admin" api-key create dash-p95 --label p95 --database-url "$ADMIN" | grep '^ck_' | tail -1)
jar="$WORK/jar"
token=$(curl -fs -c "$jar" "$URL/dashboard/login" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -1)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$token" --data-urlencode "api_key@-" "$URL/dashboard/login" <<<"$key"
COOKIE=$(awk '$6 == "dashboard_session" { print $7 }' "$jar")
client=$(curl -fs -b "dashboard_session=$COOKIE" "$URL/dashboard/worklist" | grep -o '/dashboard/clients/[0-9a-f-]*' | head -1 || true)
echo "dash-p95: $(grep -c . "$WORK/invoices.csv") invoice lines, $N requests a page" >&2
for page in /dashboard /dashboard/worklist "$client" /dashboard/dunning; do
    curl -s -o /dev/null -b "dashboard_session=$COOKIE" "$URL$page"
    for _ in $(seq "$N"); do
        curl -s -o /dev/null -w '%{time_total} %{http_code}\n' -b "dashboard_session=$COOKIE" "$URL$page"
    done | sort -n | awk -v page="${page%/*-*}" -v n="$N" '
        { t[NR] = $1; if ($2 != 200) bad++ } END { i = int(n * 0.95 + 0.5); if (i < 1) i = 1;
          printf "%-20s n=%d  median %4.0f ms  p95 %4.0f ms  max %4.0f ms  not 200: %d\n", page, n, t[int((n+1)/2)]*1000, t[i]*1000, t[n]*1000, bad }'
done
