"""`homerun verify` over ACH payments in every state of their lifecycle (docs/ach.md):
clean, and a card row in an ACH state or an ACH credit in a card state is caught."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from homerun.runtime import Runtime
from tests.ach.helpers import ach_sale, admin_post
from tests.conftest import ADMIN, MerchantFactory
from tests.helpers import charge, post
from tests.verify.support import violations


async def _execute(runtime: Runtime, sql: str, **params: Any) -> None:
    async with runtime.db.engine.begin() as conn:
        await conn.execute(text(sql), params)


async def test_ach_payments_in_every_state_verify_clean(
    client: httpx.AsyncClient, runtime: Runtime, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="both", ach_return_fee="3.00")
    base = f"/homerun/v1/merchants/{m.mid}"
    refunded = await ach_sale(client, m, 4000)
    partly = await ach_sale(client, m, 3000)
    returned = await ach_sale(client, m, 2000)
    returned_early = await ach_sale(client, m, 1000)
    await admin_post(client, f"{base}/ach/originate")
    ret = await client.post(
        f"{base}/transactions/{returned_early}/ach-return",
        json={"return_code": "R01"},
        headers=ADMIN,
    )
    assert ret.status_code == 200, ret.text
    await admin_post(client, f"{base}/ach/settle")
    for trans_id, amount in ((refunded, None), (partly, "10.00")):
        answer = await post(client, m, "/api/v1/refund", trans_id=trans_id, amount=amount)
        assert answer.json()["result"] == "A", answer.text
    ret = await client.post(
        f"{base}/transactions/{returned}/ach-return", json={"return_code": "R03"}, headers=ADMIN
    )
    assert ret.status_code == 200, ret.text
    await admin_post(client, f"{base}/ach/originate")  # the credits: originated
    voided = await ach_sale(client, m, 500)
    assert (await post(client, m, "/api/v1/void", trans_id=voided)).json()["result"] == "A"
    accepted = await ach_sale(client, m, 700)
    card = (await charge(client, m, amount="12.00")).json()["trans_id"]

    states = {
        str(trans_id): state
        for trans_id, state in (
            await _rows(runtime, "SELECT id, state FROM transactions WHERE merchant_id ="
                        " (SELECT id FROM merchants WHERE mid = :mid)", mid=m.mid)
        )
    }  # fmt: skip
    assert sorted(states.values()) == sorted(
        ["refunded", "partially_refunded", "returned", "returned", "originated", "originated",
         "voided", "accepted", "captured"]
    )  # fmt: skip
    assert states[accepted] == "accepted" and states[card] == "captured"
    assert await violations(runtime) == []

    # Each lifecycle's states stay its own.
    for trans_id, state in ((card, "originated"), (accepted, "captured")):
        old = states[trans_id]
        await _execute(runtime, "UPDATE transactions SET state = :s WHERE id = :i",
                       s=state, i=int(trans_id))  # fmt: skip
        try:
            found = await violations(runtime, "transactions.states")
            assert [(v.subject_id, v.detail) for v in found] == [
                (trans_id, f"{state}: in a state its payment method never has")
            ]
        finally:
            await _execute(runtime, "UPDATE transactions SET state = :s WHERE id = :i",
                           s=old, i=int(trans_id))  # fmt: skip
    assert await violations(runtime) == []


async def _rows(runtime: Runtime, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    async with runtime.db.engine.connect() as conn:
        return [tuple(row) for row in (await conn.execute(text(sql), params)).all()]
