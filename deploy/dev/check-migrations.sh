#!/usr/bin/env bash
# Fails when a landed migration changed (DESIGN.md "One rule, one place"):
#   1. every migration listed in sql/landed.txt has exactly the listed SHA-256;
#   2. sql/landed.txt only ever grew: no line of any earlier committed version of it
#      was changed or removed (git history; in a checkout without it, step 1 alone).
# Run by deploy/local/test.sh, so CI runs it on every submission.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
LANDED=sql/landed.txt
status=0
checksum() { python3 -c 'import sys,hashlib; print(hashlib.sha256(open(sys.argv[1],"rb").read().decode().rstrip("\r\n").encode()).hexdigest())' "$1"; }
while read -r name sum; do
    case "$name" in ""|\#*) continue ;; esac
    if [ ! -f "sql/$name" ]; then
        echo "check-migrations: landed migration sql/$name is missing" >&2; status=1; continue
    fi
    actual=$(checksum "sql/$name")
    if [ "$actual" != "$sum" ]; then
        echo "check-migrations: landed migration sql/$name was edited (SHA-256 $actual, landed as $sum); restore it and add a new migration" >&2
        status=1
    fi
done <"$LANDED"
if git rev-parse --git-dir >/dev/null 2>&1; then
    for commit in $(git log --format=%H -- "$LANDED"); do
        while read -r line; do
            case "$line" in ""|\#*) continue ;; esac
            if ! grep -qxF "$line" "$LANDED"; then
                echo "check-migrations: $LANDED lost or changed the line \"$line\" (present at ${commit:0:7}); landed migrations are never edited" >&2
                status=1
            fi
        done < <(git show "$commit:$LANDED" 2>/dev/null || true)
    done
fi
[ "$status" -eq 0 ] && echo "check-migrations: $(grep -c '^[0-9]' "$LANDED") landed migrations unchanged" >&2
exit "$status"
