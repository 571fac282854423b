#!/usr/bin/env bash
# Dashboard benchmark (see README.md beside this file): a million payments of one merchant,
# the payments list and a payment's page timed through a running server, and the memory of
# a CSV export of all of them.
#
#   bench/dashboard/run.sh                 # PostgreSQL at $PG
#   SEED=0 bench/dashboard/run.sh          # reuse the database of an earlier run
#   EXPORT=0 bench/dashboard/run.sh        # the pages only, without the CSV export
#   DB=sqlite bench/dashboard/run.sh       # SQLite, in $OUT/bench.db
set -euo pipefail
cd "$(dirname "$0")/../.."

PG=${PG:-postgresql://postgres@127.0.0.1:5432}
DB=${DB:-postgresql}
SIZE=${SIZE:-1000000}
PORT=${PORT:-8312}
RUNS=${RUNS:-200}
SEED=${SEED:-1}
EXPORT=${EXPORT:-1}  # 0: time the pages only, no million-row CSV download
OUT=${OUT:-/tmp/homerun-bench-dashboard}
HOMERUN=${HOMERUN:-.venv/bin/homerun}
PYTHON=${PYTHON:-.venv/bin/python}
mkdir -p "$OUT"

if [ "$DB" = sqlite ]; then
  export HOMERUN_DATABASE_URL="sqlite:///$OUT/bench.db"
  sql() { sqlite3 "$OUT/bench.db" "$1"; }
  micros="CAST((julianday(created_at) - 2440587.5) * 86400000000 AS INTEGER)"
else
  export HOMERUN_DATABASE_URL="$PG/homerun_bench_dashboard"
  sql() { psql "$HOMERUN_DATABASE_URL" -qtAc "$1"; }
  micros="(extract(epoch from created_at) * 1000000)::bigint"
fi

server=""
stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap stop_server EXIT

if [ "$SEED" = 1 ]; then
  if [ "$DB" = sqlite ]; then
    rm -f "$OUT"/bench.db*
  else
    psql "$PG/postgres" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS homerun_bench_dashboard WITH (FORCE)"
    psql "$PG/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE homerun_bench_dashboard"
  fi
  echo "load before seeding: $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s)
  # One merchant holds every payment: its list is the whole million.
  "$HOMERUN" seed --transactions "$SIZE" --merchants 1 --days 365 >"$OUT/seed.log" 2>&1
  echo "seeded in $(($(date +%s) - start)) s: $(grep -m1 'transactions (' "$OUT/seed.log")"
fi
"$HOMERUN" migrate >/dev/null
mid=$(sql "SELECT mid FROM merchants ORDER BY id LIMIT 1")
merchant=$(sql "SELECT id FROM merchants WHERE mid = '$mid'")
echo "merchant $mid: $(sql "SELECT count(*) FROM transactions WHERE merchant_id = $merchant") transactions"
# The list's cursor ~900,000 rows in, and payments to open: charged back, refunded, plain.
deep=$(sql "SELECT $micros || '-' || id FROM transactions WHERE merchant_id = $merchant
            ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 900000")
payments=$( {
  sql "SELECT transaction_id FROM chargebacks WHERE merchant_id = $merchant ORDER BY id LIMIT 20"
  sql "SELECT parent_id FROM transactions WHERE merchant_id = $merchant AND parent_id IS NOT NULL ORDER BY id LIMIT 20"
  sql "SELECT id FROM transactions WHERE merchant_id = $merchant ORDER BY id DESC LIMIT 20"
} | paste -sd, -)
email="bench-$(date +%s)@example.com"
invitation=$("$HOMERUN" users create "$email" --role owner --mid "$mid" | awk '/invitation/ {print $2}')

HOMERUN_LOG_LEVEL=warning "$HOMERUN" serve --port "$PORT" --workers 1 >"$OUT/serve.log" 2>&1 &
server=$!
for _ in $(seq 90); do
  curl -fs "http://127.0.0.1:$PORT/homerun/v1/health" >/dev/null && break
  sleep 1
done
echo "load before timing: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" bench/dashboard/latency.py --base-url "http://127.0.0.1:$PORT" \
  --invitation "$invitation" --deep-cursor "$deep" --payments "$payments" \
  --server-pid "$server" --runs "$RUNS" --label "$DB, $SIZE" \
  $([ "$EXPORT" = 1 ] || echo --no-export) | tee "$OUT/latency-$DB.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
