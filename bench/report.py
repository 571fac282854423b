"""Turn what bench/run.sh collected into markdown.

python bench/report.py table OUT_DIR          the whole report (figures, memory, targets)
python bench/report.py best-workers OUT_DIR DB  the worker count with the most charges/s
python bench/report.py line < one.json        one wrk result as a log line
python bench/report.py profile RAW            a py-spy raw (collapsed) profile, summarized
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

Row = dict[str, Any]

# The targets.
PG_MIN_CHARGES_C64 = 1000.0
PG_MAX_P99_C8_MS = 25.0
MIN_SHARE_OF_HEALTH = 0.15
SQLITE_MIN_CHARGES = 300.0


def read_jsonl(path: Path) -> list[Row]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def cpu_per_request(row: Row, who: str) -> str:
    """CPU milliseconds the server processes (or database backends) spent per answer."""
    seconds = row.get(f"{who}_cpu_s")
    if seconds is None or not row["requests"] or (who == "db" and not seconds):
        return ""
    return f"{1000 * seconds / row['requests']:.2f}"


def describe(row: Row) -> str:
    meta = row["meta"]
    lat = row["latency_ms"]
    sock = sum(row["socket_errors"].values())
    text = (
        f"{meta.get('load', '?')} c={meta.get('concurrency', '?')}: {fmt(row['ok_per_s'])} ok/s"
        f" ({row['not_ok']} not ok, {sock} socket errors), p50 {fmt(lat['p50'], 2)} ms,"
        f" p99 {fmt(lat['p99'], 2)} ms"
    )
    if row.get("server_cpu_s") is not None:
        text += f"; server CPU {cpu_per_request(row, 'server')} ms/req"
        if row.get("db_cpu_s"):
            text += f", db CPU {cpu_per_request(row, 'db')} ms/req"
    if row["not_ok"]:
        text += f"; first not ok: {row['first_not_ok'][:120]}"
    return text


# ------------------------------------------------------------------ result lookups


class Results:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.run: Row = json.loads((out / "run.json").read_text())
        self.cells = read_jsonl(out / "results.jsonl")
        self.memory = read_jsonl(out / "memory.jsonl")

    def matrix(self, db: str) -> list[Row]:
        return [r for r in self.cells if r["meta"]["db"] == db and r["meta"]["case"] == "matrix"]

    def databases(self) -> list[str]:
        return list(dict.fromkeys(r["meta"]["db"] for r in self.cells))

    def cell(self, db: str, workers: int, load: str, c: int) -> Row | None:
        for r in self.matrix(db):
            m = r["meta"]
            if m["workers"] == workers and m["load"] == load and m["concurrency"] == c:
                return r
        return None

    def health(self, db: str, workers: int) -> Row | None:
        rows = [
            r
            for r in self.matrix(db)
            if r["meta"]["workers"] == workers and r["meta"]["load"] == "health"
        ]
        return rows[0] if rows else None

    def top_concurrency(self, db: str) -> int:
        return max(
            r["meta"]["concurrency"] for r in self.matrix(db) if r["meta"]["load"] == "charge"
        )

    def best_workers(self, db: str, c: int | None = None) -> int:
        c = c if c is not None else self.top_concurrency(db)
        rows = [
            r
            for r in self.matrix(db)
            if r["meta"]["load"] == "charge" and r["meta"]["concurrency"] == c
        ]
        if not rows:
            return 1
        # Most approved charges/s; on a tie the fewer workers.
        best = max(rows, key=lambda r: (r["ok_per_s"], -r["meta"]["workers"]))
        return int(best["meta"]["workers"])


# ------------------------------------------------------------------ the report


def throughput_table(res: Results) -> list[str]:
    lines = [
        "| database | workers | request | c | approved/s | not approved | p50 ms | p99 ms "
        "| % of health | server CPU ms/req | db CPU ms/req | load avg before |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for db in res.databases():
        for r in res.matrix(db):
            m = r["meta"]
            health = res.health(db, m["workers"])
            share = ""
            if m["load"] == "charge" and health and health["ok_per_s"]:
                share = f"{100 * r['ok_per_s'] / health['ok_per_s']:.1f} %"
            not_ok = r["not_ok"] + sum(r["socket_errors"].values())
            request = "POST charge" if m["load"] == "charge" else "GET health"
            lines.append(
                f"| {db} | {m['workers']} | {request} | {m['concurrency']} | "
                f"{fmt(r['ok_per_s'])} | {not_ok} | {fmt(r['latency_ms']['p50'], 2)} | "
                f"{fmt(r['latency_ms']['p99'], 2)} | {share} | {cpu_per_request(r, 'server')} | "
                f"{cpu_per_request(r, 'db')} | {m['loadavg'].split()[0]} |"
            )
    return lines


def memory_table(res: Results) -> list[str]:
    lines = [
        "| database | case | workers | process | VmHWM MiB (peak) | VmRSS MiB (end) |",
        "|---|---|---|---|---|---|",
    ]
    for m in res.memory:
        meta = m["meta"]
        case = meta["case"]
        if case.startswith("growth"):
            case += f" ({meta['rows']:,} rows before)"
        lines.append(
            f"| {meta['db']} | {case} | {meta['workers']} | {m['role']} (pid {m['pid']}) | "
            f"{m['vmhwm_kb'] / 1024:.1f} | {m['vmrss_kb'] / 1024:.1f} |"
        )
    return lines


def growth_table(res: Results) -> list[str]:
    rows = [r for r in res.cells if r["meta"]["case"].startswith("growth")]
    if not rows:
        return []
    lines = [
        "| database | workers | transactions at start | approved/s (c=8) | p50 ms | p99 ms "
        "| server CPU ms/req | db CPU ms/req | peak RSS per process, MiB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        m = r["meta"]
        rss = [
            f"{x['role']} {x['vmhwm_kb'] / 1024:.0f}"
            for x in res.memory
            if x["meta"]["db"] == m["db"] and x["meta"]["case"] == m["case"]
        ]
        lines.append(
            f"| {m['db']} | {m['workers']} | {m['rows']:,} | {fmt(r['ok_per_s'])} | "
            f"{fmt(r['latency_ms']['p50'], 2)} | {fmt(r['latency_ms']['p99'], 2)} | "
            f"{cpu_per_request(r, 'server')} | {cpu_per_request(r, 'db')} | {', '.join(rss)} |"
        )
    return lines


def verdict(figure: float, target: float, higher_is_better: bool) -> str:
    if (figure >= target) if higher_is_better else (figure < target):
        return "met"
    if higher_is_better:
        return f"missed by {100 * (1 - figure / target):.0f} % ({target / figure:.1f}x needed)"
    return f"missed: {100 * (figure / target - 1):.0f} % over ({figure / target:.1f}x too slow)"


def targets_table(res: Results) -> list[str]:
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    dbs = res.databases()
    if "postgresql" in dbs:
        if res.cell("postgresql", res.best_workers("postgresql", 64), "charge", 64):
            w = res.best_workers("postgresql", 64)
            r = res.cell("postgresql", w, "charge", 64)
            assert r is not None
            v = r["ok_per_s"]
            lines.append(
                f"| PostgreSQL ≥ {PG_MIN_CHARGES_C64:,.0f} approved charges/s at c=64 | "
                f"{fmt(v)} /s ({w} worker(s)) | {verdict(v, PG_MIN_CHARGES_C64, True)} |"
            )
        p99s = [
            (r["latency_ms"]["p99"], r["meta"]["workers"])
            for r in res.matrix("postgresql")
            if r["meta"]["load"] == "charge" and r["meta"]["concurrency"] == 8
        ]
        if p99s:
            p99, w = min(p99s)
            lines.append(
                f"| PostgreSQL p99 < {PG_MAX_P99_C8_MS:.0f} ms at c=8 | {fmt(p99, 2)} ms "
                f"({w} worker(s)) | {verdict(p99, PG_MAX_P99_C8_MS, False)} |"
            )
    for db in dbs:
        top = res.top_concurrency(db)
        w = res.best_workers(db, top)
        r = res.cell(db, w, "charge", top)
        h = res.health(db, w)
        if r and h and h["ok_per_s"]:
            share = r["ok_per_s"] / h["ok_per_s"]
            lines.append(
                f"| {db}: charges ≥ {100 * MIN_SHARE_OF_HEALTH:.0f} % of the health ceiling "
                f"(same run, c={top}) | {100 * share:.1f} % ({fmt(r['ok_per_s'])} of "
                f"{fmt(h['ok_per_s'])} /s, {w} worker(s)) | "
                f"{verdict(share, MIN_SHARE_OF_HEALTH, True)} |"
            )
    if "sqlite" in dbs:
        top = res.top_concurrency("sqlite")
        w = res.best_workers("sqlite", top)
        r = res.cell("sqlite", w, "charge", top)
        if r:
            v = r["ok_per_s"]
            lines.append(
                f"| SQLite ≥ {SQLITE_MIN_CHARGES:.0f} approved charges/s (c={top}) | {fmt(v)} /s "
                f"({w} worker(s)) | {verdict(v, SQLITE_MIN_CHARGES, True)} |"
            )
    return lines


def table(out: Path) -> str:
    res = Results(out)
    run = res.run
    parts = [
        f"## Homerun load benchmark, {run['date']}",
        "",
        f"`{run['command']}`; {run['host_cpus']} CPUs ({run['cpu']}), kernel {run['kernel']}, "
        f"Python {run['python']}, {run['wrk']} with {run['wrk_threads']} thread(s); "
        f"{run['warmup_s']} s warm-up + {run['duration_s']} s per cell; commit {run['commit']}"
        f" ({run['src_changes']} uncommitted change(s) under src/ at the time); homerun "
        f"imported from: {run['source']}; load average at start {run['loadavg_start']}.",
        "",
        "### Throughput and latency",
        "",
        'Charges count only answers with `"result":"A"`; p50/p99 are wrk\'s, over every '
        "answer. `% of health` is charge throughput over GET /homerun/v1/health at c=64 "
        "on the same server.",
        "",
        *throughput_table(res),
        "",
        "### Memory per server process (VmHWM = peak resident set)",
        "",
        *memory_table(res),
    ]
    growth = growth_table(res)
    if growth:
        parts += ["", "### Growth with data size (charges at c=8)", "", *growth]
    parts += ["", "### Targets", "", *targets_table(res)]
    for profile in sorted(out.glob("profile-*.md")):
        parts += ["", profile.read_text().rstrip()]
    not_ok = [r for r in res.cells if r["not_ok"] or sum(r["socket_errors"].values())]
    if not_ok:
        parts += ["", "### Non-approved answers or socket errors", ""]
        parts += [f"- {r['meta']['db']} w={r['meta']['workers']}: {describe(r)}" for r in not_ok]
    return "\n".join(parts) + "\n"


# ------------------------------------------------------------------ profile summary

# Self time goes to the innermost frame that belongs to one of these (first match wins).
CATEGORIES: list[tuple[str, re.Pattern[str]]] = [
    (
        "system calls (socket write/read, epoll)",
        re.compile(
            r"^(write|writev|send|sendto|sendmsg|read|recv|recvfrom|epoll_wait|__libc_\w+) \(libc"
        ),
    ),
    ("Python cyclic garbage collector", re.compile(r"^gc_collect|^collect \(libpython")),
    (
        "memory allocation (libc malloc/mmap)",
        re.compile(r"^(munmap|mmap|malloc|free|_int_\w+) \(libc"),
    ),
    ("asyncpg driver", re.compile(r"asyncpg/|\((protocol|pgproto|record)\.c:")),
    ("SQLite driver (aiosqlite, sqlite3)", re.compile(r"aiosqlite/|sqlite3/|libsqlite3|_sqlite3")),
    ("event loop (uvloop)", re.compile(r"uvloop/|\(loop\.c:")),
    (
        "SQLAlchemy ORM (session, unit of work, persistence, loading)",
        re.compile(r"sqlalchemy/orm/|sqlalchemy/ext/asyncio/session\.py"),
    ),
    (
        "SQLAlchemy Core (statements, compile cache, engine, pool, dialect)",
        re.compile(r"sqlalchemy/"),
    ),
    ("greenlet (SQLAlchemy async bridge)", re.compile(r"greenlet")),
    ("pydantic", re.compile(r"pydantic")),
    ("JSON (orjson, json)", re.compile(r"orjson|/json/|\(json/")),
    ("cryptography / hashing", re.compile(r"cryptography/|hmac\.py|hashlib")),
    ("FastAPI / Starlette", re.compile(r"fastapi/|starlette/")),
    ("uvicorn / httptools", re.compile(r"uvicorn/|httptools")),
    ("Homerun code", re.compile(r"homerun/")),
    ("asyncio", re.compile(r"asyncio/")),
]

HTTP_OP = "HTTP + ASGI outside the endpoint (uvicorn, Starlette, FastAPI, response write)"

# Operations: the innermost Homerun frame on the stack names what the sample was for.
OPERATIONS: list[tuple[str, re.Pattern[str]]] = [
    (
        "auth: api_key -> merchant lookup",
        re.compile(r"^(authenticate|live_api_key) \(homerun/auth/"),
    ),
    (
        "card: token / fingerprint lookups",
        re.compile(
            r"^(_resolve_card \(homerun/payments"
            r"|(resolve|tokenize|by_token|by_fingerprint) \(homerun/tokenizer)"
        ),
    ),
    (
        "INSERT transaction + outbox event (repository.insert_new)",
        re.compile(r"^(insert_new|add) \(homerun/payments/repository"),
    ),
    ("build the Transaction row", re.compile(r"^_new_transaction \(homerun/payments/charging")),
    ("simulator authorize", re.compile(r"homerun/processors/")),
    ("outbox event", re.compile(r"homerun/(payments/events|outbox/repository)")),
    (
        "charge service (rest: rules, answer fields)",
        re.compile(r"homerun/payments/(charging|card_source|outcomes)\.py"),
    ),
    ("answer body (answers.transaction)", re.compile(r"homerun/payments/answers\.py")),
    ("JSON response (orjson)", re.compile(r"^json_response \(homerun/kit/web")),
    ("request body: JSON parse + pydantic", re.compile(r"^read_json \(homerun/kit/web")),
    ("unit of work: begin / commit / close", re.compile(r"homerun/kit/db/(engine|writes)\.py")),
    ("request plumbing (calls.py, routes)", re.compile(r"homerun/(calls|payments/routes)\.py")),
    # Below BodySizeLimit and above the endpoint: the ASGI stack and the response write.
    (HTTP_OP, re.compile(r"homerun/app\.py")),
]

# Greenlet stacks start at the sync Session method SQLAlchemy runs in a greenlet; py-spy does not
# join them to the coroutine that awaited them.
GREENLET_ROOTS: list[tuple[str, re.Pattern[str]]] = [
    ("ORM flush in greenlet (INSERT/UPDATE statements)", re.compile(r"^Session\.flush")),
    (
        "commit in greenlet (final flush + COMMIT)",
        re.compile(r"^(TransactionalContext|Session\.commit|SessionTransaction\.commit)"),
    ),
    (
        "ORM query in greenlet (auth + card SELECTs)",
        re.compile(r"^Session\.(scalar|execute|scalars)"),
    ),
    ("session begin/close in greenlet", re.compile(r"^Session\.(begin|close|_autobegin)")),
]


def parse_raw(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def short(frame: str) -> str:
    frame = re.sub(r"/[^ ]*/site-packages/", "", frame)
    return re.sub(r"\(/[^ ]*/src/", "(", frame)


def categorize(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, pattern in CATEGORIES:
            if pattern.search(frame):
                return name
    return "interpreter / event loop (no library frame)"


def operation(frames: list[str]) -> str:
    python = [short(f) for f in frames if ".py:" in f]
    if any("_connection_worker_thread" in f for f in frames):
        return "SQLite connection threads (aiosqlite: sqlite3 running the SQL)"
    for frame in reversed(python):
        for name, pattern in OPERATIONS:
            if pattern.search(frame):
                return name
    if python and "sqlalchemy/" in python[0]:
        for name, pattern in GREENLET_ROOTS:
            if pattern.search(python[0]):
                return name
        return "other greenlet (SQLAlchemy sync)"
    if any("httptools_impl" in f or "starlette/" in f or "fastapi/" in f for f in python):
        return HTTP_OP
    return "event loop and interpreter (no request frame)"


# A sample whose innermost frames are one of these is a thread waiting, not using CPU
# (py-spy drops idle samples itself only when it does not sample native frames).
WAITS: list[tuple[str, re.Pattern[str]]] = [
    (
        "SQLite busy handler sleeping (write-lock contention: BEGIN IMMEDIATE)",
        re.compile(r"^(usleep|nanosleep|clock_nanosleep|sqlite3OsSleep|unixSleep) "),
    ),
    ("event loop waiting for I/O (epoll)", re.compile(r"^(epoll_wait|epoll_pwait|poll|select) ")),
    (
        "thread waiting on a lock or queue",
        re.compile(
            r"^(pthread_cond_timedwait|pthread_cond_wait|sem_wait|sem_timedwait|sem_clockwait"
            r"|do_futex_wait|futex_wait|__futex_abstimed_wait\w*|PyThread_acquire_lock_timed|"
            r"take_gil|PyCOND_TIMEDWAIT) "
        ),
    ),
]


def waiting(frames: list[str]) -> str | None:
    for frame in reversed(frames[-5:]):
        for name, pattern in WAITS:
            if pattern.search(frame):
                return name
    return None


def pct(n: int, total: int) -> str:
    return f"{100 * n / total:5.1f} %"


def profile(path: Path) -> str:
    stacks = parse_raw(path)
    samples = sum(n for _, n in stacks) or 1
    by_wait: Counter[str] = Counter()
    by_cat: Counter[str] = Counter()
    by_op: Counter[str] = Counter()
    by_self: Counter[str] = Counter()
    by_thread: Counter[str] = Counter()
    for frames, n in stacks:
        wait = waiting(frames)
        if wait:
            by_wait[wait] += n
            continue
        by_cat[categorize(frames)] += n
        by_op[operation(frames)] += n
        by_self[short(frames[-1])] += n
        thread = frames[0] if frames[0].startswith("thread ") else "thread"
        thread = re.sub(r"\(\d+\): ", "", thread).removeprefix("thread ")
        by_thread[re.sub(r"Thread-\d+ ", "Thread-N ", thread)] += n
    cpu = sum(by_cat.values()) or 1
    db = path.stem.removeprefix("profile-")
    lines = [
        f"### Profile: {db}, one worker (py-spy, {samples:,} samples, {path.name})",
        "",
        f"{cpu:,} samples were on CPU; shares below are of those. Waiting samples "
        "(native frames show them) are listed apart:",
        "",
        "| samples | waiting |",
        "|---|---|",
        *[f"| {n:,} | {name} |" for name, n in by_wait.most_common()],
        "",
        "On-CPU time by library (innermost frame that belongs to one):",
        "",
        "| share | where |",
        "|---|---|",
        *[f"| {pct(n, cpu)} | {name} |" for name, n in by_cat.most_common()],
        "",
        "On-CPU time by operation (innermost Homerun frame; SQLAlchemy work run inside a "
        "greenlet has its own stack, listed by the Session method it started in):",
        "",
        "| share | operation |",
        "|---|---|",
        *[f"| {pct(n, cpu)} | {name} |" for name, n in by_op.most_common()],
        "",
        "Top functions by on-CPU self time:",
        "",
        "| share | function |",
        "|---|---|",
        *[f"| {pct(n, cpu)} | `{name}` |" for name, n in by_self.most_common(15)],
    ]
    if len(by_thread) > 1:
        lines += [
            "",
            "On-CPU by thread: "
            + ", ".join(
                f"{name.strip()} {pct(n, cpu).strip()}" for name, n in by_thread.most_common(6)
            ),
        ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ entry point


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    command = argv[1]
    if command == "line":
        for line in sys.stdin:
            if line.strip():
                print("    " + describe(json.loads(line)))
        return 0
    if command == "best-workers":
        print(Results(Path(argv[2])).best_workers(argv[3]))
        return 0
    if command == "table":
        print(table(Path(argv[2])), end="")
        return 0
    if command == "profile":
        print(profile(Path(argv[2])), end="")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
