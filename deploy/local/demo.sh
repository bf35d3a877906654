#!/usr/bin/env bash
# The demo: builds the binaries, starts the private cluster (unless DATABASE_URL is
# set), migrates, and runs `collections-admin demo`. Rerunnable.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

deploy/local/cluster.sh packages
if [ -z "${DATABASE_URL:-}" ]; then
    DATABASE_URL=$(deploy/local/cluster.sh start)
    echo "demo: using the private cluster at .pgdata/ (stop it with deploy/local/cluster.sh stop)" >&2
fi
export DATABASE_URL
swift build -c release --product collections-admin >&2
swift build -c release --product collections-worker >&2
BIN=$(swift build -c release --show-bin-path)
"$BIN/collections-admin" migrate
"$BIN/collections-admin" demo "$@"
