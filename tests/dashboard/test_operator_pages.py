"""The operator's console: the instance, and the payment tools (chargeback, ACH return)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from homerun.audit import service as audit
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.ach.helpers import ach_sale, originate, settle_ach
from tests.boarding.support import make_partner
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor
from tests.helpers import charge, settle, transaction
from tests.people.support import make_user


async def _operator(runtime: Runtime, visitor: Callable[..., Visitor]) -> Visitor:
    user = await make_user(runtime, Role.OPERATOR)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


async def _chargebacks(client: httpx.AsyncClient, m: MerchantAccess) -> list[dict[str, Any]]:
    answer = await client.get(f"/homerun/v1/merchants/{m.mid}/chargebacks", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _audited(runtime: Runtime, action: str) -> list[dict[str, Any]]:
    async with runtime.db.transaction() as session:
        rows = await audit.events(session, merchant_id=None, limit=200)
    return [e.detail for e in rows if e.action == action]


async def test_the_operator_sees_every_merchant_and_partner(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    a = await make_merchant(name="Console Alpha", accepts="both")
    b = await make_merchant(name="Console Beta")
    partner = await make_partner(client)
    v = await _operator(runtime, visitor)
    page = await v.get("/dashboard/instance")
    assert page.status_code == 200
    assert f'<td data-label="MID" class="num">{a.mid}</td>' in page.text
    assert f'<td data-label="MID" class="num">{b.mid}</td>' in page.text
    assert "Console Alpha" in page.text and "Cards and ACH" in page.text
    assert f'<td data-label="ID" class="num">{partner.partner_id}</td>' in page.text
    home = (await v.get("/dashboard")).text
    for href in ("/dashboard/instance", "/dashboard/clock", "/dashboard/payment-tools"):
        assert f'href="{href}"' in home


async def test_the_operator_opens_a_chargeback_on_any_merchants_sale(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    trans_id = (await charge(client, merchant, amount=4000)).json()["trans_id"]
    await settle(client, merchant)
    v = await _operator(runtime, visitor)
    done = await v.form(
        "/dashboard/payment-tools",
        "/dashboard/payment-tools/chargeback",
        mid=merchant.mid,
        trans_id=trans_id,
        amount="15.00",
        reason_code="13.1",
    )
    assert done.status_code == 200, done.text
    [cb] = await _chargebacks(client, merchant)
    assert (cb["trans_id"], cb["amount"], cb["reason_code"]) == (trans_id, "15.00", "13.1")
    assert f"Chargeback {cb['case_number']} was opened on payment {trans_id}" in done.text
    [logged] = [
        d for d in await _audited(runtime, "chargeback_opened") if d["trans_id"] == trans_id
    ]
    assert (logged["amount"], logged["reason_code"]) == ("1500", "13.1")
    # A second one on the same sale is refused and changes nothing.
    again = await v.form(
        "/dashboard/payment-tools",
        "/dashboard/payment-tools/chargeback",
        mid=merchant.mid,
        trans_id=trans_id,
    )
    assert again.status_code == 409
    assert "Not done:" in again.text
    assert len(await _chargebacks(client, merchant)) == 1


@pytest.mark.parametrize(
    ("fields", "status", "text"),
    [
        ({"mid": "999999999999", "trans_id": "1"}, 404, "Not done:"),
        ({"amount": "abc"}, 422, "Not done: Amount:"),
    ],
)
async def test_a_chargeback_refused_changes_nothing(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
    fields: dict[str, str],
    status: int,
    text: str,
) -> None:
    trans_id = (await charge(client, merchant, amount=1200)).json()["trans_id"]
    await settle(client, merchant)
    v = await _operator(runtime, visitor)
    form = {"mid": merchant.mid, "trans_id": trans_id, **fields}
    answer = await v.form("/dashboard/payment-tools", "/dashboard/payment-tools/chargeback", **form)
    assert answer.status_code == status
    assert text in answer.text
    assert await _chargebacks(client, merchant) == []


async def test_the_operator_returns_an_ach_payment_with_any_r_code(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await make_merchant(accepts="both")
    trans_id = await ach_sale(client, m, 2500)
    await originate(client, m)
    await settle_ach(client, m)
    v = await _operator(runtime, visitor)
    bad = await v.form(
        "/dashboard/payment-tools",
        "/dashboard/payment-tools/ach-return",
        mid=m.mid,
        trans_id=trans_id,
        return_code="X99",
    )
    assert bad.status_code == 422 and "Return code: must be R01 to R85" in bad.text
    assert (await transaction(client, m, trans_id))["state"] == "settled"
    done = await v.form(
        "/dashboard/payment-tools",
        "/dashboard/payment-tools/ach-return",
        mid=m.mid,
        trans_id=trans_id,
        return_code="r29",
    )
    assert done.status_code == 200, done.text
    assert f"Payment {trans_id} of Test Store is now returned." in done.text
    stored = await transaction(client, m, trans_id)
    assert (stored["state"], stored["return_code"]) == ("returned", "R29")
    [logged] = [d for d in await _audited(runtime, "ach_returned") if d["trans_id"] == trans_id]
    assert (logged["return_code"], logged["state"]) == ("R29", "returned")


async def test_a_card_payment_cannot_be_returned_as_ach(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    trans_id = (await charge(client, merchant, amount=800)).json()["trans_id"]
    await settle(client, merchant)
    v = await _operator(runtime, visitor)
    answer = await v.form(
        "/dashboard/payment-tools",
        "/dashboard/payment-tools/ach-return",
        mid=merchant.mid,
        trans_id=trans_id,
        return_code="R01",
    )
    assert answer.status_code == 409
    assert f"transaction {trans_id} is not an ACH payment" in answer.text
    assert (await transaction(client, merchant, trans_id))["state"] == "settled"


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.OPERATOR])
async def test_no_one_but_an_operator_reaches_the_console(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    trans_id = (await charge(client, merchant, amount=600)).json()["trans_id"]
    await settle(client, merchant)
    partner = await make_partner(client)
    user = await make_user(
        runtime,
        role,
        mid=merchant.mid if not role.startswith("partner") else None,
        partner_id=partner.partner_id if role.startswith("partner") else None,
    )
    v = visitor()
    await v.sign_in(user.email)
    csrf = await v.csrf()
    for path in ("/dashboard/instance", "/dashboard/clock", "/dashboard/payment-tools"):
        assert (await v.get(path)).status_code == 403
    posted = await v.post(
        "/dashboard/payment-tools/chargeback", csrf=csrf, mid=merchant.mid, trans_id=trans_id
    )
    assert posted.status_code == 403
    moved = await v.post("/dashboard/clock/advance", csrf=csrf, until="2099-01-01T00:00:00+00:00")
    assert moved.status_code == 403
    assert await _chargebacks(client, merchant) == []
    assert (await transaction(client, merchant, trans_id))["state"] == "settled"


async def test_a_console_post_without_the_csrf_token_is_refused(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    trans_id = (await charge(client, merchant, amount=600)).json()["trans_id"]
    await settle(client, merchant)
    v = await _operator(runtime, visitor)
    before = runtime.clock.now()
    posted = await v.post(
        "/dashboard/payment-tools/chargeback", csrf="forged", mid=merchant.mid, trans_id=trans_id
    )
    assert posted.status_code == 403
    moved = await v.post("/dashboard/clock/advance", csrf="", until="2099-01-01T00:00:00+00:00")
    assert moved.status_code == 403
    assert await _chargebacks(client, merchant) == []
    assert runtime.clock.now() - before < timedelta(minutes=5)
