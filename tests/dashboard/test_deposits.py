"""The Deposits pages after the issue's scripted sandbox day, to the cent: the list, and
each deposit's payments, refunds, fees, chargebacks and adjustments."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor
from tests.helpers import charge, post
from tests.people.support import make_user
from tests.settlement.support import advance_until, go_to_next, listing, rekey, utc_merchant

CHARGEBACK_VISA = "4000000000000259"  # chargeback 5 days after settlement, Visa 10.4
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
CELL = re.compile(r'<td data-label="([^"]+)"[^>]*>(.*?)</td>', re.S)
TERM = re.compile(r"<div(?: class=\"total\")?><dt>([^<]+)</dt><dd>([^<]+)</dd></div>")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def table(html: str, caption: str) -> list[dict[str, str]]:
    """The rows of the table with this caption, each as {column: text}."""
    body = html.split(f'<caption class="visually-hidden">{caption}</caption>', 1)[1]
    body = body.split("</table>", 1)[0]
    return [{label: _text(cell) for label, cell in CELL.findall(row)} for row in ROW.findall(body)][
        1:
    ]  # the first row is the head


def sums(html: str) -> list[tuple[str, str]]:
    block = html.split('<dl class="details" id="deposit-sum">', 1)[1].split("</dl>", 1)[0]
    return TERM.findall(block)


def _day(moment: datetime) -> str:
    return moment.strftime("%d %b %Y")


async def _scripted_day(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> tuple[MerchantAccess, datetime, dict[str, str]]:
    """tests/settlement/test_scripted_day.py's week, deposit by deposit."""
    monday = await go_to_next(client, 0, 10)
    m = await utc_merchant(make_merchant, name="Deposit Store")
    ids: dict[str, str] = {}
    for name, amount, token in (
        ("a", "100.00", None),
        ("b", "50.00", None),
        ("d", "40.00", CHARGEBACK_VISA),
        ("c", "25.00", None),
    ):
        extra = {"account_token": token} if token else {}
        answer = await charge(client, m, amount=amount, cvn="123", order_id=f"ORD-{name}", **extra)
        ids[name] = answer.json()["trans_id"]
    assert (await post(client, m, "/api/v1/void", trans_id=ids["c"])).json()["result"] == "A"
    await advance_until(client, monday + timedelta(days=1, hours=4))  # Tue 14:00
    m = await rekey(client, m)
    refund = await post(client, m, "/api/v1/refund", trans_id=ids["b"], amount="20.00")
    ids["refund"] = refund.json()["trans_id"]
    ids["f"] = (await charge(client, m, amount="60.00", order_id="ORD-f")).json()["trans_id"]
    await advance_until(client, monday + timedelta(days=2, hours=4))  # Wed 14:00
    await advance_until(client, monday + timedelta(days=8))  # next Tue 10:00: the chargeback
    [cb] = await listing(client, m, "chargebacks")
    won = await client.post(f"/homerun/v1/chargebacks/{cb['chargeback_id']}/win", headers=ADMIN)
    assert won.status_code == 200, won.text
    await advance_until(client, monday + timedelta(days=9, hours=4))  # next Wed 14:00
    ids["case"] = cb["case_number"]
    return m, monday, ids


