"""Billing-plan throughput: N plans falling due at the same moment, charged by `homerun
worker` processes on PostgreSQL (or SQLite). See README.md.

    .venv/bin/python bench/billing/bench.py --plans 10000 --workers 2

It creates a fresh database, fills it through the service layer (merchants, one vaulted
card per plan, each plan one payment at the same moment T), starts the workers, moves the
sandbox clock to T and times until every scheduled payment is COMPLETED. Then it checks
that none was missed or doubled and prints a Markdown table and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from homerun.billing import service as billing
from homerun.billing.schemas import CreatePlanRequest
from homerun.config import Settings
from homerun.kit.db.engine import Database, create_engine
from homerun.kit.db.migrate import upgrade_to_head
from homerun.kit.ids import luhn_check_digit
from homerun.merchants import service as merchants
from homerun.merchants.schemas import MerchantCreate
from homerun.sandbox.service import move_clock_to
from homerun.startup import open_runtime
from homerun.vault import service as vault
from homerun.vault.schemas import CreateAccountRequest

ROOT = Path(__file__).resolve().parents[2]
HOMERUN = ROOT / ".venv" / "bin" / "homerun"
ADMIN_TOKEN = "hr_admin_bench_billing"  # a throwaway database's token


def card_number(n: int) -> str:
    """A distinct Luhn-valid Visa number per plan (the simulator approves unknown cards)."""
    partial = f"411111{n:09d}"
    return partial + luhn_check_digit(partial)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def create_database(args: argparse.Namespace) -> str:
    if args.database == "sqlite":
        path = Path(args.sqlite_dir) / f"bench-billing-{secrets.token_hex(3)}.db"
        return f"sqlite:///{path}"
    admin = await asyncpg.connect(f"{args.pg_url}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{args.pg_db}"')
    await admin.close()
    return f"{args.pg_url}/{args.pg_db}"


async def setup(url: str, args: argparse.Namespace) -> tuple[Any, datetime]:
    settings = Settings(
        database_url=url, billing_job_buckets=args.buckets, billing_batch_size=args.batch_size
    )
    db = Database(create_engine(settings))
    await upgrade_to_head(db.engine)
    await db.dispose()
    runtime = await open_runtime(settings)
    due = (runtime.clock.now() + timedelta(hours=1)).replace(microsecond=0)
    pattern = f"DTSTART:{due.strftime('%Y%m%dT%H%M%SZ')}\nRRULE:FREQ=DAILY;COUNT=1"
    started = time.monotonic()
    per_merchant = -(-args.plans // args.merchants)
    made = 0
    for m in range(args.merchants):
        async with runtime.db.transaction() as session:
            merchant = await merchants.create(
                session, runtime, MerchantCreate(name=f"Bench Store {m}")
            )
        for first in range(0, per_merchant, args.setup_batch):
            async with runtime.db.transaction() as session:
                for _ in range(first, min(first + args.setup_batch, per_merchant)):
                    if made >= args.plans:
                        break
                    stored = await vault.create(
                        session,
                        runtime,
                        merchant,
                        CreateAccountRequest.model_validate(
                            {
                                "mid": merchant.mid,
                                "name": f"Customer {made}",
                                "account_token": card_number(made),
                                "expiration": "12/30",
                            }
                        ),
                    )
                    await billing.create(
                        session,
                        runtime,
                        merchant,
                        CreatePlanRequest.model_validate(
                            {
                                "name": f"plan {made}",
                                "mid": merchant.mid,
                                "payment_account_uuid": stored.account.uuid,
                                "amount": "10.00",
                                "rrule_pattern": pattern,
                            }
                        ),
                    )
                    made += 1
    print(f"setup: {made} plans in {time.monotonic() - started:.1f} s", flush=True)
    return runtime, due


async def count(url: str, sql: str) -> int:
    if url.startswith("sqlite"):
        import sqlite3

        path = url.removeprefix("sqlite:///")

        def read() -> int:
            connection = sqlite3.connect(path, timeout=30)
            try:
                return int(connection.execute(sql).fetchone()[0] or 0)
            finally:
                connection.close()

        return await asyncio.to_thread(read)
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(sql) or 0)
    finally:
        await connection.close()


async def pg_backend_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL backends serving the bench database (by pid)."""
    if url.startswith("sqlite"):
        return 0.0
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    total = 0.0
    for row in rows:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += cpu_seconds(int(row["pid"]))
    return total


