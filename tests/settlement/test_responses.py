"""A merchant's answer to its chargeback (settlement.responses): accept loses it at once,
a challenge is decided by the clock's rule at once; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import update

from homerun.errors import Conflict, NotFound
from homerun.merchants import service as merchants
from homerun.runtime import Runtime
from homerun.settlement.models import Chargeback
from homerun.settlement.responses import Response, respond
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.settlement.support import balance, listing, utc_merchant
from tests.settlement.test_chargebacks import open_cb, settled_sales


async def _answer(runtime: Runtime, m: MerchantAccess, cb_id: int, response: Response) -> str:
    async with runtime.db.transaction() as session:
        merchant = await merchants.get(session, m.mid)
        cb = await respond(session, runtime, merchant, cb_id, response)
        return f"{cb.state.value} by {cb.decided_by}"


async def _events(client: httpx.AsyncClient, m: MerchantAccess) -> list[str]:
    answer = await client.get(f"/homerun/v1/merchants/{m.mid}/events", headers=ADMIN)
    return [e["event_type"] for e in answer.json()["items"] if "chargeback" in e["event_type"]]


async def test_accept_and_challenge(
    runtime: Runtime, client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await utc_merchant(make_merchant)
    sales = await settled_sales(client, m, "70.00", "20.00", "10.00")
    ids = []
    for trans_id, reason in zip(sales, ("10.4", "10.4", "13.1"), strict=True):
        opened = await open_cb(client, mid=m.mid, trans_id=trans_id, reason_code=reason)
        ids.append(opened.json()["chargeback_id"])
    pending = (await balance(client, m))["pending_funding"]

    assert await _answer(runtime, m, ids[0], Response.CHALLENGE) == "won by network"
    assert await _answer(runtime, m, ids[1], Response.ACCEPT) == "lost by merchant"
    assert await _answer(runtime, m, ids[2], Response.CHALLENGE) == "lost by network"
    won_back = (await balance(client, m))["pending_funding"]
    assert Decimal(won_back) - Decimal(pending) == Decimal("70.00")
    assert sorted(await _events(client, m)) == sorted(
        ["chargeback.entered"] * 3 + ["chargeback.won"] + ["chargeback.lost"] * 2
    )
    with pytest.raises(Conflict, match="is already won"):
        await _answer(runtime, m, ids[0], Response.ACCEPT)
    assert (await balance(client, m))["pending_funding"] == won_back


async def test_refused_past_the_deadline_and_for_another_merchant(
    runtime: Runtime, client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await utc_merchant(make_merchant)
    other = await utc_merchant(make_merchant)
    [sale] = await settled_sales(client, m, "15.00")
    cb_id = (await open_cb(client, mid=m.mid, trans_id=sale)).json()["chargeback_id"]
    with pytest.raises(NotFound):
        await _answer(runtime, other, cb_id, Response.ACCEPT)
    # The deadline passed but the clock's decision has not run yet: too late to answer.
    async with runtime.db.transaction() as session:
        past = runtime.clock.now() - timedelta(seconds=1)
        await session.execute(
            update(Chargeback).where(Chargeback.id == cb_id).values(respond_by=past)
        )
    with pytest.raises(Conflict, match="past its response deadline"):
        await _answer(runtime, m, cb_id, Response.CHALLENGE)
    [cb] = await listing(client, m, "chargebacks")
    assert (cb["state"], cb["decided_by"]) == ("open", None)
    assert await _events(client, m) == ["chargeback.entered"]
