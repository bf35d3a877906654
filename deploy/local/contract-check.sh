#!/usr/bin/env bash
# The OpenAPI contract against a live collections-server: schemathesis (PyPI, installed
# when missing) runs its default checks (no 5xx, answers conform to openapi/openapi.yaml)
# over every operation, with a tenant's key, on the private cluster's database (migrated
# as the migrate login; the tenant made as the admin login and deleted after; the server
# as the server login). Run by deploy/local/test.sh after the suites.
#
#   deploy/local/contract-check.sh BIN_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:?usage: $0 BIN_DIR (swift build --show-bin-path)}
cd "$ROOT"
EXAMPLES=${CONTRACT_EXAMPLES:-25}

if ! command -v schemathesis >/dev/null 2>&1; then
    echo "contract check: installing schemathesis" >&2
    python3 -m pip install --quiet 'schemathesis>=4,<5' >&2
fi

admin=$(deploy/local/cluster.sh url admin)
"$BIN/collections-admin" migrate --database-url "$(deploy/local/cluster.sh url migrate)" >/dev/null
slug="contract-$RANDOM$RANDOM"
"$BIN/collections-admin" tenant create "$slug" --name "Contract check" --currency USD --database-url "$admin" >/dev/null
key=$("$BIN/collections-admin" api-key create "$slug" --format json --database-url "$admin" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
# Something for the lists and lookups to find.
tmp=$(mktemp -d)
printf 'ref,name,currency\nC1,Client one,USD\n' >"$tmp/clients.csv"
printf 'client_ref,number,currency,amount,issued_on\nC1,INV-1,USD,100.00,2024-01-01\n' >"$tmp/invoices.csv"
"$BIN/collections-admin" import clients "$slug" "$tmp/clients.csv" --database-url "$admin" >/dev/null
"$BIN/collections-admin" import invoices "$slug" "$tmp/invoices.csv" --database-url "$admin" >/dev/null

server_url=$(deploy/local/cluster.sh url server)
: >"$tmp/server.out"
"$BIN/collections-server" serve --port 0 --rate-limit 100000 --burst 100000 \
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
    port=$(sed -n 's|^listening on http://[^:]*:\([0-9]*\)$|\1|p' "$tmp/server.out")
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "contract check: the server did not start" >&2; cat "$tmp/server.log" >&2; exit 1; }
echo "contract check: schemathesis against http://127.0.0.1:$port ($EXAMPLES examples per operation)" >&2
schemathesis run openapi/openapi.yaml --url "http://127.0.0.1:$port" \
    -H "Authorization: Bearer $key" --max-examples "$EXAMPLES" --no-color
echo "contract check: passed" >&2
