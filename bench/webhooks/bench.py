"""Webhook delivery benchmark: throughput with N workers, and commit-to-delivery lag.

    .venv/bin/python bench/webhooks/bench.py [--database postgresql|sqlite]
        [--events 20000] [--merchants 200] [--workers 2] [--lag-events 300]
        [--lag-interval 0.05] [--concurrency 128] [--endpoint-concurrency 16]

Sets everything up itself on loopback: a fresh database (PostgreSQL: a new database on
BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432, dropped afterwards; SQLite:
a temporary file), `--merchants` merchants each with one webhook endpoint pointing at
bench/webhooks/receiver.py (a fast receiver in its own process), and `--workers`
`homerun worker` processes.

1. Throughput: `--events` outbox events (a transaction payload each, spread over the
   merchants) are committed while no worker runs; then the workers start. Deliveries
   per second = events / (last arrival - first arrival) at the receiver; also given
   from the workers' start (their start-up included).
2. Lag: with the workers idle, `--lag-events` events are committed one per transaction,
   `--lag-interval` seconds apart; lag = arrival at the receiver - the moment the
   commit returned (one machine, one wall clock). p50 / p90 / p99 / max.

Prints a markdown summary and writes JSON to bench/webhooks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from pydantic import SecretStr
from sqlalchemy import func, select

from homerun.config import Settings
from homerun.kit.db.engine import Database, create_engine
from homerun.kit.db.migrate import upgrade_to_head
from homerun.merchants import service as merchants
from homerun.merchants.schemas import MerchantCreate
from homerun.outbox import repository as outbox
from homerun.runtime import Runtime
from homerun.startup import open_runtime
from homerun.webhooks import service as webhooks
from homerun.webhooks.models import WebhookDelivery
from homerun.webhooks.schemas import EndpointCreate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HOMERUN = str(Path(sys.executable).parent / "homerun")
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")


def payload(n: int, mid: str) -> dict[str, Any]:
    """The size and shape of a real transaction.entered payload."""
    return {
        "trans_id": str(n),
        "mid": mid,
        "order_id": f"ORD-{n:08d}",
        "invoice_id": None,
        "trans_type": "sale",
        "state": "captured",
        "amount": "25.99",
        "fee_amount": "0.00",
        "currency": "USD",
        "result": "A",
        "resp_code": "00",
        "resp_text": "Approval",
        "card_brand": "VISA",
        "card_number": "**** **** **** 1111",
    }


class Receiver:
    def __init__(self) -> None:
        self.port_file = Path(tempfile.mkstemp(prefix="wh-bench-port-")[1])
        self.port_file.write_text("")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "receiver.py"), str(self.port_file)],
        )
        deadline = time.time() + 20
        while not self.port_file.read_text().strip():
            if time.time() > deadline:
                raise RuntimeError("the receiver did not start")
            time.sleep(0.05)
        self.port = int(self.port_file.read_text())
        self.url = f"http://127.0.0.1:{self.port}"

    async def stats(self) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"{self.url}/stats", timeout=30)
            data: dict[str, Any] = answer.json()
            return data

    async def count(self) -> int:
        async with httpx.AsyncClient() as http:
            answer = await http.get(f"{self.url}/count", timeout=30)
            return int(answer.json()["count"])

    async def reset(self) -> None:
        async with httpx.AsyncClient() as http:
            await http.get(f"{self.url}/reset", timeout=30)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.port_file.unlink(missing_ok=True)


async def make_database(kind: str) -> tuple[str, Any]:
    if kind == "postgresql":
        name = f"homerun_bench_wh_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()

        async def drop() -> None:
            admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()

        return f"{PG_SERVER}/{name}", drop
    folder = tempfile.mkdtemp(prefix="wh-bench-")

    async def remove() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    return f"sqlite:///{folder}/homerun.db", remove


def start_workers(args: argparse.Namespace, url: str) -> list[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMERUN_")}
    env.update(
        HOMERUN_DATABASE_URL=url,
        HOMERUN_ADMIN_TOKEN="bench",
        HOMERUN_LOG_LEVEL="warning",
        HOMERUN_WEBHOOK_CONCURRENCY=str(args.concurrency),
        HOMERUN_WEBHOOK_ENDPOINT_CONCURRENCY=str(args.endpoint_concurrency),
        HOMERUN_DATABASE_POOL_SIZE="5",
    )
    return [
        subprocess.Popen([HOMERUN, "worker", "--name", f"bench{n}"], env=env)
        for n in range(args.workers)
    ]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for proc in workers:
        proc.send_signal(signal.SIGTERM)
    for proc in workers:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


async def setup(runtime: Runtime, count: int, url: str) -> list[tuple[int, str]]:
    made = []
    async with runtime.db.transaction() as session:
        for n in range(count):
            merchant = await merchants.create(session, runtime, MerchantCreate(name=f"Bench {n}"))
            await webhooks.create_endpoint(
                session, runtime, EndpointCreate(mid=merchant.mid, url=f"{url}/hook")
            )
            made.append((merchant.id, merchant.mid))
    return made


async def delivered(runtime: Runtime) -> int:
    async with runtime.db.transaction() as session:
        stmt = select(func.count(WebhookDelivery.id)).where(WebhookDelivery.state == "delivered")
        return int(await session.scalar(stmt) or 0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url, drop = await make_database(args.database)
    settings = Settings(database_url=url, admin_token=SecretStr("bench"))
    db = Database(create_engine(settings))
    await upgrade_to_head(db.engine)
    await db.dispose()
    runtime = await open_runtime(settings)
    receiver = Receiver()
    workers: list[subprocess.Popen[bytes]] = []
    result: dict[str, Any] = {
        "database": args.database,
        "workers": args.workers,
        "events": args.events,
        "merchants": args.merchants,
        "webhook_concurrency": args.concurrency,
        "webhook_endpoint_concurrency": args.endpoint_concurrency,
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        owners = await setup(runtime, args.merchants, receiver.url)
        # 1. Throughput: a committed backlog, then the workers.
        now = runtime.clock.now()
        for start in range(0, args.events, 1000):
            async with runtime.db.transaction() as session:
                for n in range(start, min(start + 1000, args.events)):
                    merchant_id, mid = owners[n % len(owners)]
                    outbox.record(
                        session,
                        merchant_id=merchant_id,
                        event_type="transaction.entered",
                        source_id=str(n + 1),
                        payload=payload(n + 1, mid),
                        at=now,
                    )
        began = time.time()
        workers = start_workers(args, url)
        deadline = began + args.timeout
        while (arrived := await receiver.count()) < args.events:
            if time.time() > deadline:
                raise RuntimeError(f"only {arrived} of {args.events} arrived")
            await asyncio.sleep(0.25)
        stats = await receiver.stats()
        worker_cpu = sum(cpu_seconds(proc.pid) for proc in workers)
        receiver_cpu = cpu_seconds(receiver.proc.pid)
        span = stats["last"] - stats["first"]
        result["throughput"] = {
            "arrived": stats["count"],
            "distinct": len(stats["arrivals"]),
            "seconds_first_to_last": round(span, 3),
            "deliveries_per_second": round(stats["count"] / span, 1),
            "seconds_from_worker_start": round(stats["last"] - began, 3),
            "per_second_from_worker_start": round(stats["count"] / (stats["last"] - began), 1),
            "worker_cpu_seconds": round(worker_cpu, 2),
            "worker_cpu_ms_per_delivery": round(worker_cpu * 1000 / stats["count"], 3),
            "receiver_cpu_seconds": round(receiver_cpu, 2),
        }
        for _ in range(40):
            if await delivered(runtime) == args.events:
                break
            await asyncio.sleep(0.25)
        result["throughput"]["recorded_delivered"] = await delivered(runtime)

        # 2. Lag: idle workers, one event per transaction.
        await receiver.reset()
        await asyncio.sleep(2)
        committed: dict[str, float] = {}
        merchant_id, mid = owners[0]
        for n in range(args.lag_events):
            source = str(10_000_000 + n)
            async with runtime.db.transaction() as session:
                outbox.record(
                    session,
                    merchant_id=owners[n % len(owners)][0],
                    event_type="transaction.entered",
                    source_id=source,
                    payload=payload(10_000_000 + n, mid),
                    at=runtime.clock.now(),
                )
            committed[f"{source}/1"] = time.time()
            await asyncio.sleep(args.lag_interval)
        deadline = time.time() + 60
        while (arrived := await receiver.count()) < args.lag_events:
            if time.time() > deadline:
                raise RuntimeError(f"lag: only {arrived} of {args.lag_events} arrived")
            await asyncio.sleep(0.25)
        stats = await receiver.stats()
        lags = [(stats["arrivals"][key] - at) * 1000 for key, at in committed.items()]
        result["lag_ms"] = {
            "events": len(lags),
            "p50": round(percentile(lags, 0.50), 1),
            "p90": round(percentile(lags, 0.90), 1),
            "p99": round(percentile(lags, 0.99), 1),
            "max": round(max(lags), 1),
            "mean": round(statistics.fmean(lags), 1),
        }
        result["load_after"] = os.getloadavg()
    finally:
        stop_workers(workers)
        receiver.stop()
        await runtime.db.dispose()
        await drop()
    return result


def report(result: dict[str, Any]) -> str:
    t, lag = result["throughput"], result["lag_ms"]
    return "\n".join(
        [
            f"## Webhooks, {result['database']}, {result['workers']} workers ({result['at']})",
            "",
            f"- machine: {result['cpus']} CPUs, load average before "
            f"{result['load_before'][0]:.2f}, after {result['load_after'][0]:.2f}",
            f"- throughput: {t['arrived']} deliveries ({result['merchants']} merchants) in "
            f"{t['seconds_first_to_last']} s: **{t['deliveries_per_second']}/s** "
            f"({t['per_second_from_worker_start']}/s counting worker start-up); workers used "
            f"{t['worker_cpu_seconds']} CPU s ({t['worker_cpu_ms_per_delivery']} ms a delivery, "
            "start-up included)",
            f"- lag, commit to arrival, idle workers ({lag['events']} events): "
            f"p50 {lag['p50']} ms, p90 {lag['p90']} ms, **p99 {lag['p99']} ms**, "
            f"max {lag['max']} ms",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--merchants", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--endpoint-concurrency", type=int, default=16)
    parser.add_argument("--lag-events", type=int, default=300)
    parser.add_argument("--lag-interval", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"{stamp}-{args.database}-{args.workers}w.json").write_text(
        json.dumps(result, indent=2) + "\n"
    )
    print(report(result))


if __name__ == "__main__":
    main()
