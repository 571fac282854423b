#!/usr/bin/env bash
# Peak memory and time of `homerun verify` on PostgreSQL as the books grow to millions of
# transactions: seed by set-based SQL (bench/verify/seed.sql: rows that keep every invariant,
# so verify does all its work and finds nothing), verify, seed more, verify...
#
#   bench/verify/scale.sh                                   # 100k, 1M, 3M, 10M transactions
#   SIZES="100000 1000000" bench/verify/scale.sh            # other totals (multiples of 100)
#   BENCH_DB=verify_scale bench/verify/scale.sh             # the database to (re)create
#
# The database is dropped and made again first. Each line: the total, how long the seeding
# up to it took, then verify's peak RSS, wall time and exit status (0: the books verified).
set -euo pipefail
cd "$(dirname "$0")/../.."
SERVER=${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}
NAME=${BENCH_DB:-verify_scale}
SIZES=${SIZES:-"100000 1000000 3000000 10000000"}
CHUNK=2500 # groups of 100 per seeding transaction: 250,000 rows
export HOMERUN_DATABASE_URL="$SERVER/$NAME"
psql "$SERVER/postgres" -q -c "DROP DATABASE IF EXISTS $NAME WITH (FORCE)" -c "CREATE DATABASE $NAME"
.venv/bin/homerun migrate > /dev/null
measured=$(mktemp)
trap 'rm -f "$measured"' EXIT
groups=0
for size in $SIZES; do
    started=$(date +%s)
    while ((groups < size / 100)); do
        n=$((size / 100 - groups < CHUNK ? size / 100 - groups : CHUNK))
        psql "$HOMERUN_DATABASE_URL" -q -v ON_ERROR_STOP=1 -v first=$groups -v groups=$n \
            -f bench/verify/seed.sql > /dev/null
        groups=$((groups + n))
    done
    psql "$HOMERUN_DATABASE_URL" -q -c "VACUUM (ANALYZE) transactions, batches, deposits, ledger_entries"
    seeded=$(($(date +%s) - started))
    status=0
    /usr/bin/time -f "%M %e" -o "$measured" .venv/bin/homerun verify --examples 3 > /dev/null || status=$?
    read -r kib seconds < <(tail -n 1 "$measured")
    printf '%10d transactions (seeded in %5d s, load %s): verify peak RSS %6.1f MiB, %7.1f s, exit %d\n' \
        "$size" "$seeded" "$(cut -d' ' -f1 /proc/loadavg)" "$(echo "$kib / 1024" | bc -l)" \
        "$seconds" "$status"
done
