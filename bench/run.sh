#!/usr/bin/env bash
# Homerun load benchmark: bench/run.sh [sqlite|postgresql|all]
#
# Sets everything up itself (wrk, the venv, a fresh database, a bench merchant, the server),
# runs the matrix with bounded durations, stops the server, drops what it created and prints
# a markdown report (also written to $BENCH_OUT/report.md). Only loopback addresses are used.
#
# Per database, for each worker count in BENCH_WORKERS:
#   GET /homerun/v1/health at c=64 (the ceiling), then POST /api/v1/charge at each
#   concurrency in BENCH_CONCURRENCY; each cell is a BENCH_WARMUP s warm-up (not counted)
#   followed by a BENCH_DURATION s measurement; VmHWM/VmRSS of every server process after.
# Then (BENCH_GROWTH=1) with the best worker count: charges at c=8 on an emptied
# transactions table, then again after seeding BENCH_SEED_ROWS transactions (+ as many
# outbox events) with one streaming INSERT ... SELECT; a fresh server for each, RSS for each.
# Then (BENCH_PROFILE=1) py-spy on a 1-worker server under charge load at c=BENCH_PROFILE_C.
#
# Knobs (environment): BENCH_DURATION=10 BENCH_WARMUP=3 BENCH_WORKERS="1 2"
#   BENCH_CONCURRENCY="1 8 64" BENCH_GROWTH=1 BENCH_SEED_ROWS=1000000 BENCH_PROFILE=1
#   BENCH_PROFILE_SECONDS=20 BENCH_PROFILE_C=64 BENCH_WRK_THREADS=1 BENCH_PORT=18765
#   BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432 BENCH_PG_DB=homerun_bench
#   BENCH_OUT=bench/results/<UTC time>
#   BENCH_REF= (a git ref, e.g. HEAD: benchmark that commit's src/, exported to a temp dir,
#   instead of the working tree, which others may be editing)
#   BENCH_PYTHONPATH= (a src/ to import homerun from, e.g. a patched copy for an experiment)
#   Default for both: the working tree's src/ (the editable install in .venv).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/bench"
VENV="$ROOT/.venv"
TARGET="${1:-all}"
case "$TARGET" in
  sqlite) DATABASES=(sqlite) ;;
  postgresql | postgres | pg) DATABASES=(postgresql) ;;
  all) DATABASES=(sqlite postgresql) ;;
  *)
    echo "usage: bench/run.sh [sqlite|postgresql|all]" >&2
    exit 2
    ;;
esac

DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-3}"
read -r -a WORKERS_LIST <<<"${BENCH_WORKERS:-1 2}"
read -r -a CONCURRENCY <<<"${BENCH_CONCURRENCY:-1 8 64}"
GROWTH="${BENCH_GROWTH:-1}"
SEED_ROWS="${BENCH_SEED_ROWS:-1000000}"
PROFILE="${BENCH_PROFILE:-1}"
PROFILE_SECONDS="${BENCH_PROFILE_SECONDS:-20}"
PROFILE_C="${BENCH_PROFILE_C:-64}"
WRK_THREADS="${BENCH_WRK_THREADS:-1}"
HOST=127.0.0.1
PORT="${BENCH_PORT:-18765}"
BASE="http://$HOST:$PORT"
PG_URL="${BENCH_PG_URL:-postgresql://postgres@127.0.0.1:5432}"
PG_DB="${BENCH_PG_DB:-homerun_bench}"
OUT="${BENCH_OUT:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}"

SERVER_PID=""
WORK_DIR=""
PG_CREATED=0

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ------------------------------------------------------------------ checks and tools

pg_host_is_loopback() {
  local hostport="${PG_URL#*://}"
  hostport="${hostport#*@}"
  hostport="${hostport%%/*}"
  case "$hostport" in
    127.* | localhost | localhost:* | "[::1]" | "[::1]:"*) return 0 ;;
    *) return 1 ;;
  esac
}

ensure_tools() {
  if ! command -v wrk >/dev/null 2>&1; then
    log "installing wrk (Debian package)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq wrk >/dev/null
  fi
  "$ROOT/scripts/bootstrap" >/dev/null 2>&1 || "$ROOT/scripts/bootstrap"
  if [ "$PROFILE" = 1 ] && [ ! -x "$VENV/bin/py-spy" ]; then
    log "installing py-spy into .venv (measurement only; not a project dependency)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check py-spy ||
      { log "py-spy could not be installed: skipping the profile"; PROFILE=0; }
  fi
  command -v curl >/dev/null 2>&1 || { log "curl is required"; exit 1; }
  if [[ " ${DATABASES[*]} " == *" postgresql "* ]]; then
    pg_host_is_loopback || { log "BENCH_PG_URL must point at a loopback address"; exit 1; }
    command -v psql >/dev/null 2>&1 || { log "psql is required for PostgreSQL"; exit 1; }
  fi
}

