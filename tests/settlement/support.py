"""Helpers for settlement scenarios: the shared clock, listings, the ledger balance.

The test session shares one clock that only moves forward, so every scenario places
itself relative to the clock's current time (usually: the next Monday morning) and
isolates itself with its own merchants.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from homerun.kit import banking_days
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory

# A merchant whose every moment is easy to compute: UTC, cut-off 22:00, funding 13:00
# (the default funding_time), next-business-day funding, no monthly fee.
PRICING: dict[str, Any] = {
    "timezone": "UTC",
    "batch_cutoff": "22:00",
    "processing_rate": "2.90",
    "processing_fixed_fee": "0.30",
    "funding_delay_days": 1,
    "chargeback_fee": "15.00",
    "monthly_fee": "0.00",
}


async def utc_merchant(make_merchant: MerchantFactory, **overrides: Any) -> MerchantAccess:
    return await make_merchant(**{**PRICING, **overrides})


async def now(client: httpx.AsyncClient) -> datetime:
    answer = await client.get("/homerun/v1/clock", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return datetime.fromisoformat(answer.json()["now"])


async def advance_until(client: httpx.AsyncClient, moment: datetime) -> dict[str, Any]:
    answer = await client.post(
        "/homerun/v1/clock/advance", json={"until": moment.isoformat()}, headers=ADMIN
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["summary"]["jobs_failed"] == 0, body
    return body


def next_weekday(after: datetime, weekday: int, hour: int, minute: int = 0) -> datetime:
    """The first `weekday` (0 = Monday) at hour:minute UTC strictly after `after`, at
    least a day away (so nothing of an earlier scenario is still due that morning), in
    a stretch of banking days with no Federal Reserve holiday from 3 days before to
    `QUIET_DAYS` after (scenarios that count business days mean weekdays; the
    holiday scenarios place themselves with `holiday_ahead`)."""
    day = (after + timedelta(days=1)).astimezone(UTC).date()
    while True:
        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        if day.weekday() == weekday and moment > after + timedelta(days=1) and _quiet(day):
            return moment
        day += timedelta(days=1)


QUIET_DAYS = 14


def _quiet(day: date) -> bool:
    return not any(
        (day + timedelta(days=offset))
        in banking_days.closed_days_of_year((day + timedelta(days=offset)).year)
        for offset in range(-3, QUIET_DAYS + 1)
    )


async def go_to_next(client: httpx.AsyncClient, weekday: int, hour: int) -> datetime:
    moment = next_weekday(await now(client), weekday, hour)
    await advance_until(client, moment)
    return moment


async def listing(client: httpx.AsyncClient, m: MerchantAccess, what: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/homerun/v1/merchants/{m.mid}/{what}", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def balance(client: httpx.AsyncClient, m: MerchantAccess) -> dict[str, Any]:
    answer = await client.get(f"/homerun/v1/merchants/{m.mid}/balance", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def rekey(client: httpx.AsyncClient, m: MerchantAccess) -> MerchantAccess:
    """Fresh Payments API credentials: an api_key lives an hour of clock time."""
    issued = await client.post(f"/homerun/v1/merchants/{m.mid}/credentials", headers=ADMIN)
    assert issued.status_code == 201, issued.text
    creds = issued.json()
    return MerchantAccess(
        m.mid,
        creds["api_key"],
        creds["refresh_token"],
        creds["public_key"],
        creds["credential_id"],
    )
