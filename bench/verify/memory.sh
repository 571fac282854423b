#!/usr/bin/env bash
# Peak memory of `homerun verify` as the database grows: seed, verify, seed more, verify...
# Flat figures mean verify streams (nothing it holds grows with the rows it reads).
#
#   bench/verify/memory.sh                  # a fresh SQLite file under /tmp
#   HOMERUN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/verify_bench \
#       bench/verify/memory.sh              # an existing, empty PostgreSQL database
#   STEPS="100000 400000 500000" bench/verify/memory.sh   # transactions added per step
#
# Seeded rows are reporting data written by COPY, without ledger lines: the ledger checks
# report violations on them. That is part of the test: every violation is counted, only a
# few are kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
HOMERUN=.venv/bin/homerun
if [[ -z "${HOMERUN_DATABASE_URL:-}" ]]; then
    export HOMERUN_DATABASE_URL="sqlite:////tmp/homerun-verify-bench-$$.db"
    trap 'rm -f /tmp/homerun-verify-bench-$$.db*' EXIT
fi
STEPS=${STEPS:-"10000 30000 80000"}
$HOMERUN migrate > /dev/null
measured=$(mktemp)
total=0
step=0
for add in $STEPS; do
    step=$((step + 1))
    $HOMERUN seed --transactions "$add" --merchants 50 --days 60 --seed "$step" > /dev/null
    total=$((total + add))
    status=0
    /usr/bin/time -f "%M %e" -o "$measured" $HOMERUN verify --examples 3 > /dev/null || status=$?
    read -r kib seconds < <(tail -n 1 "$measured")
    printf '%9d transactions seeded: peak RSS %6.1f MiB, %6.1f s, exit %d\n' \
        "$total" "$(echo "$kib / 1024" | bc -l)" "$seconds" "$status"
done
rm -f "$measured"