# ------------------------------------------------------------------ the server

homerun_env() {
  # The environment every homerun command of this run gets.
  export HOMERUN_DATABASE_URL="$DB_URL"
  export HOMERUN_ADMIN_TOKEN="hr_admin_bench_$(printf '%s' "$OUT" | sha256sum | cut -c1-24)"
  export HOMERUN_API_KEY_TTL_SECONDS=31536000
  export HOMERUN_LOG_LEVEL=warning
  if [ -n "${BENCH_PYTHONPATH:-}" ]; then export PYTHONPATH="$BENCH_PYTHONPATH"; fi
}

server_pids() {
  # The server process and all its descendants (uvicorn workers, multiprocessing helpers).
  local queue=("$SERVER_PID") pid child
  while [ "${#queue[@]}" -gt 0 ]; do
    pid="${queue[0]}"
    queue=("${queue[@]:1}")
    [ -d "/proc/$pid" ] || continue
    echo "$pid"
    for child in $(pgrep -P "$pid" || true); do queue+=("$child"); done
  done
}

worker_pids() {
  local pid
  for pid in $(server_pids); do
    if [ "$pid" = "$SERVER_PID" ] && [ "$(pgrep -P "$SERVER_PID" -c || true)" = 0 ]; then
      echo "$pid" # one worker: the server process serves itself
    elif tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'spawn_main'; then
      echo "$pid"
    fi
  done
}

start_server() { # $1 workers, $2 tag
  local workers="$1" tag="$2" i
  if curl -fsS -o /dev/null "$BASE/homerun/v1/health" 2>/dev/null; then
    log "something already answers on $BASE: stop it or set BENCH_PORT"
    exit 1
  fi
  "$VENV/bin/homerun" serve --host "$HOST" --port "$PORT" --workers "$workers" \
    >"$OUT/server-$tag.log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 1 300); do
    if curl -fsS -o /dev/null "$BASE/homerun/v1/health" 2>/dev/null; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      log "the server died; see $OUT/server-$tag.log"
      tail -20 "$OUT/server-$tag.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  # Every worker must be up before the warm-up starts.
  for i in $(seq 1 100); do
    [ "$(worker_pids | wc -l)" -ge "$workers" ] && break
    sleep 0.2
  done
  sleep 1
  log "server up: $workers worker(s), pids $(server_pids | tr '\n' ' ')"
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  local pids i
  pids="$(server_pids | tr '\n' ' ')"
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  # Anything of ours still there (by pid, never by name).
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

record_memory() { # $1 meta JSON
  local meta="$1" pid role status
  for pid in $(server_pids); do
    status="/proc/$pid/status"
    [ -r "$status" ] || continue
    if [ "$pid" = "$SERVER_PID" ]; then
      if [ "$(pgrep -P "$SERVER_PID" -c || true)" = 0 ]; then role=server; else role=supervisor; fi
    elif tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q spawn_main; then
      role=worker
    elif tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q resource_tracker; then
      role=resource_tracker
    else
      role=other
    fi
    printf '{"meta":%s,"pid":%s,"role":"%s","vmhwm_kb":%s,"vmrss_kb":%s}\n' \
      "$meta" "$pid" "$role" \
      "$(awk '/^VmHWM/ {print $2}' "$status")" "$(awk '/^VmRSS/ {print $2}' "$status")" \
      >>"$OUT/memory.jsonl"
  done
}

# ------------------------------------------------------------------ CPU accounting

CLK_TCK="$(getconf CLK_TCK)"

db_backend_pids() {
  # PostgreSQL backends serving the bench database (matched by their process title).
  [ "${DB:-}" = postgresql ] || return 0
  pgrep -f "^postgres: .* $PG_DB " || true
}

cpu_snapshot() { # pid ticks (utime + stime) for each pid given
  local pid
  for pid in "$@"; do
    awk -v p="$pid" '{ print p, $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || true
  done
}

cpu_seconds_since() { # $1 snapshot taken before, $2 snapshot now: CPU seconds used in between
  awk -v hz="$CLK_TCK" 'NR == FNR { before[$1] = $2; next }
    { total += $2 - ($1 in before ? before[$1] : 0) } END { printf "%.3f", total / hz }' \
    <(printf '%s\n' "$1") <(printf '%s\n' "$2")
}

# ------------------------------------------------------------------ load

run_cell() { # $1 load (charge|health) $2 concurrency $3 meta JSON (without load/concurrency)
  local load="$1" c="$2" meta threads
  threads=$((WRK_THREADS < c ? WRK_THREADS : c))
  meta="${3%\}},\"load\":\"$load\",\"concurrency\":$c,\"loadavg\":\"$(loadavg)\"}"
  log "$load c=$c  (load average before: $(loadavg); $(uptime -p))"
  BENCH_META="$meta" wrk -t"$threads" -c"$c" -d"${WARMUP}s" --timeout 10s \
    -s "$BENCH/lua/$load.lua" "$BASE" >/dev/null
  local server_before db_before server_cpu db_cpu
  server_before="$(cpu_snapshot $(server_pids))"
  db_before="$(cpu_snapshot $(db_backend_pids))"
  BENCH_META="$meta" wrk -t"$threads" -c"$c" -d"${DURATION}s" --timeout 10s --latency \
    -s "$BENCH/lua/$load.lua" "$BASE" >"$OUT/wrk.last" 2>&1
  # CPU the server processes (and the PostgreSQL backends) used during the measurement:
  # per request it is far less sensitive to other load on the machine than requests/s.
  server_cpu="$(cpu_seconds_since "$server_before" "$(cpu_snapshot $(server_pids))")"
  db_cpu="$(cpu_seconds_since "$db_before" "$(cpu_snapshot $(db_backend_pids))")"
  cat "$OUT/wrk.last" >>"$OUT/wrk.log"
  grep '^BENCH_JSON ' "$OUT/wrk.last" | sed 's/^BENCH_JSON //' |
    sed "s/}\$/,\"server_cpu_s\":$server_cpu,\"db_cpu_s\":$db_cpu}/" |
    tee -a "$OUT/results.jsonl" | "$VENV/bin/python" "$BENCH/report.py" line >&2
}

# ------------------------------------------------------------------ databases

db_rows() {
  if [ "$DB" = sqlite ]; then
    "$VENV/bin/python" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
      "SELECT count(*) FROM transactions").fetchone()[0])' "$SQLITE_FILE"
  else
    psql "$PG_URL/$PG_DB" -qAt -c 'SELECT count(*) FROM transactions'
  fi
}

