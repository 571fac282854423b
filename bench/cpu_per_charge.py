"""CPU cost of one charge, measured in-process: a precise meter for A/B-testing code changes.

    .venv/bin/python bench/cpu_per_charge.py [--database-url URL] [--charges N] [--seed-rows N]

It builds the app (create_app with an open runtime) against a fresh merchant, sends N charges
one after another through httpx's ASGI transport (no sockets, no uvicorn), and prints the
process CPU time per charge, the SQL statements per charge, the Python function calls per
charge (cProfile, over 200 more charges: deterministic) and, as the client-and-framework
floor, the CPU time per GET /homerun/v1/health sent the same way. Because the requests are
sequential and CPU time (not wall time) is measured, the figure moves far less with other
load on the machine than wrk's requests/s do; compare two versions of src/ by running this
with PYTHONPATH=/path/to/other/src.

`--seed-rows N` (SQLite) seeds N transactions after the warm-up (bench/seed.py), to see what
data size does to the cost. Default database: a new SQLite file in a temporary directory.
For PostgreSQL pass the URL of an empty database you created (e.g.
postgresql://postgres@127.0.0.1:5432/homerun_cpu) and drop it afterwards; the schema is
migrated here.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from homerun.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_runtime import credentials, migrated_runtime, new_merchant
from seed import seed_sqlite


async def measure(
    url: str,
    charges: int,
    warmup: int,
    token: str,
    seed_rows: int = 0,
    profile_out: str | None = None,
    ach: bool = False,
) -> dict[str, Any]:
    runtime = await migrated_runtime(url, "hr_admin_cpu_per_charge_0123456789")
    try:
        merchant = await new_merchant(runtime, "CPU bench", accepts="both")
        creds = await credentials(runtime, merchant)
        statements = 0

        def count(*_: Any) -> None:
            nonlocal statements
            statements += 1

        def count_transaction_end(connection: Any) -> None:
            # A connection in autocommit sends no BEGIN or COMMIT of its own.
            if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                count()

        engine = runtime.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        if engine.dialect.name != "sqlite":  # there BEGIN IMMEDIATE is a statement already
            event.listen(engine, "begin", count_transaction_end)
        event.listen(engine, "commit", count_transaction_end)
        app = create_app(runtime=runtime)
        body = {
            "mid": merchant.mid,
            "amount": 1000,
            "account_token": token,
            "expiration": "12/30",
            "capture": "Y",
        }
        headers = {"Authorization": f"Bearer {creds.api_key}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            if ach:  # a bank account's token (docs/ach.md): an ACH sale has no expiry
                made = await client.post(
                    "/homerun/v1/tokens",
                    json={
                        "routing_number": "036001808",
                        "account_number": "86063057",
                        "name": "CPU bench",
                    },
                    headers={"Authorization": f"Bearer {creds.public_key}"},
                )
                body = {
                    "mid": merchant.mid,
                    "amount": 1000,
                    "account_token": made.json()["account_token"],
                    "capture": "Y",
                }

            async def charge() -> None:
                answer = await client.post("/api/v1/charge", json=body, headers=headers)
                if answer.status_code != 200 or answer.json().get("result") != "A":
                    raise SystemExit(f"charge not approved: {answer.status_code} {answer.text}")

            async def health() -> None:
                answer = await client.get("/homerun/v1/health")
                if answer.status_code != 200:
                    raise SystemExit(f"health failed: {answer.status_code}")

            async def timed(call: Any, n: int) -> tuple[float, float]:
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(n):
                    await call()
                return (time.process_time() - cpu) / n, (time.perf_counter() - wall) / n

            for _ in range(warmup):
                await charge()
                await health()
            if seed_rows:  # copies of the rows the warm-up made (bench/seed.py)
                if not url.startswith("sqlite"):
                    raise SystemExit("--seed-rows: SQLite only (run.sh seeds PostgreSQL)")
                await asyncio.to_thread(seed_sqlite, url.split(":///", 1)[1], seed_rows)
                for _ in range(warmup):
                    await charge()
            statements = 0
            charge_cpu, charge_wall = await timed(charge, charges)
            per_charge_sql = statements / charges
            health_cpu, _ = await timed(health, charges)
            # Python function calls per charge: deterministic, so it compares two versions
            # of the code even on a machine too busy for CPU times to be steady.
            profiler = cProfile.Profile()
            sample = max(1, min(charges, 200))
            profiler.enable()
            for _ in range(sample):
                await charge()
            profiler.disable()
            if profile_out:
                profiler.dump_stats(profile_out)
            stats = pstats.Stats(profiler).get_stats_profile()
            calls = sum(int(f.ncalls.split("/")[0]) for f in stats.func_profiles.values()) / sample
    finally:
        await runtime.db.dispose()
    return {
        "database": url.split(":", 1)[0],
        "payment_method": "ach" if ach else "card",
        "seeded_rows": seed_rows,
        "charges": charges,
        "cpu_ms_per_charge": round(1000 * charge_cpu, 3),
        "wall_ms_per_charge": round(1000 * charge_wall, 3),
        "cpu_ms_per_health": round(1000 * health_cpu, 3),
        "charge_minus_health_cpu_ms": round(1000 * (charge_cpu - health_cpu), 3),
        "sql_round_trips_per_charge": round(per_charge_sql, 2),
        "python_calls_per_charge": round(calls),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--charges", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--token", default="4111111111111111", help="account_token to charge")
    parser.add_argument("--profile-out", default=None, help="write the cProfile stats here")
    parser.add_argument("--ach", action="store_true", help="charge a bank account (ACH) instead")
    parser.add_argument(
        "--seed-rows", type=int, default=0, help="SQLite: seed this many transactions first"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="homerun-cpu-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/cpu.db"
        result = asyncio.run(
            measure(
                url,
                args.charges,
                args.warmup,
                args.token,
                args.seed_rows,
                args.profile_out,
                args.ach,
            )
        )
    result["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
