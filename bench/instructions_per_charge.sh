#!/usr/bin/env bash
# Instructions the server spends per charge: bench/instructions_per_charge.sh [sqlite|postgresql]
#
# Runs bench/server_calls.py under valgrind's callgrind twice, at the same time: once with
# no measured charges and once with BENCH_CHARGES of them, both after the same warm-up, and
# prints the difference divided by BENCH_CHARGES. Start-up, migrations and warm-up cancel
# out; what is left is the server's work per charge in this Python process (all its
# threads, aiosqlite's included; PostgreSQL's own work is in its server process and not
# counted). The count moves by well under 1 % between runs and not with the machine's load,
# so two versions of the code compare on a busy VM where requests/s or CPU ms do not.
#
# Knobs: BENCH_REF= (a git ref whose src/ is measured, exported to a temp dir) or
#   BENCH_PYTHONPATH= (a src/ to import homerun from); default: the working tree.
#   BENCH_CHARGES=150 BENCH_WARMUP=30 BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432
# Needs valgrind (Debian: apt-get install valgrind). Takes two to three minutes.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${1:-sqlite}"
CHARGES="${BENCH_CHARGES:-150}"
WARMUP="${BENCH_WARMUP:-30}"
PG_URL="${BENCH_PG_URL:-postgresql://postgres@127.0.0.1:5432}"
WORK="$(mktemp -d)"
DBS=()
cleanup() {
  for db in "${DBS[@]}"; do
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
if [ -n "${BENCH_REF:-}" ]; then
  git -C "$ROOT" archive "$BENCH_REF" src | tar -x -C "$WORK"
  export PYTHONPATH="$WORK/src"
elif [ -n "${BENCH_PYTHONPATH:-}" ]; then
  export PYTHONPATH="$BENCH_PYTHONPATH"
fi

database_url() {  # a fresh database for one run
  case "$TARGET" in
    sqlite) echo "sqlite+aiosqlite:///$WORK/$1.db" ;;
    postgresql | postgres | pg)
      local db="homerun_instructions_$1_$$"
      psql -q "$PG_URL/postgres" -c "CREATE DATABASE $db" >/dev/null
      DBS+=("$db")
      echo "postgresql+asyncpg://${PG_URL#postgresql://}/$db"
      ;;
    *) echo "usage: bench/instructions_per_charge.sh [sqlite|postgresql]" >&2; exit 2 ;;
  esac
}

counted() {  # counted <name> <charges>: the run's total instructions
  PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file="$WORK/$1.out" \
    "$ROOT/.venv/bin/python" "$ROOT/bench/server_calls.py" --database-url "$3" \
    --warmup "$WARMUP" --charges "$2" >"$WORK/$1.log" 2>&1
  grep -o 'Collected : [0-9]*' "$WORK/$1.log" | grep -o '[0-9]*$' >"$WORK/$1.total"
}

EMPTY_URL="$(database_url none)"
FULL_URL="$(database_url some)"
counted none 0 "$EMPTY_URL" &
counted some "$CHARGES" "$FULL_URL" &
wait
none="$(cat "$WORK/none.total")"
some="$(cat "$WORK/some.total")"
echo "{\"database\": \"$TARGET\", \"charges\": $CHARGES, \"warmup\": $WARMUP," \
  "\"instructions_per_charge\": $(((some - none) / CHARGES))," \
  "\"src\": \"${BENCH_REF:-${BENCH_PYTHONPATH:-working tree}}\"}"
