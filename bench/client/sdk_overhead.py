"""What runpayments costs on top of plain httpx, measured in the client's process only.

    .venv/bin/python bench/client/sdk_overhead.py [--charges 300] [--rounds 5]

Starts `homerun serve` as its own process on a fresh SQLite database (with the 10,000-row
Reporting seed), so `time.process_time()` here counts the client's CPU and none of the
server's. Per charge: plain httpx (json body, Bearer header, `response.json()`) against
`RunClient.payments.charge` (request model, Idempotency-Key, retry wrapper, typed
`Transaction` with Decimal amounts), in alternating rounds; the median round is kept.
Then the 10,000-row Reporting walk both ways (httpx: `limit`/`offset` and dicts; the SDK:
the self-paging iterator and typed items), wall and CPU time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parents[2] / "clients" / "python" / "tests"))

import runpayments as rp
from live_homerun import LiveHomerun, fresh_database

CARD = {"amount": "10.00", "account_token": "4111111111111111", "expiration": "12/30"}
REPORTING = "/ords/sprint/api/3p/v1/transactions"


def cpu_per_call(work: Callable[[], object], count: int) -> float:
    """CPU microseconds per call of `work` in this process."""
    start = time.process_time()
    for _ in range(count):
        work()
    return (time.process_time() - start) / count * 1e6


def charges(server: LiveHomerun, count: int, rounds: int) -> tuple[float, float]:
    mid = server.post("/homerun/v1/merchants", {"name": "Bench"})["mid"]
    creds = server.post(f"/homerun/v1/merchants/{mid}/credentials")
    http = httpx.Client(base_url=server.base_url)
    headers = {"Authorization": f"Bearer {creds['api_key']}"}

    def plain() -> object:
        answer = http.post("/api/v1/charge", json={"mid": mid, **CARD}, headers=headers)
        answer.raise_for_status()
        return answer.json()["result"]

    client = rp.RunClient(
        server.base_url, mid=mid, api_key=creds["api_key"], refresh_token=creds["refresh_token"]
    )
    request = rp.ChargeRequest(
        amount=Decimal("10.00"), account_token="4111111111111111", expiration="12/30"
    )

    def sdk() -> object:
        return client.payments.charge(request).result

    plain(), sdk()  # warm both paths (connections, adapters)
    plain_us, sdk_us = [], []
    for _ in range(rounds):
        plain_us.append(cpu_per_call(plain, count))
        sdk_us.append(cpu_per_call(sdk, count))
    return statistics.median(plain_us), statistics.median(sdk_us)


def walk_plain(server: LiveHomerun, token: str, page: int) -> int:
    rows, offset = 0, 0
    with httpx.Client(base_url=server.base_url) as http:
        while True:
            params = {"limit": page, "offset": offset}
            answer = http.get(
                REPORTING, params=params, headers={"Authorization": f"Bearer {token}"}
            )
            body = answer.json()
            rows += len(body["items"])
            if not body["hasMore"]:
                return rows
            offset += len(body["items"])


def walks(server: LiveHomerun, page: int) -> list[tuple[str, int, float, float]]:
    seeded = server.seeded()
    token = httpx.post(
        f"{server.base_url}/ords/sprint/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(seeded.client_id, seeded.client_secret),
    ).json()["access_token"]
    client = rp.RunClient(server.base_url, reporting=(seeded.client_id, seeded.client_secret))
    results = []
    for name, walk in (
        ("httpx, dicts", lambda: walk_plain(server, token, page)),
        (
            "runpayments, typed",
            lambda: sum(1 for _ in client.reporting.transactions(page_size=page)),
        ),
    ):
        wall, cpu = time.perf_counter(), time.process_time()
        rows = walk()
        results.append((name, rows, time.perf_counter() - wall, time.process_time() - cpu))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--charges", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()
    with fresh_database() as url:
        server = LiveHomerun(url)
        try:
            server.start()
            plain, sdk = charges(server, args.charges, args.rounds)
            walked = walks(server, args.page_size)
        finally:
            server.stop()
    print(f"| charge, client CPU per call ({args.rounds} rounds of {args.charges}, median) | µs |")
    print("|---|---|")
    print(f"| plain httpx | {plain:.0f} |\n| runpayments | {sdk:.0f} |")
    print(f"| **overhead** | **{sdk - plain:.0f}** |\n")
    print(f"| Reporting walk (page {args.page_size}) | rows | wall s | client CPU s |")
    print("|---|---|---|---|")
    for name, rows, wall, cpu in walked:
        print(f"| {name} | {rows} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
