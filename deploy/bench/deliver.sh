#!/usr/bin/env bash
# collections-worker deliver against Python's smtplib, into the same loopback SMTP
# server (deploy/local/smtp-sink.py, aiosmtpd), in one run.
#
#   deploy/bench/deliver.sh                   # 1,000 and 5,000 messages, debug build
#   SIZES="1000" CONFIG=release deploy/bench/deliver.sh
#   SENDERS=4 deploy/bench/deliver.sh         # 4 sender tasks (and SMTP connections) at once
#
# For each size N: a tenant in a zone where it is about noon now, N clients with an
# email and an invoice due today, the policy "due today by email", and the worker's
# run of yesterday, which queues today's N messages. Then, timed:
#   deliver   collections-worker deliver --once --senders $SENDERS (default 1): claim each message (row
#             locked), check the gate again, render the built-in template, send it over
#             one SMTP connection per sender, mark it sent with its contact note, commit; its
#             maximum resident memory from /usr/bin/time
#   smtplib   the same N messages (the bytes the sink received from deliver) sent by
#             smtplib over one connection to a fresh sink: the transport alone
# Prints messages/s for each and their ratio (deliver / smtplib).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
SIZES=${SIZES:-"1000 5000"}
SENDERS=${SENDERS:-1}
CONFIG=${CONFIG:-debug}
swift build -c "$CONFIG" --product collections-worker >&2
swift build -c "$CONFIG" --product collections-admin >&2
BIN=$(swift build -c "$CONFIG" --show-bin-path)
deploy/local/cluster.sh start >/dev/null
"$BIN/collections-admin" migrate --database-url "$(deploy/local/cluster.sh url migrate)" >/dev/null
ADMIN=$(deploy/local/cluster.sh url admin)
WORKER=$(deploy/local/cluster.sh url worker)
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
"$PYTHON" -c 'import aiosmtpd' 2>/dev/null || "$PYTHON" -m pip install --quiet 'aiosmtpd>=1.4,<2' >&2
tmp=$(mktemp -d)
cleanup() { [ -f "$tmp/pids" ] && xargs -r kill -9 <"$tmp/pids" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

sink() {  # sink NAME: starts a sink logging to $tmp/NAME.jsonl; prints its port (in a subshell: pids go to a file)
    "$PYTHON" deploy/local/smtp-sink.py "$tmp/$1.port" "$tmp/$1.jsonl" </dev/null >/dev/null 2>&1 &
    echo $! >>"$tmp/pids"
    for _ in $(seq 1 100); do [ -s "$tmp/$1.port" ] && break; sleep 0.05; done
    cat "$tmp/$1.port"
}

read -r ZONE TODAY YESTERDAY < <("$PYTHON" - <<'PY'
import datetime
now = datetime.datetime.now(datetime.timezone.utc)
offset = 12 - now.hour
offset = offset - 24 if offset > 14 else offset + 24 if offset < -12 else offset
zone = "Etc/GMT" if offset == 0 else (f"Etc/GMT-{offset}" if offset > 0 else f"Etc/GMT+{-offset}")
today = (now + datetime.timedelta(hours=offset)).date()
print(zone, today, today - datetime.timedelta(days=1))
PY
)
echo '{"steps": [{"name": "due today", "offset_days": 0, "channel": "email", "template": "reminder_due"}]}' >"$tmp/policy.json"
printf '%-8s %10s %10s %12s %12s %8s\n' messages deliver_s smtplib_s deliver_msg/s smtplib_msg/s ratio
for n in $SIZES; do
    slug="bench-deliver-$n-$$"
    "$BIN/collections-admin" tenant create "$slug" --name "Bench Lender $n" --timezone "$ZONE" --database-url "$ADMIN" >/dev/null
    awk -v n="$n" 'BEGIN { print "ref,name,email"; for (i = 1; i <= n; i++) printf "C%06d,Client %d,client%d@example.com\n", i, i, i }' >"$tmp/clients.csv"
    awk -v n="$n" -v d="$TODAY" 'BEGIN { print "client_ref,number,currency,amount,issued_on,due_on"; for (i = 1; i <= n; i++) printf "C%06d,INV-%06d,USD,%d.%02d,2026-01-01,%s\n", i, i, 10 + i % 900, i % 100, d }' >"$tmp/invoices.csv"
    "$BIN/collections-admin" import clients "$slug" "$tmp/clients.csv" --database-url "$ADMIN" >/dev/null
    "$BIN/collections-admin" import invoices "$slug" "$tmp/invoices.csv" --database-url "$ADMIN" >/dev/null
    "$BIN/collections-admin" tenant dunning "$slug" set "$tmp/policy.json" --database-url "$ADMIN" >/dev/null
    "$BIN/collections-worker" run --as-of "$YESTERDAY" --tenant "$slug" --database-url "$WORKER" >/dev/null
    port=$(sink "ours-$n")
    start=$(date +%s.%N)
    /usr/bin/time -f "%M %U %S" -o "$tmp/rss-$n" "$BIN/collections-worker" deliver --once --senders "$SENDERS" --tenant "$slug" \
        --smtp-url "smtp://127.0.0.1:$port" --mail-from "reminders@bench.example" --database-url "$WORKER" >/dev/null
    ours=$(echo "$(date +%s.%N) - $start" | bc -l)
    got=$(wc -l <"$tmp/ours-$n.jsonl")
    [ "$got" -eq "$n" ] || { echo "deliver sent $got messages, not $n" >&2; exit 1; }
    port=$(sink "smtplib-$n")
    theirs=$("$PYTHON" deploy/bench/smtplib-baseline.py "$port" "$tmp/ours-$n.jsonl")
    printf '%-8s %10.2f %10.2f %12.0f %12.0f %8.2f   (deliver: max RSS %s)\n' "$n" "$ours" "$theirs" \
        "$(echo "$n / $ours" | bc -l)" "$(echo "$n / $theirs" | bc -l)" "$(echo "$theirs / $ours" | bc -l)" \
        "$(( $(cut -d" " -f1 "$tmp/rss-$n") / 1024 )) MiB, CPU $(cut -d" " -f2,3 "$tmp/rss-$n" | tr " " "+" | bc) s"
    "$BIN/collections-admin" tenant delete "$slug" --confirm "$slug" --database-url "$ADMIN" >/dev/null
done
