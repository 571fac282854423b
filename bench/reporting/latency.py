"""Latency of typical Reporting API pages against a running Homerun (see README.md).

Creates two reporting clients through the admin API (one bound to the first merchant, the
seed's largest; one bound to every merchant), then times each query one request at a time,
and prints p50/p95/p99 per query as a Markdown table and one JSON line.

    python bench/reporting/latency.py --base-url http://127.0.0.1:8311 --admin-token T
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, date, datetime
from typing import Any

import httpx

API = "/ords/sprint/api/3p/v1"


def _months_before(today: date, count: int) -> list[tuple[datetime, datetime]]:
    """The `count` whole calendar months before today's, newest first, as [start, end)."""
    out = []
    year, month = today.year, today.month
    for _ in range(count):
        end = datetime(year, month, 1, tzinfo=UTC)
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append((datetime(year, month, 1, tzinfo=UTC), end))
    return out


def _date(value: datetime) -> dict[str, str]:
    return {"$date": value.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Bench:
    def __init__(self, base_url: str, admin_token: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        self.admin = {"Authorization": f"Bearer {admin_token}"}

    def merchants(self) -> list[str]:
        mids: list[str] = []
        offset = 0
        while True:
            answer = self.http.get(
                "/homerun/v1/merchants",
                params={"limit": 1000, "offset": offset},
                headers=self.admin,
            )
            answer.raise_for_status()
            body = answer.json()
            mids += [m["mid"] for m in body["items"]]
            if not body["hasMore"]:
                return mids
            offset += 1000

    def token(self, name: str, mids: list[str]) -> dict[str, str]:
        made = self.http.post(
            "/homerun/v1/oauth/clients",
            json={"audience": "reporting", "name": name, "mids": mids},
            headers=self.admin,
        )
        made.raise_for_status()
        client = made.json()
        answer = self.http.post(
            "/ords/sprint/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client["client_id"], client["client_secret"]),
        )
        answer.raise_for_status()
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def get(
        self, headers: dict[str, str], endpoint: str, q: dict[str, Any], **params: Any
    ) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        answer = self.http.get(
            f"{API}/{endpoint}", params={"q": json.dumps(q), **params}, headers=headers
        )
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code != 200:
            raise SystemExit(f"{endpoint} {q}: {answer.status_code} {answer.text[:300]}")
        return elapsed, answer.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8311")
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--runs", type=int, default=200, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--label", default="", help="a name for this run in the JSON line")
    args = parser.parse_args()

    bench = Bench(args.base_url, args.admin_token)
    mids = bench.merchants()
    mid = mids[0]
    one = bench.token("bench latency: one merchant", [mid])
    every = bench.token("bench latency: every merchant", mids)
    months = _months_before(datetime.now(UTC).date(), 11)

    def month_q(n: int, **extra: Any) -> dict[str, Any]:
        start, end = months[n % len(months)]
        return {"mid": mid, "trans_date": {"$gte": _date(start), "$lt": _date(end)}, **extra}

    # Batches of the merchant to look up, one per day of the newest month.
    _, first_page = bench.get(one, "transactions", month_q(0, batch_id={"$notnull": None}))
    batches = sorted({i["batch_id"] for i in first_page["items"]})
    deep = bench.get(one, "transactions", {"mid": mid}, limit=1)[1]
    assert deep["items"], "the database holds no transactions: run `homerun seed` first"

    queries: dict[str, Any] = {
        "one merchant, one month, page of 100": lambda n: (
            one,
            "transactions",
            month_q(n),
            {"limit": 100},
        ),
        "... its 5th page (offset 400)": lambda n: (
            one,
            "transactions",
            month_q(n),
            {"limit": 100, "offset": 400},
        ),
        "... filtered by card brand (Mastercard)": lambda n: (
            one,
            "transactions",
            month_q(n, card_brand_id=2),
            {"limit": 100},
        ),
        "one batch (batch_id), page of 100": lambda n: (
            one,
            "transactions",
            {"batch_id": batches[n % len(batches)]},
            {"limit": 100},
        ),
        "every merchant, newest first, page of 100": lambda n: (
            every,
            "transactions",
            {"$orderby": {"trans_date": "desc"}},
            {"limit": 100},
        ),
        "every merchant, one month, Amex > $100": lambda n: (
            every,
            "transactions",
            {
                "trans_date": {"$gte": _date(months[n % 11][0]), "$lt": _date(months[n % 11][1])},
                "card_brand_id": 3,
                "amount": {"$gt": 100},
            },
            {"limit": 100},
        ),
        "deposits of one merchant, one month": lambda n: (
            one,
            "deposits",
            {
                "mid": mid,
                "deposit_date": {
                    "$gte": _date(months[n % 11][0]),
                    "$lt": _date(months[n % 11][1]),
                },
            },
            {"limit": 100},
        ),
        "chargebacks of every merchant, page of 100": lambda n: (
            every,
            "chargebacks",
            {},
            {"limit": 100, "offset": (n % 10) * 100},
        ),
        "adjustments of one merchant": lambda n: (one, "adjustments", {}, {"limit": 100}),
    }
    results = []
    print(
        f"| query | p50 ms | p95 ms | p99 ms | items/page |  ({args.label} {len(mids)} merchants)"
    )
    print("|---|---:|---:|---:|---:|")
    for name, make in queries.items():
        timings: list[float] = []
        counts: list[int] = []
        for n in range(args.warmup + args.runs):
            headers, endpoint, q, params = make(n)
            elapsed, body = bench.get(headers, endpoint, q, **params)
            if n >= args.warmup:
                timings.append(elapsed)
                counts.append(body["count"])
        row = {
            "query": name,
            "p50_ms": round(_percentile(timings, 0.50), 2),
            "p95_ms": round(_percentile(timings, 0.95), 2),
            "p99_ms": round(_percentile(timings, 0.99), 2),
            "mean_items": round(statistics.mean(counts), 1),
        }
        results.append(row)
        print(
            f"| {name} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} "
            f"| {row['mean_items']} |",
            flush=True,
        )
    print("BENCH_JSON " + json.dumps({"label": args.label, "mid": mid, "results": results}))


if __name__ == "__main__":
    main()
