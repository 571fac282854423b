"""Helpers of the billing tests: plans over the API, the shared clock, rules.

The session's clock only moves forward and is shared by every test: each scenario
schedules its plans from the clock's current time and uses its own merchant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import ADMIN, MerchantAccess
from tests.vault.support import created

PLANS = "/api/v1/billing_plans"
DECLINE_51 = "4000000000009995"  # the simulator's "51 Insufficient funds" card


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def rule(start: datetime, body: str) -> str:
    return f"DTSTART:{stamp(start)}\nRRULE:{body}"


def iso(moment: datetime) -> str:
    """How payment dates are answered."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def clock_now(client: httpx.AsyncClient) -> datetime:
    answer = await client.get("/homerun/v1/clock", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return datetime.fromisoformat(answer.json()["now"])


async def next_morning(client: httpx.AsyncClient, days: int = 1) -> datetime:
    """09:00 UTC at least `days` days from the clock's now (a day of the month <= 28,
    so that a monthly rule falls on the same day every month)."""
    moment = (await clock_now(client) + timedelta(days=days)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    while moment.day > 28:
        moment += timedelta(days=1)
    return moment


async def advance_until(client: httpx.AsyncClient, moment: datetime) -> dict[str, Any]:
    answer = await client.post(
        "/homerun/v1/clock/advance", json={"until": moment.isoformat()}, headers=ADMIN
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def account(
    client: httpx.AsyncClient, m: MerchantAccess, pan: str = "4111111111111111", **fields: Any
) -> dict[str, Any]:
    return await created(client, m, pan, **{"custom06": "member-7", **fields})


async def create_plan(
    client: httpx.AsyncClient, m: MerchantAccess, **fields: Any
) -> httpx.Response:
    body = {"name": "Rent", "description": "Monthly rent", "mid": m.mid, **fields}
    return await client.post(PLANS, json=body, headers=m.headers)


async def plan_id(client: httpx.AsyncClient, m: MerchantAccess, **fields: Any) -> int:
    answer = await create_plan(client, m, **fields)
    assert answer.status_code == 200, answer.text
    identifier: int = answer.json()["id"]
    return identifier


async def get_plan(client: httpx.AsyncClient, m: MerchantAccess, identifier: object) -> Any:
    answer = await client.get(f"{PLANS}/{identifier}", headers=m.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def events_of(client: httpx.AsyncClient, m: MerchantAccess) -> list[str]:
    """The merchant's transaction.* events (settlement adds batch and funding ones)."""
    answer = await client.get(f"/homerun/v1/merchants/{m.mid}/events", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    kinds = [item["event_type"] for item in answer.json()["items"]]
    return [kind for kind in kinds if kind.startswith("transaction.")]


async def rekey(client: httpx.AsyncClient, m: MerchantAccess) -> MerchantAccess:
    """Fresh Payments API credentials: an api_key lives an hour of clock time."""
    issued = await client.post(f"/homerun/v1/merchants/{m.mid}/credentials", headers=ADMIN)
    assert issued.status_code == 201, issued.text
    creds = issued.json()
    return MerchantAccess(
        m.mid, creds["api_key"], creds["refresh_token"], creds["public_key"], creds["credential_id"]
    )


async def advance(client: httpx.AsyncClient, m: MerchantAccess, moment: datetime) -> MerchantAccess:
    """Move the clock to `moment` (running what falls due); the merchant's fresh keys."""
    await advance_until(client, moment)
    return await rekey(client, m)


def statuses(plan: dict[str, Any]) -> list[str]:
    """The payment status of each of a plan's scheduled payments, in order."""
    return [p["payment_status"] for p in plan["scheduled_payments"]]
