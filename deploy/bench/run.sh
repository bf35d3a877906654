#!/usr/bin/env bash
# Our Postgres layer against PostgreSQL's own clients, on one server, in one run:
# single-row INSERTs vs `pgbench -M prepared`, COPY vs `psql \copy`.
#
#   deploy/bench/run.sh                      # defaults: 4 clients, 10 s, 1,000,000 COPY rows, 3 runs
#   deploy/bench/run.sh --format json        # any collections-bench option passes through
#   DATABASE_URL=postgresql://... deploy/bench/run.sh
#
# With DATABASE_URL set, that server is measured (the role needs CREATEDB; superuser
# also allows a CHECKPOINT before each run). Without it, the private cluster of
# deploy/local/cluster.sh is used with its durable defaults (fsync on): started for
# the run and stopped at the end, unless it was already running, in which case it
# is left running. The report goes to stdout, progress to stderr. A missed target
# does not fail the script; an error does.
#
# On a shared machine, commit latency follows other processes' disk writes (fsync
# from 0.1 to 5 ms), and then the INSERT figures measure the disk, not the client.
# The client's own cost shows in the "client CPU per transaction" line, or with
# commits that do not wait for the disk (both sides get the option):
#   DATABASE_URL="$(deploy/local/cluster.sh url)&options=-c%20synchronous_commit%3Doff" deploy/bench/run.sh --only insert
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

deploy/local/cluster.sh packages

if [ -z "${DATABASE_URL:-}" ]; then
    # `start` reports "already running" on stderr when someone else started it (a
    # test run, a developer): then it is theirs to stop, not ours.
    start_log=$(mktemp)
    trap 'rm -f "$start_log"' EXIT
    if ! DATABASE_URL=$(deploy/local/cluster.sh start 2>"$start_log"); then
        cat "$start_log" >&2
        exit 1
    fi
    cat "$start_log" >&2
    if ! grep -q "already running" "$start_log"; then
        trap 'rm -f "$start_log"; deploy/local/cluster.sh stop' EXIT
    fi
    if grep -q "fsync=off" "$ROOT/.pgdata/data/postmaster.opts" 2>/dev/null; then
        echo "bench: warning: the running cluster has fsync off (started by a test run?); INSERT figures will not be durable ones" >&2
    fi
fi
export DATABASE_URL

swift build -c release --product collections-bench >&2
"$(swift build -c release --show-bin-path)/collections-bench" "$@"
