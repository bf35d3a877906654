#!/usr/bin/env bash
# The Quick start from a checkout the server's OS user cannot enter: copies this
# checkout's files into a fresh mode-700 folder (as root's home is), starts the
# private cluster from there, and, with binaries already built, migrates as the
# migrate login, creates a tenant and an API key as the admin login and runs the
# worker as the worker login. Then stops and removes it all. Run by
# deploy/local/test.sh before the test suite.
#
#   deploy/local/first-run-check.sh BIN_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:?usage: $0 BIN_DIR (swift build --show-bin-path)}

PARENT=$(mktemp -d /tmp/collections-first-run.XXXXXX)   # mode 700, like /root
CHECKOUT="$PARENT/collections"
cleanup() { "$CHECKOUT/deploy/local/cluster.sh" destroy 2>/dev/null || true; rm -rf "$PARENT"; }
trap cleanup EXIT

mkdir -p "$CHECKOUT"
# The working tree's tracked and new files (a file deleted but not yet committed is skipped).
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | xargs -0 cp --parents -t "$CHECKOUT")
chmod 700 "$PARENT"
if [ "$(id -u)" -eq 0 ] && runuser -u postgres -- test -x "$PARENT"; then
    echo "first-run check: postgres can enter $PARENT; the check would prove nothing" >&2; exit 1
fi

cd "$CHECKOUT"   # as a newcomer would, from inside the checkout
deploy/local/cluster.sh start >/dev/null
run() { echo "first-run check: $*" >&2; "$@"; }
run "$BIN/collections-admin" migrate --database-url "$(deploy/local/cluster.sh url migrate)" >/dev/null
admin=$(deploy/local/cluster.sh url admin)
run "$BIN/collections-admin" tenant create first-run --name "First run" --database-url "$admin" >/dev/null
run "$BIN/collections-admin" api-key create first-run --database-url "$admin" >/dev/null
run "$BIN/collections-worker" run --tenant first-run --as-of 2026-01-31 --database-url "$(deploy/local/cluster.sh url worker)" >/dev/null
deploy/local/cluster.sh stop
echo "first-run check: passed from $CHECKOUT (parent mode $(stat -c %a "$PARENT"))" >&2
