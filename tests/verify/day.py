"""A realistic sandbox day for `homerun verify` to read: a keyed sale later partly refunded, a
sale that draws a chargeback, a voided sale, an authorization captured in part, a billing
plan's payment, a second merchant; the clock over a cut-off, a funding and five more days
(batches, deposits, the chargeback, its fee); webhooks fanned out and delivered; then a sale
not yet batched and a charge whose processor never answered (unknown, its reconciliation
waiting)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text

from homerun.runtime import Runtime
from homerun.webhooks.dispatcher import deliver_due
from tests.billing.support import account, plan_id, rule
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import charge, post
from tests.settlement.support import PRICING, advance_until, go_to_next, rekey
from tests.webhooks.receiver import Receiver

CHARGEBACK_VISA = "4000000000000259"  # a chargeback 5 days after settlement
TIMES_OUT = "4000000000000119"  # the processor never answers: unknown until reconciled


@dataclass
class Day:
    mid: str
    keyed_sale: str
    unbatched_sale: str
    unknown: str
    first_batch: str
    first_deposit: str
    record_id: int
    other_merchant_scope: str  # the idempotency scope of the second merchant


async def _merchant(client: httpx.AsyncClient, **settings: Any) -> MerchantAccess:
    created = await client.post(
        "/homerun/v1/merchants", json={"name": "Verify Store", **settings}, headers=ADMIN
    )
    assert created.status_code == 201, created.text
    return await rekey(client, MerchantAccess(created.json()["mid"], "", "", "", 0))


async def approved(answer: httpx.Response) -> str:
    body = answer.json()
    assert body["result"] == "A", body
    trans_id: str = body["trans_id"]
    return trans_id


async def one(runtime: Runtime, sql: str, **params: Any) -> Any:
    async with runtime.db.engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar_one()


@asynccontextmanager
async def sandbox_day(client: httpx.AsyncClient, runtime: Runtime) -> AsyncIterator[Day]:
    receiver = await Receiver().start()
    try:
        monday = await go_to_next(client, 0, 10)
        m = await _merchant(client, **PRICING)
        other = await _merchant(client, **PRICING)
        hook = await client.post(
            "/homerun/v1/webhooks/endpoints",
            json={"url": receiver.url(), "mid": m.mid},
            headers=ADMIN,
        )
        assert hook.status_code == 201, hook.text
        keyed = await client.post(
            "/api/v1/charge",
            json={"mid": m.mid, "amount": "100.00", "account_token": "4111111111111111",
                  "expiration": "12/30", "cvn": "123"},
            headers={**m.headers, "Idempotency-Key": "verify-day-a"},
        )  # fmt: skip
        a = await approved(keyed)
        await approved(await charge(client, m, amount="40.00", account_token=CHARGEBACK_VISA))
        c = await approved(await charge(client, m, amount="25.00"))
        await approved(await post(client, m, "/api/v1/void", trans_id=c))
        e = await approved(await charge(client, m, amount="30.00", capture="N"))
        await approved(await post(client, m, "/api/v1/capture", trans_id=e, amount="20.00"))
        await approved(await charge(client, other, amount="12.00"))
        acct = await account(client, m)
        await plan_id(
            client,
            m,
            payment_account_uuid=acct["uuid"],
            amount="9.99",
            rrule_pattern=rule(monday + timedelta(hours=1), "FREQ=DAILY;COUNT=1"),
        )
        await advance_until(client, monday + timedelta(days=1, hours=4))  # Tue 14:00
        m = await rekey(client, m)
        await approved(await post(client, m, "/api/v1/refund", trans_id=a, amount="10.00"))
        await advance_until(client, monday + timedelta(days=7))  # the chargeback, more funding
        m = await rekey(client, m)
        await deliver_due(runtime)
        f = await approved(await charge(client, m, amount="15.00"))
        unknown = (await charge(client, m, amount="5.00", account_token=TIMES_OUT)).json()
        assert unknown["result"] == "B", unknown
        other_id = await one(runtime, "SELECT id FROM merchants WHERE mid = :mid", mid=other.mid)
        yield Day(
            mid=m.mid,
            keyed_sale=a,
            unbatched_sale=f,
            unknown=unknown["trans_id"],
            first_batch=await one(
                runtime,
                "SELECT batch_id FROM batches WHERE merchant_id ="
                " (SELECT id FROM merchants WHERE mid = :mid) ORDER BY id LIMIT 1",
                mid=m.mid,
            ),
            first_deposit=await one(
                runtime,
                "SELECT funding_master_id FROM deposits WHERE merchant_id ="
                " (SELECT id FROM merchants WHERE mid = :mid) ORDER BY id LIMIT 1",
                mid=m.mid,
            ),
            record_id=await one(
                runtime, "SELECT id FROM idempotency_records WHERE key = 'verify-day-a'"
            ),
            other_merchant_scope=f"merchant:{other_id}",
        )
    finally:
        await receiver.stop()
