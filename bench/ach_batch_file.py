"""Time and peak memory of an ACH batch's NACHA file, end to end, by batch size.

    .venv/bin/python bench/ach_batch_file.py [--payments 10000 100000] [--accounts 1000]
        [--database-url URL]

For each size, in a fresh Python process and a fresh database (a SQLite file in a temporary
directory, or the empty PostgreSQL database --database-url names, whose tables are dropped
after each size): a merchant that takes ACH, --accounts bank accounts tokenized through the
tokenizer's service (each account number sealed), one ACH sale made through the Payments
API, then the payments copied from it in bulk (executemany of 10,000 rows at a time,
spread over the accounts, the four entry classes, both account types, a tenth of them
refund credits); then the batch is originated by the same set-based UPDATE the merchant's
cut-off runs (payments.ach_lifecycle.originate_now), and its file is written to a temporary
file by the code the download route streams (homerun.bankfiles.service.nacha_file), once
timed and once under tracemalloc. Reports seeding, origination and file seconds, entries
per second, the file's size, the peak of Python allocations while writing and the
process's peak resident set. A streaming file shows the same traced peak for 10,000 and
100,000 payments.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from bench_runtime import migrated_runtime, new_merchant
from sqlalchemy import insert, select, text

from homerun.ach.bank_accounts import AccountType, EntryClass
from homerun.app import create_app
from homerun.auth import service as auth
from homerun.bankfiles import service as bankfiles
from homerun.kit.banking_days import next_banking_day
from homerun.merchants.models import Merchant
from homerun.models import Base
from homerun.payments import ach_lifecycle
from homerun.payments.models import Transaction
from homerun.runtime import Runtime
from homerun.tokenizer import bank_tokens

ROUTING = ["036001808", "021000021", "011000015", "091000019"]
CLASSES = ["WEB", "PPD", "CCD", "TEL"]
CHUNK = 10_000


async def tokenize(runtime: Runtime, merchant: Merchant, accounts: int) -> list[str]:
    tokens = []
    async with runtime.db.transaction() as session:
        for n in range(accounts):
            row = await bank_tokens.tokenize(
                session,
                runtime,
                merchant.id,
                bank_tokens.BankAccount(
                    routing_number=ROUTING[n % len(ROUTING)],
                    account_number=str(400_000_000 + n),
                    account_type=AccountType.SAVINGS if n % 3 == 0 else AccountType.CHECKING,
                    holder_name=f"Bench Payer {n}",
                    entry_class=EntryClass.WEB,
                ),
            )
            tokens.append(row.token)
    return tokens


async def one_sale(runtime: Runtime, merchant: Merchant, token: str) -> None:
    async with runtime.db.transaction() as session:
        creds = await auth.issue(session, runtime, merchant)
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        answer = await client.post(
            "/api/v1/charge",
            json={"mid": merchant.mid, "amount": 1000, "account_token": token},
            headers={"Authorization": f"Bearer {creds.api_key}"},
        )
    if answer.status_code != 200 or answer.json().get("result") != "A":
        raise SystemExit(f"ACH sale not accepted: {answer.status_code} {answer.text}")


async def copy_sales(runtime: Runtime, tokens: list[str], payments: int) -> None:
    """The one real sale's row, copied `payments - 1` times in chunks (no row per call)."""
    table = Transaction.__table__
    async with runtime.db.transaction() as session:
        model = dict((await session.execute(select(table))).mappings().one())
    model.pop("id")
    made = 1
    while made < payments:
        rows = []
        for n in range(made, min(payments, made + CHUNK)):
            refund = n % 10 == 9
            amount = 100 + (n * 7919) % 100_000
            rows.append(
                {
                    **model,
                    "kind": "refund" if refund else "sale",
                    "trans_type": "refund" if refund else "sale",
                    "order_id": f"bench-{n}",
                    "amount_requested": amount,
                    "amount_authorized": amount,
                    "amount_captured": amount,
                    "account_token": tokens[n % len(tokens)],
                    "last_four": tokens[n % len(tokens)][-4:],
                    "ach_routing_number": ROUTING[n % len(tokens) % len(ROUTING)],
                    "ach_account_type": "savings" if n % len(tokens) % 3 == 0 else "checking",
                    "ach_entry_class": CLASSES[n % len(CLASSES)],
                    "holder": {"name": f"Bench Payer {n % len(tokens)}"},
                }
            )
        rows = [{k: v for k, v in row.items() if k in table.c} for row in rows]
        async with runtime.db.transaction() as session:
            await session.execute(insert(table), rows)
        made += len(rows)


async def write_file(runtime: Runtime, merchant: Merchant, batch_id: str, path: Path) -> int:
    records = 0
    async with runtime.db.transaction() as session:
        batch = await bankfiles.find_batch(session, merchant, batch_id)
        with path.open("w", encoding="ascii", newline="\n") as out:
            async for piece in bankfiles.nacha_file(session, runtime, merchant, batch):
                out.write(piece)
                records += piece.count("\n")
    return records


async def measure(url: str, payments: int, accounts: int, path: Path) -> dict[str, Any]:
    runtime = await migrated_runtime(url, "hr_admin_ach_batch_file_0123456789", steady_keys=False)
    try:
        merchant = await new_merchant(runtime, "ACH bench", accepts="ach")
        started = time.perf_counter()
        tokens = await tokenize(runtime, merchant, accounts)
        await one_sale(runtime, merchant, tokens[0])
        await copy_sales(runtime, tokens, payments)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        async with runtime.db.transaction() as session:
            done = await ach_lifecycle.originate_now(session, runtime, merchant)
        originated = time.perf_counter() - started
        assert done.batch_id is not None and done.count == payments, done
        next_banking_day(date(2026, 1, 2))  # the holiday calendar loads once per process
        started = time.perf_counter()
        records = await write_file(runtime, merchant, done.batch_id, path)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        await write_file(runtime, merchant, done.batch_id, path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        if not url.startswith("sqlite"):
            async with runtime.db.engine.begin() as connection:
                await connection.run_sync(Base.metadata.drop_all)
                await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await runtime.db.dispose()
    return {
        "payments": payments,
        "records": records,
        "seed_s": round(seeded, 1),
        "originate_s": round(originated, 2),
        "file_s": round(seconds, 2),
        "entries_per_s": round(payments / seconds),
        "traced_peak_kib": round(peak / 1024, 1),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one:
        url = args.database_url or f"sqlite+aiosqlite:///{args.one.parent / 'ach.db'}"
        result = asyncio.run(measure(url, args.payments[0], args.accounts, args.one))
        result["file_mb"] = round(args.one.stat().st_size / 1e6, 2)
        print(json.dumps(result))
        return
    header = (
        "| payments | records | seed s | originate s | file s | entries/s "
        "| traced peak KiB | max RSS MiB | file MB |"
    )
    print(header)
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count in args.payments:
        with tempfile.TemporaryDirectory(prefix="homerun-ach-") as tmp:
            command = [sys.executable, __file__, "--payments", str(count)]
            command += ["--accounts", str(args.accounts), "--one", str(Path(tmp) / "f.ach")]
            if args.database_url:
                command += ["--database-url", args.database_url]
            child = subprocess.run(command, check=True, capture_output=True, text=True)
            row = json.loads(child.stdout)
            print("| " + " | ".join(str(value) for value in row.values()) + " |")
    print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
