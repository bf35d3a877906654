#!/usr/bin/env bash
# The whole test suite against a real PostgreSQL 15.
# With DATABASE_URL set, tests use that server (the role needs CREATEDB and CREATEROLE,
# or superuser: each suite creates its own database; TenantNamingTests also needs the
# server to preload pg_stat_statements with pg_stat_statements.track = all). Without it, the private cluster
# of deploy/local/cluster.sh is started for the run and stopped at the end, also when
# tests fail.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

deploy/local/cluster.sh packages
# The real SMTP server the delivery tests start on loopback (aiosmtpd, PyPI), and the
# interpreter that has it, which the tests run directly.
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    echo "test: installing aiosmtpd" >&2
    python3 -m pip install --quiet 'aiosmtpd>=1.4,<2' >&2
fi
COLLECTIONS_PYTHON=$(python3 -c 'import sys; print(sys.executable)')
export COLLECTIONS_PYTHON
# A landed migration is never edited (sql/landed.txt).
deploy/dev/check-migrations.sh
# The Containerfile and the Kubernetes manifests, checked without an engine or a
# cluster (kubernetes-validate's bundled schemas, and a lint of the Containerfile).
deploy/local/deployment-check.sh
EXTERNAL_DATABASE=${DATABASE_URL:-}
if [ -z "${DATABASE_URL:-}" ]; then
    # pgbouncer (if started below) goes first: it holds connections to the cluster.
    trap 'deploy/pgbouncer/test-pooler.sh stop; deploy/local/cluster.sh stop' EXIT
    # Durability buys nothing in a throwaway test cluster. pg_stat_statements records
    # every statement, nested ones too, for TenantNamingTests (DESIGN.md "Scale-out").
    DATABASE_URL=$(PG_EXTRA_OPTS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c pg_stat_statements.max=100000" deploy/local/cluster.sh start)
fi
export DATABASE_URL
# Build first, so a compile error is reported as such and the tests' clock is honest.
swift build --build-tests --explicit-target-dependency-import-check error "$@"
# The Quick start from a checkout under a mode-700 folder (as root's home is).
deploy/local/first-run-check.sh "$(swift build --show-bin-path "$@")"
# The OpenAPI contract against a live collections-server (schemathesis), on the private
# cluster's logins; with a DATABASE_URL of your own there are no such logins to use.
if [ -z "${EXTERNAL_DATABASE:-}" ]; then
    deploy/local/contract-check.sh "$(swift build --show-bin-path "$@")"
else
    echo "contract check: skipped (DATABASE_URL given; it needs the private cluster's logins)" >&2
fi
# The HTTP and delivery suites in runs of their own: their load (50 concurrent posts,
# 10,000-invoice paging, the IBM sample over HTTP; 1,000 emails through a sender killed
# 10 times, SMTP servers and SMS stand-ins) would otherwise share the process and the
# server with suites that measure memory and wait on pools.
swift test --skip-build --skip HTTPTests --skip DeliveryTests "$@"
swift test --skip-build --filter DeliveryTests "$@"
swift test --skip-build --filter HTTPTests "$@"
# The HTTP API and worker suites again, through Debian's pgbouncer in transaction
# mode (deploy/pgbouncer/test-pooler.sh: a pool of 4 server connections per
# database and login, under the test server's pool of 8 taking 50 concurrent
# posts): every program login (server, worker, admin) connects through it,
# SET LOCAL role and tenant per transaction; the migrate login goes direct, as
# in production (its session advisory lock). pgbouncer 1.18 keeps no
# protocol-level prepared statements, so they are off (README "Deployment").
if [ -z "${EXTERNAL_DATABASE:-}" ]; then
    POOLER=$(deploy/pgbouncer/test-pooler.sh start)
    read -r POOLER_HOST POOLER_PORT <<<"$POOLER"
    for suite in HTTPTests WorkerTests; do
        COLLECTIONS_TEST_POOLER_HOST=$POOLER_HOST COLLECTIONS_TEST_POOLER_PORT=$POOLER_PORT DATABASE_PREPARE_THRESHOLD=off \
            swift test --skip-build --filter "$suite" "$@"
    done
    deploy/pgbouncer/test-pooler.sh stats
else
    echo "pgbouncer runs: skipped (DATABASE_URL given; they need the private cluster)" >&2
fi
