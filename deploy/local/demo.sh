#!/usr/bin/env bash
# The demo: builds the binaries, starts the private cluster (unless DATABASE_URL is
# set), migrates as the migrate login, and runs `collections-admin demo` as the admin
# login, its worker days as the worker login. Rerunnable.
#
# With DATABASE_URL set, that URL is used for all three unless MIGRATE_DATABASE_URL
# and WORKER_DATABASE_URL name other logins (one URL for all needs a login that may
# take every role: a superuser, say).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

deploy/local/cluster.sh packages
if [ -z "${DATABASE_URL:-}" ]; then
    deploy/local/cluster.sh start >/dev/null
    DATABASE_URL=$(deploy/local/cluster.sh url admin)
    MIGRATE_DATABASE_URL=$(deploy/local/cluster.sh url migrate)
    WORKER_DATABASE_URL=$(deploy/local/cluster.sh url worker)
    echo "demo: using the private cluster (database collections; stop it with deploy/local/cluster.sh stop)" >&2
fi
export DATABASE_URL
swift build -c release --product collections-admin >&2
swift build -c release --product collections-worker >&2
swift build -c release --product collections-server >&2
BIN=$(swift build -c release --show-bin-path)
"$BIN/collections-admin" migrate --database-url "${MIGRATE_DATABASE_URL:-$DATABASE_URL}"
"$BIN/collections-admin" demo --worker-database-url "${WORKER_DATABASE_URL:-$DATABASE_URL}" "$@"
