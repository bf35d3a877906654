#!/usr/bin/env bash
# Screenshots of the dashboard (README "Dashboard"), saved as PNG under docs/screenshots/:
# every page of the demo tenants, rendered by headless Chromium (Debian's `chromium`).
# Not part of CI. It starts the private cluster, migrates, builds the demo tenants
# (SKIP_DEMO=1 reuses them; CLIENTS, default 300, sizes each generated book), starts
# collections-server on its own login, signs in with fresh API keys through the sign-in
# form (curl; the key goes in the POST body only) and hands Chromium the session cookie
# through a small loopback proxy that adds it to each request (Chromium takes no cookie
# on its command line and cannot post a form headless).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT="$ROOT/docs/screenshots"
mkdir -p "$OUT"
command -v chromium >/dev/null || apt-get install -y chromium >&2

deploy/local/cluster.sh start >/dev/null
ADMIN=$(deploy/local/cluster.sh url admin)
swift build --product collections-admin >&2
swift build --product collections-server >&2
BIN=$(swift build --show-bin-path)
"$BIN/collections-admin" migrate --database-url "$(deploy/local/cluster.sh url migrate)" >&2
if [ "${SKIP_DEMO:-0}" != 1 ]; then
    "$BIN/collections-admin" demo --database-url "$ADMIN" --clients "${CLIENTS:-300}" --days 90 \
        --worker-database-url "$(deploy/local/cluster.sh url worker)" >&2
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
WORK=$(mktemp -d)
"$BIN/collections-server" serve --database-url "$(deploy/local/cluster.sh url server)" --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
PROXY=""
cleanup() { kill "$SERVER" 2>/dev/null || true; [ -n "$PROXY" ] && kill "$PROXY" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# A session cookie for a key, through the sign-in form.
session() {
    local jar="$WORK/jar-$RANDOM" token
    token=$(curl -fs -c "$jar" "http://127.0.0.1:$PORT/dashboard/login" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -1)
    curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf_token=$token" --data-urlencode "api_key@-" \
        "http://127.0.0.1:$PORT/dashboard/login" <<<"$1"
    awk '$6 == "dashboard_session" { print $7 }' "$jar"
}

# The proxy: forwards to the server, adding the cookie of the moment (read from a file per request).
cat >"$WORK/proxy.py" <<'PY'
import http.server, sys, urllib.request
upstream, cookie_file = sys.argv[2], sys.argv[3]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        request = urllib.request.Request(upstream + self.path, headers={"Cookie": "dashboard_session=" + open(cookie_file).read().strip()})
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args): return None
        try:
            response = urllib.request.build_opener(NoRedirect).open(request)
            status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        self.send_response(status)
        for name in ("Content-Type", "Location"):
            if headers.get(name): self.send_header(name, headers[name])
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
PROXY_PORT=$(free_port)
python3 "$WORK/proxy.py" "$PROXY_PORT" "http://127.0.0.1:$PORT" "$WORK/cookie" &
PROXY=$!
sleep 0.5

shot() {  # name path [height]
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,"${3:-1400}" \
        --screenshot="$OUT/$1.png" "http://127.0.0.1:$PROXY_PORT$2" >/dev/null 2>&1
    echo "screenshots: $OUT/$1.png ($2)" >&2
}

for slug in demo-lonestar-title demo-northern-cash demo-ibm; do
    key=$("$BIN/collections-admin" api-key create "$slug" --label screenshots --database-url "$ADMIN" | grep '^ck_' | tail -1)
    session "$key" >"$WORK/cookie"
    client=$(curl -fs -b "dashboard_session=$(cat "$WORK/cookie")" "http://127.0.0.1:$PORT/dashboard/worklist" \
        | grep -o '/dashboard/clients/[0-9a-f-]*' | head -1 || true)
    shot "$slug-overview" /dashboard 2000
    shot "$slug-worklist" /dashboard/worklist 1400
    [ -n "$client" ] && shot "$slug-client" "$client" 2200
    shot "$slug-dunning" /dashboard/dunning 1400
done

# An agency's view: only the accounts placed with it.
key=$("$BIN/collections-admin" agency key demo-lonestar-title "Summit Recovery Partners" --label screenshots --database-url "$ADMIN" \
    | grep '^ck_' | tail -1)
session "$key" >"$WORK/cookie"
shot demo-lonestar-title-agency-accounts /dashboard/worklist 1000
curl -fs -o /dev/null "http://127.0.0.1:$PORT/dashboard/login" && : >"$WORK/cookie"
shot sign-in /dashboard/login 600