async def main(args: argparse.Namespace) -> dict[str, Any]:
    url = await create_database(args)
    runtime, due = await setup(url, args)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMERUN_")}
    env.update(
        HOMERUN_DATABASE_URL=url,
        HOMERUN_ADMIN_TOKEN=ADMIN_TOKEN,
        HOMERUN_BILLING_JOB_BUCKETS=str(args.buckets),
        HOMERUN_BILLING_BATCH_SIZE=str(args.batch_size),
        HOMERUN_WORKER_POLL_SECONDS="0.1",
        HOMERUN_LOG_LEVEL="warning",
    )
    workers = [
        await asyncio.create_subprocess_exec(
            str(HOMERUN),
            "worker",
            "--name",
            f"bench{n}",
            "--concurrency",
            str(args.concurrency),
            env=env,
        )
        for n in range(args.workers)
    ]
    await asyncio.sleep(args.warmup)  # imports, start hooks, first idle polls
    load_before = loadavg()
    cpu_before = [cpu_seconds(w.pid) for w in workers]
    db_before = await pg_backend_cpu(url)
    total = await count(url, "SELECT count(*) FROM scheduled_payments")
    await move_clock_to(runtime, due + timedelta(seconds=1))
    started = time.monotonic()
    done = 0
    timeline: list[tuple[float, int]] = []
    while time.monotonic() - started < args.timeout:
        done = await count(url, "SELECT count(*) FROM scheduled_payments WHERE status='COMPLETED'")
        timeline.append((round(time.monotonic() - started, 2), done))
        if done >= total:
            break
        await asyncio.sleep(0.2)
    elapsed = time.monotonic() - started
    cpu_after = [cpu_seconds(w.pid) for w in workers]
    db_after = await pg_backend_cpu(url)
    load_after = loadavg()
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        await worker.wait()
    checks = {
        name: await count(url, sql)
        for name, sql in (
            ("payments", "SELECT count(*) FROM scheduled_payments"),
            ("completed", "SELECT count(*) FROM scheduled_payments WHERE status='COMPLETED'"),
            ("attempts", "SELECT count(*) FROM billing_attempts"),
            (
                "payments_with_one_approval",
                "SELECT count(DISTINCT payment_id) FROM billing_attempts WHERE result='A'",
            ),
            ("charges", "SELECT count(*) FROM transactions WHERE kind='sale'"),
            ("captured_cents", "SELECT sum(amount_captured) FROM transactions"),
        )
    }
    await runtime.db.dispose()
    worker_cpu = sum(a - b for a, b in zip(cpu_after, cpu_before, strict=True))
    result = {
        "database": args.database,
        "plans": args.plans,
        "merchants": args.merchants,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "buckets": args.buckets,
        "batch_size": args.batch_size,
        "seconds": round(elapsed, 2),
        "payments_per_second": round(done / elapsed, 1) if elapsed else None,
        "worker_cpu_ms_per_payment": round(1000 * worker_cpu / max(done, 1), 2),
        "db_cpu_ms_per_payment": round(1000 * (db_after - db_before) / max(done, 1), 2),
        "missed": checks["payments"] - checks["completed"],
        "doubled": checks["charges"] - checks["payments_with_one_approval"],
        **checks,
        "load_before": load_before,
        "load_after": load_after,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "timeline": timeline[:: max(1, len(timeline) // 20)],
    }
    if args.database == "postgresql" and not args.keep:
        admin = await asyncpg.connect(f"{args.pg_url}/postgres")
        await admin.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        await admin.close()
    return result


def report(result: dict[str, Any]) -> None:
    print()
    print(
        "| database | plans | workers x loops | buckets | batch | seconds | payments/s "
        "| worker CPU ms/payment | db CPU ms/payment | missed | doubled | load before/after |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    r = result
    print(
        f"| {r['database']} | {r['plans']:,} | {r['workers']} x {r['concurrency']} "
        f"| {r['buckets']} | {r['batch_size']} | {r['seconds']} | {r['payments_per_second']} "
        f"| {r['worker_cpu_ms_per_payment']} | {r['db_cpu_ms_per_payment']} | {r['missed']} "
        f"| {r['doubled']} | {r['load_before']} / {r['load_after']} |"
    )
    print()
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--plans", type=int, default=10_000)
    parser.add_argument("--merchants", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2, help="job loops per worker")
    parser.add_argument("--buckets", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--setup-batch", type=int, default=250)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="homerun_bench_billing")
    parser.add_argument("--sqlite-dir", default="/tmp")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    report(asyncio.run(main(parser.parse_args())))