async def _signed_in(
    runtime: Runtime, visitor: Callable[..., Visitor], m: MerchantAccess, role: Role
) -> Visitor:
    user = await make_user(runtime, role, mid=m.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


async def test_the_deposits_of_a_scripted_week_to_the_cent(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m, monday, ids = await _scripted_day(client, make_merchant)
    fmids = [d["funding_master_id"] for d in await listing(client, m, "deposits")]
    assert len(fmids) == 4
    v = await _signed_in(runtime, visitor, m, Role.VIEWER)
    assert 'href="/dashboard/deposits"' in (await v.get("/dashboard")).text

    listed = await v.get("/dashboard/deposits")
    assert listed.status_code == 200
    days = [monday + timedelta(days=n) for n in (9, 7, 2, 1)]
    assert table(listed.text, "Deposits, newest first") == [
        {
            "Deposit date": f"{_day(day)}, deposit {fmid}",
            "Deposit": fmid,
            "Sales": sales,
            "Refunds": refunds,
            "Fees": fees,
            "Chargebacks and adjustments": other,
            "Amount": amount,
        }
        for day, fmid, (sales, refunds, fees, other, amount) in zip(
            days,
            fmids[::-1],
            [
                ("$0.00", "$0.00", "$0.00", "$40.00", "$40.00"),
                ("$0.00", "$0.00", "$0.00", "-$55.00", "-$55.00"),
                ("$60.00", "-$20.00", "-$2.04", "$0.00", "$37.96"),
                ("$190.00", "$0.00", "-$6.41", "$0.00", "$183.59"),
            ],
            strict=True,
        )
    ]

    first = (await v.get(f"/dashboard/deposits/{fmids[0]}")).text
    assert "<h1>$183.59</h1>" in first
    payments = table(first, "The batch's payments and refunds")
    assert [(p["Kind"], p["Amount"], p["Order ID"]) for p in payments] == [
        ("Sale", "$100.00", "ORD-a"),
        ("Sale", "$50.00", "ORD-b"),
        ("Sale", "$40.00", "ORD-d"),
    ]
    for name in ("a", "b", "d"):
        assert f'href="/dashboard/payments/{ids[name]}"' in first
    assert f'href="/dashboard/payments/{ids["c"]}"' not in first  # voided, never settled
    assert sums(first) == [
        ("Sales (3)", "$190.00"),
        ("Refunds (0)", "$0.00"),
        ("Processing fees", "-$6.41"),
        ("Chargebacks", "$0.00"),
        ("Chargebacks won back", "$0.00"),
        ("Adjustments", "$0.00"),
        ("Deposit", "$183.59"),
    ]

    second = (await v.get(f"/dashboard/deposits/{fmids[1]}")).text
    payments = table(second, "The batch's payments and refunds")
    assert [(p["Kind"], p["Amount"]) for p in payments] == [
        ("Refund", "-$20.00"),
        ("Sale", "$60.00"),
    ]
    assert sums(second)[:3] == [
        ("Sales (1)", "$60.00"),
        ("Refunds (1)", "-$20.00"),
        ("Processing fees", "-$2.04"),
    ]
    assert sums(second)[-1] == ("Deposit", "$37.96")

    third = (await v.get(f"/dashboard/deposits/{fmids[2]}")).text
    assert "No batch: this deposit carries only chargebacks and adjustments." in third
    assert table(third, "Chargebacks in this deposit") == [
        {
            "Case": ids["case"],
            "Payment": f"Visa ···· 0259, payment {ids['d']}",
            "Reason": "10.4 Other Fraud - Card-Absent Environment",
            "State": "Won",
            "Here": "Debited",
            "Amount": "-$40.00",
        }
    ]
    assert table(third, "Adjustments in this deposit") == [
        {
            "When": f"{_day(monday + timedelta(days=5))}, 22:00",
            "Type": "chargeback fee",
            "Reason": f"Chargeback fee, case {ids['case']}",
            "Amount": "-$15.00",
        }
    ]
    assert sums(third) == [
        ("Sales (0)", "$0.00"),
        ("Refunds (0)", "$0.00"),
        ("Processing fees", "$0.00"),
        ("Chargebacks", "-$40.00"),
        ("Chargebacks won back", "$0.00"),
        ("Adjustments", "-$15.00"),
        ("Deposit", "-$55.00"),
    ]

    fourth = (await v.get(f"/dashboard/deposits/{fmids[3]}")).text
    [won] = table(fourth, "Chargebacks in this deposit")
    assert (won["Here"], won["Amount"]) == ("Won back", "$40.00")
    assert sums(fourth)[4:] == [
        ("Chargebacks won back", "$40.00"),
        ("Adjustments", "$0.00"),
        ("Deposit", "$40.00"),
    ]

    # Another merchant's people find none of it.
    other = await make_merchant(name="Other Store")
    stranger = await _signed_in(runtime, visitor, other, Role.OWNER)
    assert (await stranger.get(f"/dashboard/deposits/{fmids[0]}")).status_code == 404
    theirs = (await stranger.get("/dashboard/deposits")).text
    assert "No deposits yet." in theirs and fmids[0] not in theirs


@pytest.mark.parametrize("role", [Role.DEVELOPER, Role.SUPPORT])
async def test_roles_without_deposits_get_403(
    role: Role,
    runtime: Runtime,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _signed_in(runtime, visitor, merchant, role)
    assert 'href="/dashboard/deposits"' not in (await v.get("/dashboard")).text
    assert (await v.get("/dashboard/deposits")).status_code == 403
    assert (await v.get("/dashboard/deposits/F1000001")).status_code == 403


async def test_bad_deposit_links(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    v = await _signed_in(runtime, visitor, merchant, Role.OWNER)
    for path in ("F999999999", "nonsense", "F1'--"):
        assert (await v.get(f"/dashboard/deposits/{path}")).status_code == 404
    assert (await v.get("/dashboard/deposits", before="x1")).status_code == 400
    assert "No deposits yet." in (await v.get("/dashboard/deposits")).text
