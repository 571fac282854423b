"""The Chargebacks pages: the list and a chargeback's page to the cent, accepting and
challenging through settlement, who may, and another merchant's people."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor, signed_in
from tests.dashboard.test_deposits import table
from tests.helpers import charge
from tests.settlement.support import advance_until, balance, listing, rekey, utc_merchant

HISTORY = re.compile(r'<span class="small">([^<]+)</span><br>([^<]+)</li>')


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%d %b %Y, %H:%M")


async def _disputed(
    client: httpx.AsyncClient, m: MerchantAccess, *sales: tuple[str, str | None, str]
) -> list[dict[str, Any]]:
    """Settled sales (amount, cvn, reason code), each charged back in full, oldest first."""
    ids = []
    for amount, cvn, _ in sales:
        extra = {"cvn": cvn} if cvn else {}
        body = (await charge(client, m, amount=amount, **extra)).json()
        assert body["result"] == "A", body
        ids.append(body["trans_id"])
    closed = await client.post(f"/homerun/v1/merchants/{m.mid}/batches/close", headers=ADMIN)
    assert closed.status_code == 200, closed.text
    opened = []
    for trans_id, (_, _, reason) in zip(ids, sales, strict=True):
        answer = await client.post(
            "/homerun/v1/chargebacks",
            json={"mid": m.mid, "trans_id": trans_id, "reason_code": reason},
            headers=ADMIN,
        )
        assert answer.status_code == 201, answer.text
        opened.append(answer.json())
    return opened


async def _states(client: httpx.AsyncClient, m: MerchantAccess) -> list[tuple[str, str | None]]:
    return [(c["state"], c["decided_by"]) for c in await listing(client, m, "chargebacks")]


async def test_the_list_a_chargeback_and_its_answers(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await utc_merchant(make_merchant, name="Dispute Store", chargeback_fee="15.00")
    fraud, accepted, service = await _disputed(
        client, m, ("80.00", "123", "10.4"), ("30.00", None, "10.4"), ("12.50", "123", "13.1")
    )
    v = await signed_in(runtime, visitor, m, Role.SUPPORT)
    home = (await v.get("/dashboard")).text
    assert 'href="/dashboard/chargebacks"' in home

    listed = await v.get("/dashboard/chargebacks")
    assert listed.status_code == 200
    assert table(listed.text, "Chargebacks, newest first") == [
        {
            "Opened": f"{_when(cb['opened_at'])}, case {cb['case_number']}",
            "Amount": amount,
            "Reason": reason,
            "Status": "Open",
            "Respond by": _when(cb["respond_by"]),
            "Card": "Visa ···· 1111",
        }
        for cb, amount, reason in (
            (service, "$12.50", "13.1 Merchandise/Services Not Received"),
            (accepted, "$30.00", "10.4 Other Fraud - Card-Absent Environment"),
            (fraud, "$80.00", "10.4 Other Fraud - Card-Absent Environment"),
        )
    ]
    assert "due-soon" not in listed.text  # 30 days to answer

    page = (await v.get(f"/dashboard/chargebacks/{fraud['chargeback_id']}")).text
    assert "<h1>$80.00 <span" in page
    assert f'href="/dashboard/payments/{fraud["trans_id"]}"' in page
    assert HISTORY.findall(page) == [
        (_when(fraud["opened_at"]), "The cardholder disputed $80.00 of the payment"),
        (_when(fraud["opened_at"]), "Chargeback fee charged: $15.00"),
    ]
    assert 'action="/dashboard/chargebacks/{}/challenge"'.format(fraud["chargeback_id"]) in page
    before = await balance(client, m)

    # A fraud claim on a sale whose CVV matched: the challenge is won, the amount comes back.
    won = await v.form(
        f"/dashboard/chargebacks/{fraud['chargeback_id']}",
        f"/dashboard/chargebacks/{fraud['chargeback_id']}/challenge",
    )
    assert won.status_code == 303
    assert won.headers["location"].endswith("?done=challenge")
    after = await balance(client, m)
    assert after["pending_funding"] == _plus(before["pending_funding"], "80.00")
    page = (await v.get(won.headers["location"])).text
    assert "Your challenge was decided." in page and 'badge-good">Won<' in page
    assert "/challenge" not in page  # decided: no forms any more
    assert HISTORY.findall(page)[-1][1] == "You challenged it and the network decided: won"

    lost = await v.form(
        f"/dashboard/chargebacks/{accepted['chargeback_id']}",
        f"/dashboard/chargebacks/{accepted['chargeback_id']}/accept",
    )
    assert lost.status_code == 303
    # Not a fraud claim: a challenge is lost, whatever the CVV said.
    also_lost = await v.form(
        f"/dashboard/chargebacks/{service['chargeback_id']}",
        f"/dashboard/chargebacks/{service['chargeback_id']}/challenge",
    )
    assert also_lost.status_code == 303
    assert await _states(client, m) == [
        ("won", "network"),
        ("lost", "merchant"),
        ("lost", "network"),
    ]
    assert (await balance(client, m))["pending_funding"] == after["pending_funding"]

    # Answering again changes nothing: 409, the page says why.
    again = await v.post(
        f"/dashboard/chargebacks/{accepted['chargeback_id']}/challenge", csrf=await v.csrf()
    )
    assert again.status_code == 409
    assert f"Not done: chargeback {accepted['chargeback_id']} is already lost." in again.text
    assert await _states(client, m) == [
        ("won", "network"),
        ("lost", "merchant"),
        ("lost", "network"),
    ]
    owner = await signed_in(runtime, visitor, m, Role.OWNER)
    log = (await owner.get("/dashboard/audit")).text
    assert log.count("chargeback challenged") == 2 and log.count("chargeback accepted") == 1
    assert f"case_number: {accepted['case_number']}" in log and "outcome: lost" in log


def _plus(dollars: str, more: str) -> str:
    return f"{(int(dollars.replace('.', '')) + int(more.replace('.', ''))) / 100:.2f}"


async def test_a_deadline_within_three_days_is_highlighted(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await utc_merchant(make_merchant, name="Late Store")
    [cb] = await _disputed(client, m, ("20.00", "123", "10.4"))
    respond_by = datetime.fromisoformat(cb["respond_by"].replace("Z", "+00:00"))
    await advance_until(client, respond_by - timedelta(days=2, hours=1))
    m = await rekey(client, m)
    v = await signed_in(runtime, visitor, m, Role.ADMIN)
    listed = (await v.get("/dashboard/chargebacks")).text
    assert listed.count('class="due-soon"') == 1
    assert '<span class="due">Due in 2 days</span>' in listed
    page = (await v.get(f"/dashboard/chargebacks/{cb['chargeback_id']}")).text
    assert f"<strong>Due in 2 days</strong>: respond by {_when(cb['respond_by'])}." in page


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
async def test_roles_that_may_not_answer(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await utc_merchant(make_merchant, name=f"Roles {role}")
    [cb] = await _disputed(client, m, ("9.00", "123", "10.4"))
    v = await signed_in(runtime, visitor, m, role)
    path = f"/dashboard/chargebacks/{cb['chargeback_id']}"
    page = await v.get(path)
    if role is Role.VIEWER:  # may look, not answer
        assert page.status_code == 200 and "/accept" not in page.text
    else:
        assert page.status_code == 403
        assert (await v.get("/dashboard/chargebacks")).status_code == 403
    for action in ("accept", "challenge"):
        assert (await v.post(f"{path}/{action}", csrf=await v.csrf())).status_code == 403
    assert await _states(client, m) == [("open", None)]


async def test_another_merchants_chargeback_is_not_found(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    a = await utc_merchant(make_merchant, name="Merchant A")
    b = await utc_merchant(make_merchant, name="Merchant B")
    [theirs] = await _disputed(client, b, ("44.00", "123", "10.4"))
    v = await signed_in(runtime, visitor, a, Role.OWNER)
    path = f"/dashboard/chargebacks/{theirs['chargeback_id']}"
    assert (await v.get(path)).status_code == 404
    for action in ("accept", "challenge"):
        assert (await v.post(f"{path}/{action}", csrf=await v.csrf())).status_code == 404
    assert await _states(client, b) == [("open", None)]
    assert "No chargebacks." in (await v.get("/dashboard/chargebacks")).text


async def test_bad_links_and_forged_posts(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await utc_merchant(make_merchant, name="Links Store")
    [cb] = await _disputed(client, m, ("5.00", "123", "10.4"))
    v = await signed_in(runtime, visitor, m, Role.OWNER)
    for path in ("abc", "99999999999", "1'--", "9" * 30):
        assert (await v.get(f"/dashboard/chargebacks/{path}")).status_code == 404
    assert (await v.get("/dashboard/chargebacks", before="x1")).status_code == 400
    path = f"/dashboard/chargebacks/{cb['chargeback_id']}"
    assert (await v.post(f"{path}/win", csrf=await v.csrf())).status_code == 404
    for csrf in ("", "forged"):
        assert (await v.post(f"{path}/accept", csrf=csrf)).status_code == 403
    assert await _states(client, m) == [("open", None)]
