#!/usr/bin/env bash
# The isolation attacks, by hand, against the Citus cluster of deploy/citus/cluster.sh
# after `migrate` (deploy/citus/README.md). Two tenants' rows are written as the
# superuser (single-row statements), then every attack runs as the server's
# production login, NOINHERIT, through `SET LOCAL ROLE` and `SET LOCAL app.tenant_id`
# as the service does. Each expectation is an ASSERT: the script stops at the first
# that fails and prints "isolation holds on Citus" only when all held. Never run by CI.
set -euo pipefail
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SU=$("$DIR/cluster.sh" url)
SERVER=$("$DIR/cluster.sh" url server)
A=aaaaaaaa-0000-4000-8000-000000000001
B=bbbbbbbb-0000-4000-8000-000000000002
X=cccccccc-0000-4000-8000-000000000003   # agency of A
q() { PGOPTIONS="-c client_min_messages=warning" psql "$1" -XqtA -v ON_ERROR_STOP=1 -c "$2"; }

q "$SU" "DELETE FROM tenants WHERE id IN ('$A', '$B')"
for t in "$A a" "$B b"; do
    read -r id s <<<"$t"
    q "$SU" "INSERT INTO tenants (id, slug, name, default_currency, time_zone) VALUES ('$id', 'iso-$s', 'Lender $s', 'USD', 'UTC')"
    q "$SU" "INSERT INTO clients (tenant_id, id, ref, name) VALUES ('$id', '$id', 'C-$s', 'Client of $s')"
    q "$SU" "INSERT INTO invoices (tenant_id, client_id, number, currency, amount_minor, issued_on, due_on) VALUES ('$id', '$id', 'INV-$s', 'USD', 10000, '2026-11-01', '2026-12-01')"
done
q "$SU" "INSERT INTO agencies (tenant_id, id, name, commission_bp) VALUES ('$A', '$X', 'Agency of a', 1500)"
q "$SU" "INSERT INTO clients (tenant_id, ref, name, placed_agency_id) VALUES ('$A', 'C-a-placed', 'Placed client of a', '$X')"

# as_tenant TENANT [agency] SQL: one transaction as the server login does it.
as_tenant() {
    local role=collections_app agency="" tenant=$1; shift
    if [ "$#" = 2 ]; then role=collections_agency; agency="SET LOCAL app.agency_id = '$1'"; shift; fi
    PGOPTIONS="-c client_min_messages=warning" psql "$SERVER" -XqtA -v ON_ERROR_STOP=1 \
        -c "BEGIN" -c "SET LOCAL ROLE $role" -c "SET LOCAL app.tenant_id = '$tenant'" ${agency:+-c "$agency"} -c "$1" -c "COMMIT"
}
check() { echo "check: $1"; }

check "A reads its own rows and none of B's"
as_tenant $A "DO \$\$ BEGIN
  ASSERT (SELECT count(*) FROM clients) = 2, 'A sees other than its 2 clients';
  ASSERT (SELECT count(*) FROM clients WHERE tenant_id = '$B') = 0, 'A reads B''s clients';
  ASSERT (SELECT count(*) FROM invoices i JOIN clients c ON c.tenant_id = i.tenant_id AND c.id = i.client_id) = 1, 'A joins to other than its invoice';
  ASSERT (SELECT count(*) FROM invoices WHERE tenant_id IN ('$A', '$B')) = 1, 'A reads B''s invoice across shards';
END \$\$"
check "A cannot change or delete B's rows"
as_tenant $A "DO \$\$ DECLARE n int; BEGIN
  UPDATE clients SET name = 'taken' WHERE tenant_id = '$B'; GET DIAGNOSTICS n = ROW_COUNT; ASSERT n = 0, 'A updated B''s client';
  DELETE FROM invoices WHERE tenant_id = '$B'; GET DIAGNOSTICS n = ROW_COUNT; ASSERT n = 0, 'A deleted B''s invoice';
  UPDATE invoices SET amount_minor = 1 WHERE true; GET DIAGNOSTICS n = ROW_COUNT; ASSERT n = 1, 'A''s unfiltered update reached other than its one invoice';
END \$\$"
check "A cannot write a row into B, nor move its row to B"
for sql in "INSERT INTO clients (tenant_id, ref, name) VALUES ('$B', 'C-planted', 'planted')" \
           "UPDATE clients SET tenant_id = '$B' WHERE tenant_id = '$A' AND ref = 'C-a'"; do
    if out=$(as_tenant $A "$sql" 2>&1); then echo "FAIL: A wrote into B: $sql"; exit 1; fi
    echo "  refused: ${out##*ERROR:  }" | head -1
done
check "B's rows are as written"
q "$SU" "DO \$\$ BEGIN
  ASSERT (SELECT name FROM clients WHERE tenant_id = '$B' AND ref = 'C-b') = 'Client of b', 'B''s client changed';
  ASSERT (SELECT amount_minor FROM invoices WHERE tenant_id = '$B') = 10000, 'B''s invoice changed';
  ASSERT (SELECT count(*) FROM clients WHERE tenant_id = '$B') = 1, 'a row was planted in B';
END \$\$"
check "no tenant set reads nothing"
PGOPTIONS="-c client_min_messages=warning" psql "$SERVER" -XqtA -v ON_ERROR_STOP=1 -c "BEGIN" -c "SET LOCAL ROLE collections_app" \
    -c "DO \$\$ BEGIN ASSERT (SELECT count(*) FROM clients) = 0, 'rows without a tenant'; END \$\$" -c COMMIT
check "a suspended tenant reads nothing"
q "$SU" "UPDATE tenants SET status = 'suspended', suspended_at = now() WHERE id = '$A'"
as_tenant $A "DO \$\$ BEGIN ASSERT (SELECT count(*) FROM clients) = 0, 'a suspended tenant reads its clients'; END \$\$"
q "$SU" "UPDATE tenants SET status = 'active', suspended_at = NULL WHERE id = '$A'"
check "an agency reads only the accounts placed with it"
as_tenant $A $X "DO \$\$ BEGIN
  ASSERT (SELECT count(*) FROM clients) = 1, 'the agency sees other than its placed client';
  ASSERT (SELECT ref FROM clients) = 'C-a-placed', 'the agency sees an unplaced client';
END \$\$"
check "an agency of A, set with tenant B, reads nothing of B"
[ "$(as_tenant $B $X "SELECT count(*) FROM clients")" = 0 ] || { echo "FAIL: the agency of A reads B"; exit 1; }
echo "isolation holds on Citus"
