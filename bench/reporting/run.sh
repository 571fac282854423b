#!/usr/bin/env bash
# Reporting and OAuth benchmark (see README.md beside this file).
#
# For each size in SIZES: a fresh PostgreSQL database, `homerun seed` into it, a server with
# WORKERS processes on PORT, the reporting latency run (latency.py), then wrk against the
# token endpoint and the cheapest protected endpoint. Everything lands in OUT.
#
#   bench/reporting/run.sh                       # 100k then 1M transactions
#   SIZES=1000000 RUNS=500 bench/reporting/run.sh
#   SEED=0 bench/reporting/run.sh                # reuse the databases of an earlier run
set -euo pipefail
cd "$(dirname "$0")/../.."

PG=${PG:-postgresql://postgres@127.0.0.1:5432}
SIZES=${SIZES:-"100000 1000000"}
MERCHANTS=${MERCHANTS:-200}
DAYS=${DAYS:-365}
PORT=${PORT:-8311}
WORKERS=${WORKERS:-2}
RUNS=${RUNS:-200}
SEED=${SEED:-1}
WRK_SECONDS=${WRK_SECONDS:-15}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
OUT=${OUT:-/tmp/homerun-bench-reporting}
HOMERUN=${HOMERUN:-.venv/bin/homerun}
PYTHON=${PYTHON:-.venv/bin/python}
ADMIN=bench-admin-token
mkdir -p "$OUT"

server=""
stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap stop_server EXIT

psql_admin() { psql "$PG/postgres" -v ON_ERROR_STOP=1 -qtAc "$1"; }

for size in $SIZES; do
  db="homerun_bench_$size"
  url="$PG/$db"
  echo "== $size transactions: $db =="
  if [ "$SEED" = 1 ]; then
    psql_admin "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    psql_admin "CREATE DATABASE $db"
    echo "load before seeding: $(cut -d' ' -f1-3 /proc/loadavg)"
    start=$(date +%s)
    HOMERUN_DATABASE_URL=$url "$HOMERUN" seed --transactions "$size" --merchants "$MERCHANTS" \
      --days "$DAYS" --client bench >"$OUT/seed-$size.log" 2>&1
    echo "seeded in $(($(date +%s) - start)) s: $(grep -m1 'transactions (' "$OUT/seed-$size.log")"
  fi
  psql "$url" -qc "ANALYZE" # fresh statistics, the bench's own clients included
  psql "$url" -qtAc "SELECT pg_size_pretty(pg_total_relation_size('transactions'))" \
    | sed 's/^/transactions table with indexes: /'

  HOMERUN_DATABASE_URL=$url HOMERUN_ADMIN_TOKEN=$ADMIN HOMERUN_LOG_LEVEL=warning \
    "$HOMERUN" serve --port "$PORT" --workers "$WORKERS" >"$OUT/serve-$size.log" 2>&1 &
  server=$!
  for _ in $(seq 60); do
    curl -fs "http://127.0.0.1:$PORT/homerun/v1/health" >/dev/null && break
    sleep 1
  done

  echo "load before latency: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$PYTHON" bench/reporting/latency.py --base-url "http://127.0.0.1:$PORT" \
    --admin-token "$ADMIN" --runs "$RUNS" --label "$size" | tee "$OUT/latency-$size.txt"

  # A reporting client bound to the largest merchant, for wrk.
  mid=$(curl -fs "http://127.0.0.1:$PORT/homerun/v1/merchants?limit=1" \
    -H "Authorization: Bearer $ADMIN" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["mid"])')
  made=$(curl -fs -X POST "http://127.0.0.1:$PORT/homerun/v1/oauth/clients" \
    -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d "{\"audience\":\"reporting\",\"name\":\"bench wrk\",\"mids\":[\"$mid\"]}")
  id=$(printf '%s' "$made" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
  secret=$(printf '%s' "$made" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
  BASIC=$(printf '%s:%s' "$id" "$secret" | base64 -w0)
  export BASIC
  TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/ords/sprint/oauth/token" \
    -H "Authorization: Basic $BASIC" -d grant_type=client_credentials \
    | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  export TOKEN
  for target in token protected; do
    echo "load before wrk $target: $(cut -d' ' -f1-3 /proc/loadavg)"
    wrk -t2 -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" --latency -s "bench/reporting/$target.lua" \
      "http://127.0.0.1:$PORT" | tee "$OUT/wrk-$target-$size.txt" \
      | grep -E "Requests/sec|Non-2xx|50%|99%|Socket errors" || true
  done
  BENCH_PATH="/ords/sprint/api/3p/v1/transactions?limit=0" wrk -t2 -c"$WRK_CONNECTIONS" \
    -d"${WRK_SECONDS}s" --latency -s bench/reporting/protected.lua "http://127.0.0.1:$PORT" \
    | tee "$OUT/wrk-limit0-$size.txt" | grep -E "Requests/sec|Non-2xx|50%|99%" || true
  stop_server
done
echo "results in $OUT"
