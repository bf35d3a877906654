#!/usr/bin/env bash
# The figures of deploy/citus/README.md ("Figures"), on the Citus cluster of
# deploy/citus/cluster.sh and on plain PostgreSQL (the private cluster of
# deploy/local/cluster.sh), each new and holding only what this script puts in:
#
#   deploy/citus/worker-figures.sh BIN [TENANTS]
#
# BIN is the folder of the built programs (swift build --show-bin-path). Each
# cluster is destroyed, started afresh and migrated; then TENANTS (default 100)
# tenants each get IBM's sample (../shared/data) through `import clients`,
# `import invoices` and `import payments`; then, timed: one tenant's worker over
# the sample's last 90 days, and the worker's day (the last one) for all tenants
# at once, with --jobs 2. It prints one line per figure. CI never runs it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:?usage: $0 BIN [TENANTS]}
TENANTS=${2:-100}
SAMPLE=$ROOT/../shared/data/ibm-accounts-receivable.csv
FILES=$(mktemp -d)
trap 'rm -rf "$FILES"' EXIT
LAST=2013-12-02   # the sample's last issue date (IBMSample.lastDay)
FIRST=2013-09-04  # 90 days ending on it

# The sample as the three import files (IBMSample.writeImportFiles' conversion).
python3 - "$SAMPLE" "$FILES" <<'PY'
import csv, datetime, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def day(text):
    m, d, y = text.split('/')
    return datetime.date(int(y), int(m), int(d)).isoformat()
countries = {r['customerID']: r['countryCode'] for r in rows}
with open(sys.argv[2] + '/clients.csv', 'w') as f:
    f.write('ref,name,payment_terms_days,currency\n')
    for c in sorted(countries): f.write(f'{c},Customer {c} (country {countries[c]}),30,USD\n')
with open(sys.argv[2] + '/invoices.csv', 'w') as f:
    f.write('client_ref,number,currency,amount,issued_on,due_on\n')
    for r in rows: f.write(f"{r['customerID']},{r['invoiceNumber']},USD,{r['InvoiceAmount']},{day(r['InvoiceDate'])},{day(r['DueDate'])}\n")
with open(sys.argv[2] + '/payments.csv', 'w') as f:
    f.write('client_ref,reference,currency,amount,received_on,invoice_number\n')
    for r in rows: f.write(f"{r['customerID']},PAY-{r['invoiceNumber']},USD,{r['InvoiceAmount']},{day(r['SettledDate'])},{r['invoiceNumber']}\n")
PY

seconds() { local start=$1; python3 -c "import time; print(f'{time.time() - $start:.2f}')"; }
now() { python3 -c 'import time; print(time.time())'; }

for target in local citus; do
    CLUSTER=$ROOT/deploy/$target/cluster.sh
    "$CLUSTER" destroy >/dev/null 2>&1 || true
    "$CLUSTER" start >/dev/null
    if [ "$target" = citus ]; then first=$("$CLUSTER" url); else first=$("$CLUSTER" url migrate); fi
    DATABASE_URL=$first "$BIN/collections-admin" migrate >/dev/null 2>&1
    admin=$("$CLUSTER" url admin)
    worker=$("$CLUSTER" url worker)
    start=$(now)
    for n in $(seq -w 1 "$TENANTS"); do
        DATABASE_URL=$admin "$BIN/collections-admin" tenant create "ibm-$n" --name "IBM sample $n" --currency USD \
            --timezone America/New_York >/dev/null
        for kind in clients invoices payments; do
            DATABASE_URL=$admin "$BIN/collections-admin" import "$kind" "ibm-$n" "$FILES/$kind.csv" >/dev/null
        done
    done
    echo "$target: $TENANTS tenants imported (100 clients, 2,466 invoices, 2,466 payments each) in $(seconds "$start") s"
    start=$(now)
    DATABASE_URL=$worker "$BIN/collections-worker" run --from $FIRST --to $LAST --tenant "ibm-$(seq -w 1 "$TENANTS" | head -1)" >/dev/null 2>&1
    echo "$target: one tenant's worker over $FIRST..$LAST (90 days) in $(seconds "$start") s"
    start=$(now)
    DATABASE_URL=$worker "$BIN/collections-worker" run --as-of $LAST --jobs 2 >/dev/null 2>&1
    echo "$target: the worker's day $LAST for all $TENANTS tenants (--jobs 2) in $(seconds "$start") s"
    for report in kpis ageing; do
        DATABASE_URL=$admin "$BIN/collections-admin" report $report "ibm-$(seq -w 1 "$TENANTS" | tail -1)" --as-of $LAST \
            --format json >"$FILES/$target-$report.json"
    done
    "$CLUSTER" stop >/dev/null
done
for report in kpis ageing; do
    if cmp -s "$FILES/local-$report.json" "$FILES/citus-$report.json"; then
        echo "report $report --format json: identical on both"
    else
        echo "report $report --format json: DIFFERENT"; diff "$FILES/local-$report.json" "$FILES/citus-$report.json" | head -20
    fi
done
