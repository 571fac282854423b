"""Load shedding under overload: p99 of the admitted charges and the share refused.

One `homerun serve` process (1 worker) on loopback, a fresh database, the bench merchant
made with the CLI; then, per concurrency c, c keep-alive connections each sending its next
`POST /api/v1/charge` as soon as the previous answer arrives, for a warm-up and a measured
window. Admitted = 200 approved; shed = 503 (Retry-After); anything else is an error.

    .venv/bin/python bench/shedding/bench.py                       # SQLite, c=256 and 1024
    .venv/bin/python bench/shedding/bench.py --database postgresql
    .venv/bin/python bench/shedding/bench.py --max-in-flight 0     # admission control off

The load generator is a small asyncio HTTP/1.1 client in this process (uvloop), so that it
can time admitted and shed answers apart; on a 2-core machine it shares the CPU with the
server. Figures go to stdout and bench/results/shedding-<UTC time>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvloop

from homerun.config import Settings

ROOT = Path(__file__).resolve().parents[2]
HOMERUN = str(Path(sys.executable).parent / "homerun")
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
ADMIN_TOKEN = "hr_admin_bench_shedding"
DEFAULTS = Settings.model_construct()  # the defaults, whatever this shell's environment


@dataclass
class Cell:
    concurrency: int
    latencies: dict[int, list[float]] = field(default_factory=dict)  # by status
    errors: int = 0
    seconds: float = 0.0

    def record(self, status: int, latency: float) -> None:
        self.latencies.setdefault(status, []).append(latency)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rss_kib(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


def _retry_after(head: bytes) -> float:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"retry-after":
            return float(value)
    return 1.0


async def connection(
    host: str, port: int, request: bytes, cell: Cell, start: float, stop: float, backoff: bool
) -> None:
    """One keep-alive client: request, read the whole answer, again, until `stop`."""
    reader, writer = await asyncio.open_connection(host, port)
    loop = asyncio.get_running_loop()
    try:
        while loop.time() < stop:
            sent = loop.time()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            done = loop.time()
            if done >= start:  # the warm-up is not counted
                cell.record(status, done - sent)
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
            if status == 503 and backoff:
                await asyncio.sleep(_retry_after(head))  # as a well-behaved client does
    except (OSError, asyncio.IncompleteReadError):
        cell.errors += 1
    finally:
        writer.close()


async def run_cell(
    port: int, request: bytes, concurrency: int, warmup: float, duration: float, backoff: bool
) -> Cell:
    cell = Cell(concurrency)
    loop = asyncio.get_running_loop()
    start = loop.time() + warmup
    stop = start + duration
    await asyncio.gather(
        *(
            connection("127.0.0.1", port, request, cell, start, stop, backoff)
            for _ in range(concurrency)
        )
    )
    cell.seconds = duration
    return cell


def summary(cell: Cell) -> dict[str, Any]:
    admitted = cell.latencies.get(200, [])
    shed = cell.latencies.get(503, [])
    other = sum(len(v) for k, v in cell.latencies.items() if k not in (200, 503))
    total = len(admitted) + len(shed) + other
    return {
        "c": cell.concurrency,
        "answers": total,
        "admitted_per_s": round(len(admitted) / cell.seconds),
        "shed_per_s": round(len(shed) / cell.seconds),
        "shed_rate": round(len(shed) / total, 3) if total else None,
        "admitted_p50_ms": round(percentile(admitted, 0.50) * 1000, 1),
        "admitted_p99_ms": round(percentile(admitted, 0.99) * 1000, 1),
        "admitted_max_ms": round(max(admitted, default=float("nan")) * 1000, 1),
        "shed_p99_ms": round(percentile(shed, 0.99) * 1000, 1),
        "other_statuses": other,
        "connection_errors": cell.errors,
    }


async def make_database(kind: str, folder: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder}/bench.db"
    admin = await asyncpg.connect(f"{PG_URL}/postgres")
    await admin.execute("DROP DATABASE IF EXISTS homerun_bench_shed")
    await admin.execute("CREATE DATABASE homerun_bench_shed")
    await admin.close()
    return f"{PG_URL}/homerun_bench_shed"


async def drop_database(kind: str) -> None:
    if kind == "postgresql":
        admin = await asyncpg.connect(f"{PG_URL}/postgres")
        await admin.execute("DROP DATABASE IF EXISTS homerun_bench_shed WITH (FORCE)")
        await admin.close()


def start_server(args: argparse.Namespace, folder: str, url: str) -> tuple[Any, dict[str, Any]]:
    """The bench merchant (made with the CLI first), then `homerun serve` with 1 worker."""
    env = {
        **os.environ,
        "HOMERUN_DATABASE_URL": url,
        "HOMERUN_ADMIN_TOKEN": ADMIN_TOKEN,
        "HOMERUN_API_KEY_TTL_SECONDS": "31536000",
        "HOMERUN_LOG_LEVEL": "warning",
        "HOMERUN_MAX_IN_FLIGHT": str(args.max_in_flight),
        "HOMERUN_MAX_QUEUED": str(args.max_queued),
        "HOMERUN_QUEUE_DEADLINE_MS": str(args.queue_deadline_ms),
    }
    made = subprocess.run(
        [HOMERUN, "merchants", "create", "Bench Store"],
        env=env,
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    log = Path(folder) / "server.log"
    server = subprocess.Popen(
        [HOMERUN, "serve", "--port", str(args.port)],
        env=env,
        cwd=folder,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    merchant: dict[str, Any] = json.loads(made.stdout)
    return server, merchant


async def load(
    args: argparse.Namespace, server_pid: int, merchant: dict[str, Any]
) -> dict[str, Any]:
    port = args.port
    results: dict[str, Any] = {
        "database": args.database,
        "max_in_flight": args.max_in_flight,
        "max_queued": args.max_queued,
        "queue_deadline_ms": args.queue_deadline_ms,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "backoff": not args.no_backoff,
        "cells": [],
    }
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        for _ in range(300):
            try:
                if (await http.get("/homerun/v1/health")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
    body = json.dumps(
        {
            "mid": merchant["mid"],
            "amount": 1000,
            "account_token": "4111111111111111",
            "expiration": "12/30",
            "capture": "Y",
        }
    ).encode()
    request = (
        f"POST /api/v1/charge HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {merchant['api_key']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    results["rss_kib_before"] = rss_kib(server_pid)
    for concurrency in args.concurrency:
        cell = await run_cell(
            port, request, concurrency, args.warmup, args.duration, not args.no_backoff
        )
        figures = summary(cell)
        figures["rss_kib_after"] = rss_kib(server_pid)
        results["cells"].append(figures)
        print(json.dumps(figures), flush=True)
        await asyncio.sleep(1)
    return results


def report(results: dict[str, Any]) -> str:
    lines = [
        f"{results['database']}, max_in_flight={results['max_in_flight']} "
        f"max_queued={results['max_queued']} queue_deadline_ms={results['queue_deadline_ms']}",
        "",
        "| c | admitted/s | shed/s | shed rate | admitted p50 | **admitted p99** | max | "
        "shed p99 | other | RSS after |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in results["cells"]:
        lines.append(
            f"| {c['c']} | {c['admitted_per_s']} | {c['shed_per_s']} | {c['shed_rate']} | "
            f"{c['admitted_p50_ms']} ms | **{c['admitted_p99_ms']} ms** | "
            f"{c['admitted_max_ms']} ms | {c['shed_p99_ms']} ms | "
            f"{c['other_statuses'] + c['connection_errors']} | "
            f"{c['rss_kib_after']['VmRSS'] // 1024} MiB |"
        )
    before = results["rss_kib_before"]["VmRSS"] // 1024
    lines.append(f"\nRSS before the load: {before} MiB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[256, 1024])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    # Unset: the server's defaults (homerun.config.Settings).
    parser.add_argument("--max-in-flight", type=int, default=DEFAULTS.max_in_flight)
    parser.add_argument("--max-queued", type=int, default=DEFAULTS.max_queued)
    parser.add_argument("--queue-deadline-ms", type=int, default=DEFAULTS.queue_deadline_ms)
    parser.add_argument("--port", type=int, default=18766)
    parser.add_argument(
        "--no-backoff",
        action="store_true",
        help="send again at once after a 503 instead of waiting its Retry-After",
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="homerun-bench-shed-")
    url = asyncio.run(make_database(args.database, folder))
    server, merchant = start_server(args, folder, url)
    try:
        results = uvloop.run(load(args, server.pid, merchant))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        asyncio.run(drop_database(args.database))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = out / f"shedding-{stamp}-{secrets.token_hex(2)}.json"
    path.write_text(json.dumps(results, indent=2))
    print(report(results))
    print(f"\n{path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
