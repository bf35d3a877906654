#!/usr/bin/env bash
# The HTTP API against the service library in-process, on one database, in one run
# (issue 12's benchmark, not a test): with wrk at 16 connections, POST /v1/payments
# (each request its own reference) and GET /v1/reports/kpis against collections-server;
# the same operations through the service library at the same concurrency
# (collections-bench service). Release builds, the private cluster (durable defaults),
# the server as collections_server_login. Prints each side's rate, p50/p99 and the
# ratios, and the server's peak RSS.
#
#   deploy/bench/http.sh                  # 10 s per run
#   SECONDS_PER_RUN=30 CONNECTIONS=16 deploy/bench/http.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
RUN=${SECONDS_PER_RUN:-10}
CONN=${CONNECTIONS:-16}
BUILD=${BUILD_PATH:-.build-release}

deploy/local/cluster.sh packages
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y wrk >/dev/null; }
swift build -c release --scratch-path "$BUILD" >&2
BIN=$(swift build -c release --scratch-path "$BUILD" --show-bin-path)
deploy/local/cluster.sh start >/dev/null
admin=$(deploy/local/cluster.sh url admin)
server_url=$(deploy/local/cluster.sh url server)
"$BIN/collections-admin" migrate --database-url "$(deploy/local/cluster.sh url migrate)" >/dev/null

slug="bench-http-$RANDOM$RANDOM"
"$BIN/collections-admin" tenant create "$slug" --name "HTTP bench" --currency USD --database-url "$admin" >/dev/null
tenant=$("$BIN/collections-admin" tenant show "$slug" --format json --database-url "$admin" | python3 -c 'import json,sys; d=json.load(sys.stdin); print((d[0] if isinstance(d, list) else d)["id"])')
key=$("$BIN/collections-admin" api-key create "$slug" --format json --database-url "$admin" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
tmp=$(mktemp -d)
# A book to report on: 200 clients, 2,000 invoices, a stored day.
python3 - "$tmp" <<'PY'
import sys, random
random.seed(12)
d = sys.argv[1]
with open(f"{d}/clients.csv", "w") as f:
    f.write("ref,name,currency\n")
    for c in range(1, 201): f.write(f"C{c},Client {c},USD\n")
with open(f"{d}/invoices.csv", "w") as f:
    f.write("client_ref,number,currency,amount,issued_on,due_on\n")
    for i in range(2000):
        day = 1 + i % 28
        f.write(f"C{1 + i % 200},INV-{i:05d},USD,{random.randint(100, 99999)}.{random.randint(0, 99):02d},2024-0{1 + i % 6}-{day:02d},2024-0{1 + i % 6}-{day:02d}\n")
PY
"$BIN/collections-admin" import clients "$slug" "$tmp/clients.csv" --database-url "$admin" >/dev/null
"$BIN/collections-admin" import invoices "$slug" "$tmp/invoices.csv" --database-url "$admin" >/dev/null
DAY=2024-06-30
"$BIN/collections-worker" run --tenant "$slug" --as-of "$DAY" --database-url "$(deploy/local/cluster.sh url worker)" >/dev/null

: >"$tmp/server.out"
"$BIN/collections-server" serve --port 0 --connections "$CONN" --rate-limit 1000000 --burst 1000000 \
    --database-url "$server_url" >"$tmp/server.out" 2>"$tmp/server.log" &
server=$!
cleanup() {
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    "$BIN/collections-admin" tenant delete "$slug" --confirm "$slug" --database-url "$admin" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's|^listening on http://[^:]*:\([0-9]*\)$|\1|p' "$tmp/server.out"); [ -n "$port" ] && break; sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"

# wrk's summary: requests/s, p50 and p99 in ms, non-2xx count.
wrk_run() {
    local script=$1 prefix=$2
    BENCH_KEY=$key BENCH_PREFIX=$prefix BENCH_DAY=$DAY wrk -t 2 -c "$CONN" -d "${RUN}s" --latency -s "$script" "$base" >"$tmp/wrk.txt"
    python3 - "$tmp/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
print(f"{rate:.1f} {ms('50'):.2f} {ms('99'):.2f} {bad.group(1) if bad else 0}")
PY
}
inproc_run() {
    "$BIN/collections-bench" service --server-url "$server_url" --tenant "$tenant" --operation "$1" \
        --connections "$CONN" --seconds "$RUN" --prefix "$2" \
        | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.1f %.2f %.2f" % (d["rate"], d["p50_ms"], d["p99_ms"]))'
}
# Warm both sides once, briefly.
SECONDS_SAVED=$RUN; RUN=2
wrk_run deploy/bench/http-kpis.lua WARM >/dev/null; inproc_run kpis WARM >/dev/null
RUN=$SECONDS_SAVED

read -r http_post http_post_p50 http_post_p99 http_post_bad < <(wrk_run deploy/bench/http-payments.lua HTTP)
read -r lib_post lib_post_p50 lib_post_p99 < <(inproc_run payments LIB)
read -r http_get http_get_p50 http_get_p99 http_get_bad < <(wrk_run deploy/bench/http-kpis.lua KPI)
read -r lib_get lib_get_p50 lib_get_p99 < <(inproc_run kpis LIB)
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
python3 - <<PY
rows = [("POST /v1/payments", $http_post, $http_post_p50, $http_post_p99, $http_post_bad, $lib_post, $lib_post_p50, $lib_post_p99, 0.7),
        ("GET /v1/reports/kpis", $http_get, $http_get_p50, $http_get_p99, $http_get_bad, $lib_get, $lib_get_p50, $lib_get_p99, 0.8)]
print(f"HTTP vs in-process, {$CONN} connections, {$RUN} s each, one database (load average: {open('/proc/loadavg').read().split()[0]})")
for name, hr, h50, h99, bad, lr, l50, l99, target in rows:
    ratio = hr / lr if lr else float('nan')
    print(f"{name:22} HTTP {hr:8.1f}/s p50 {h50:6.2f} ms p99 {h99:7.2f} ms (non-2xx {bad}) | in-process {lr:8.1f}/s p50 {l50:6.2f} ms p99 {l99:7.2f} ms | ratio {ratio:.2f} (target >= {target})")
print(f"collections-server peak RSS: {$rss_kb / 1024:.1f} MiB")
PY