new_merchant() {
  # The bench merchant, made with the CLI against the same database before the server starts.
  local creds
  creds="$(cd "$WORK_DIR" && "$VENV/bin/homerun" merchants create "Bench Store")"
  printf '%s\n' "$creds" >>"$OUT/merchant-$DB.json"
  BENCH_MID="$(printf '%s' "$creds" | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["mid"])')"
  BENCH_API_KEY="$(printf '%s' "$creds" | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')"
  export BENCH_MID BENCH_API_KEY BENCH_LUA_DIR="$BENCH/lua"
}

db_create() {
  if [ "$DB" = sqlite ]; then
    SQLITE_FILE="$WORK_DIR/bench.db"
    rm -f "$SQLITE_FILE"*
    DB_URL="sqlite+aiosqlite:///$SQLITE_FILE"
  else
    psql "$PG_URL/postgres" -qAt -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null 2>&1
    PG_CREATED=1
    DB_URL="$PG_URL/$PG_DB"
  fi
}

db_drop() {
  if [ "$DB" = postgresql ] && [ "$PG_CREATED" = 1 ]; then
    psql "$PG_URL/postgres" -qAt -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 ||
      log "could not drop $PG_DB"
    PG_CREATED=0
  fi
}

cleanup() {
  stop_server
  if [ -n "${DB:-}" ]; then db_drop; fi
  if [ -n "$WORK_DIR" ]; then rm -rf "$WORK_DIR"; fi
  if [ -n "${EXPORT_DIR:-}" ]; then rm -rf "$EXPORT_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ one database

bench_database() {
  DB="$1"
  WORK_DIR="$(mktemp -d /tmp/homerun-bench.XXXXXX)"
  db_create
  homerun_env
  log "== $DB: $DB_URL"
  new_merchant

  local w c meta
  for w in "${WORKERS_LIST[@]}"; do
    meta="{\"db\":\"$DB\",\"workers\":$w,\"case\":\"matrix\"}"
    start_server "$w" "$DB-w$w"
    run_cell health 64 "$meta"
    for c in "${CONCURRENCY[@]}"; do run_cell charge "$c" "$meta"; done
    record_memory "$meta"
    stop_server
  done

  if [ "$GROWTH" = 1 ]; then
    w="$("$VENV/bin/python" "$BENCH/report.py" best-workers "$OUT" "$DB")"
    log "growth with data size, $w worker(s) (the best at c=64): a fresh database"
    db_drop
    db_create
    new_merchant
    meta="{\"db\":\"$DB\",\"workers\":$w,\"case\":\"growth-empty\",\"rows\":$(db_rows)}"
    start_server "$w" "$DB-empty"
    run_cell charge 8 "$meta"
    record_memory "$meta"
    stop_server
    log "seeding $SEED_ROWS transactions and outbox events (copies of the newest real ones)"
    if "$VENV/bin/python" "$BENCH/seed.py" "$DB_URL" "$SEED_ROWS" >>"$OUT/seed.log" 2>&1; then
      tail -1 "$OUT/seed.log" >&2
      meta="{\"db\":\"$DB\",\"workers\":$w,\"case\":\"growth-seeded\",\"rows\":$(db_rows)}"
      start_server "$w" "$DB-seeded"
      run_cell charge 8 "$meta"
      record_memory "$meta"
      stop_server
    else
      log "seeding failed (see $OUT/seed.log): skipping the seeded run"
    fi
  fi

  if [ "$PROFILE" = 1 ]; then
    log "profiling one worker under charge load at c=$PROFILE_C (${PROFILE_SECONDS} s, py-spy)"
    start_server 1 "$DB-profile"
    local pid wrk_pid
    pid="$(worker_pids | head -1)"
    local secs=$((PROFILE_SECONDS + 4))
    for format in raw flamegraph; do
      BENCH_META='{"case":"profile"}' wrk -t1 -c"$PROFILE_C" -d"${secs}s" --timeout 10s \
        -s "$BENCH/lua/charge.lua" "$BASE" >"$OUT/wrk-profile-$DB-$format.log" 2>&1 &
      wrk_pid=$!
      sleep 2
      local ext=txt
      [ "$format" = flamegraph ] && ext=svg
      # The raw pass also samples native frames (system calls, GC, C extensions) when it can.
      local extra=()
      [ "$format" = raw ] && extra=(--native --threads)
      "$VENV/bin/py-spy" record --pid "$pid" --duration "$PROFILE_SECONDS" --rate 100 \
        --format "$format" "${extra[@]}" -o "$OUT/profile-$DB.$ext" \
        >"$OUT/py-spy-$DB-$format.log" 2>&1 ||
        "$VENV/bin/py-spy" record --pid "$pid" --duration "$PROFILE_SECONDS" --rate 100 \
          --format "$format" -o "$OUT/profile-$DB.$ext" >>"$OUT/py-spy-$DB-$format.log" 2>&1 ||
        log "py-spy failed: see $OUT/py-spy-$DB-$format.log"
      wait "$wrk_pid" || true
    done
    stop_server
    if [ -s "$OUT/profile-$DB.txt" ]; then
      "$VENV/bin/python" "$BENCH/report.py" profile "$OUT/profile-$DB.txt" >"$OUT/profile-$DB.md"
    fi
  fi

  db_drop
  rm -rf "$WORK_DIR"
  WORK_DIR=""
  DB=""
}

# ------------------------------------------------------------------ main

mkdir -p "$OUT"
ensure_tools
SRC_DESC="working tree"
if [ -n "${BENCH_REF:-}" ]; then
  EXPORT_DIR="$(mktemp -d /tmp/homerun-bench-src.XXXXXX)"
  git -C "$ROOT" archive "$BENCH_REF" src | tar -x -C "$EXPORT_DIR"
  BENCH_PYTHONPATH="$EXPORT_DIR/src"
  SRC_DESC="$BENCH_REF = $(git -C "$ROOT" rev-parse --short "$BENCH_REF"), exported"
elif [ -n "${BENCH_PYTHONPATH:-}" ]; then
  SRC_DESC="PYTHONPATH=$BENCH_PYTHONPATH"
fi
{
  printf '{"date":"%s","host_cpus":%s,"cpu":"%s","kernel":"%s",' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(uname -r)"
  printf '"commit":"%s","src_changes":%s,"wrk":"%s","python":"%s",' \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$(git -C "$ROOT" status --porcelain -- src 2>/dev/null | wc -l)" \
    "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)" "$("$VENV/bin/python" -V | cut -d' ' -f2)"
  printf '"duration_s":%s,"warmup_s":%s,"wrk_threads":%s,"loadavg_start":"%s",' \
    "$DURATION" "$WARMUP" "$WRK_THREADS" "$(loadavg)"
  printf '"source":"%s","command":"bench/run.sh %s"}\n' "$SRC_DESC" "$TARGET"
} >"$OUT/run.json"
log "results in $OUT (load average now: $(loadavg))"
for database in "${DATABASES[@]}"; do bench_database "$database"; done
"$VENV/bin/python" "$BENCH/report.py" table "$OUT" | tee "$OUT/report.md"
