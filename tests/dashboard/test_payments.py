"""The merchant's pages: home's figures, the payments list, a payment, refunds and voids."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.conftest import MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor
from tests.helpers import charge, settle, transaction
from tests.people.support import make_user

MASTERCARD = "5555555555554444"
DECLINED = "4000000000000002"
LINK = re.compile(r'href="/dashboard/payments/(\d+)"')


async def _charged(client: httpx.AsyncClient, m: MerchantAccess, **fields: object) -> str:
    answer = await charge(client, m, **fields)
    assert answer.status_code == 200, answer.text
    trans_id: str = answer.json()["trans_id"]
    return trans_id


async def _owner(runtime: Runtime, visitor: Callable[..., Visitor], m: MerchantAccess) -> Visitor:
    user = await make_user(runtime, Role.OWNER, mid=m.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


async def test_home_shows_todays_and_this_months_figures_from_one_query(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _owner(runtime, visitor, merchant)
    empty = await v.get("/dashboard")
    assert "No payments yet" in empty.text and "$0.00" in empty.text
    settled = await _charged(client, merchant, amount=1000)
    await _charged(client, merchant, amount=2500)
    await _charged(client, merchant, amount=550)
    await _charged(client, merchant, amount=9900, account_token=DECLINED)
    await settle(client, merchant)
    refunded = await client.post(
        "/api/v1/refund",
        json={"mid": merchant.mid, "trans_id": settled, "amount": 400},
        headers=merchant.headers,
    )
    assert refunded.json()["result"] == "A", refunded.text
    home = (await v.get("/dashboard")).text
    tiles = re.findall(
        r'<p class="tile-label">([^<]+)</p>\s*<p class="tile-value">([^<]+)</p>\s*'
        r'<p class="tile-sub">([^<]+)</p>',
        home,
    )
    assert tiles == [
        ("Today", "$40.50", "3 payments"),
        ("This month", "$40.50", "3 payments"),
        ("Approval rate this month", "75.0%", "3 of 4 approved"),
        ("Refunds this month", "$4.00", "1 refund"),
    ]


async def test_payments_are_found_by_last_four_order_id_status_and_date(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _owner(runtime, visitor, merchant)
    visa = await _charged(client, merchant, order_id="ORD-VISA")
    master = await _charged(client, merchant, account_token=MASTERCARD, order_id="ORD-MC")
    declined = await _charged(client, merchant, account_token=DECLINED, order_id="ORD-NO")

    async def found(**params: str) -> list[str]:
        page = await v.get("/dashboard/payments", **params)
        assert page.status_code == 200, page.text
        return LINK.findall(page.text)

    assert await found() == [declined, master, visa]
    assert await found(last_four="4444") == [master]
    assert await found(last_four="1111") == [visa]
    assert await found(order_id="ORD-MC") == [master]
    assert await found(status="declined") == [declined]
    assert await found(status="captured", last_four="0002") == []
    assert await found(**{"from": "2000-01-01", "to": "2000-01-31"}) == []
    assert await found(**{"from": "2000-01-01", "to": "2999-12-31"}) == [declined, master, visa]

    bad = await v.get("/dashboard/payments", last_four="12a4", status="lost", to="31/01/2026")
    assert bad.status_code == 400
    assert "Enter the last 4 digits of the card, like 1111." in bad.text
    assert "Choose a status from the list." in bad.text
    assert "Enter a date like 2026-01-31." in bad.text
    assert 'aria-invalid="true"' in bad.text and LINK.findall(bad.text) == []


async def test_the_list_pages_by_keyset(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _owner(runtime, visitor, merchant)
    made = [await _charged(client, merchant, amount=100 + n) for n in range(30)]
    first = await v.get("/dashboard/payments")
    assert LINK.findall(first.text) == made[::-1][:25]
    older = re.search(r'href="(/dashboard/payments\?before=[^"]+)" rel="next"', first.text)
    assert older is not None
    second = await v.get(older.group(1).replace("&amp;", "&"))
    assert LINK.findall(second.text) == made[::-1][25:]
    assert 'rel="next"' not in second.text
    broken = await v.get("/dashboard/payments", before="nonsense")
    assert broken.status_code == 400 and "This page link is not valid" in broken.text


async def test_a_refund_from_the_payment_page_goes_through_the_payments_service(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _owner(runtime, visitor, merchant)
    trans_id = await _charged(client, merchant, amount=2000)
    await settle(client, merchant)
    page = await v.get(f"/dashboard/payments/{trans_id}")
    assert page.status_code == 200
    assert f'action="/dashboard/payments/{trans_id}/refund"' in page.text
    assert "Up to $20.00" in page.text and "/void" not in page.text
    csrf = await v.csrf()

    seen = await v.seen(trans_id)
    assert seen == "settled:2000:2000:0"
    url = f"/dashboard/payments/{trans_id}/refund"
    typo = await v.post(url, csrf=csrf, seen=seen, amount="4.0.0")
    assert typo.status_code == 422 and "Amount: must be a dollar amount" in typo.text
    done = await v.post(url, csrf=csrf, seen=seen, amount="$5.25")
    assert (done.status_code, done.headers["location"]) == (
        303,
        f"/dashboard/payments/{trans_id}?done=refunded",
    )
    after = await transaction(client, merchant, trans_id)
    assert (after["state"], after["amount_refunded"]) == ("partially_refunded", 525)
    shown = await v.get(f"/dashboard/payments/{trans_id}?done=refunded")
    assert "The refund was made." in shown.text and "-$5.25" in shown.text
    assert "Up to $14.75" in shown.text

    # The same form again (a second click): the payment has changed since, nothing is done.
    twice = await v.post(url, csrf=csrf, seen=seen, amount="$5.25")
    assert twice.status_code == 409 and "this payment changed since you opened it" in twice.text
    assert (await transaction(client, merchant, trans_id))["amount_refunded"] == 525

    seen = await v.seen(trans_id)
    too_much = await v.post(url, csrf=csrf, seen=seen, amount="15.00")
    assert too_much.status_code == 409
    assert "refund amount is more than what remains to refund" in too_much.text
    assert (await transaction(client, merchant, trans_id))["amount_refunded"] == 525
    rest = await v.post(url, csrf=csrf, seen=seen, amount="")
    assert rest.status_code == 303
    final = await v.get(f"/dashboard/payments/{trans_id}")
    assert "Refunded" in final.text and "/refund" not in final.text.split("</h1>")[1]

    audit = await v.get("/dashboard/audit")
    assert audit.text.count(f"trans_id: {trans_id}") == 2
    assert "amount: 525" in audit.text and "amount: 1475" in audit.text


async def test_an_unsettled_payment_is_voided(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _owner(runtime, visitor, merchant)
    trans_id = await _charged(client, merchant, amount=1234)
    page = await v.get(f"/dashboard/payments/{trans_id}")
    assert f'action="/dashboard/payments/{trans_id}/void"' in page.text
    voided = await v.post(
        f"/dashboard/payments/{trans_id}/void", csrf=await v.csrf(), seen=await v.seen(trans_id)
    )
    assert voided.headers["location"] == f"/dashboard/payments/{trans_id}?done=voided"
    assert (await transaction(client, merchant, trans_id))["state"] == "voided"


async def test_an_authorization_is_captured_in_part_once(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await _owner(runtime, visitor, merchant)
    trans_id = await _charged(client, merchant, amount=4000, capture="N")
    page = await v.get(f"/dashboard/payments/{trans_id}")
    assert f'action="/dashboard/payments/{trans_id}/capture"' in page.text
    assert f'action="/dashboard/payments/{trans_id}/void"' in page.text
    assert "Up to $40.00" in page.text
    csrf, seen = await v.csrf(), await v.seen(trans_id)
    assert seen == "authorized:4000:0:0"
    url = f"/dashboard/payments/{trans_id}/capture"

    too_much = await v.post(url, csrf=csrf, seen=seen, amount="40.01")
    assert too_much.status_code == 409
    assert "at most the authorized amount" in too_much.text
    assert (await transaction(client, merchant, trans_id))["state"] == "authorized"

    done = await v.post(url, csrf=csrf, seen=seen, amount="$30.00")
    assert done.headers["location"] == f"/dashboard/payments/{trans_id}?done=captured"
    after = await transaction(client, merchant, trans_id)
    assert (after["state"], after["amount_captured"]) == ("captured", 3000)
    shown = await v.get(f"/dashboard/payments/{trans_id}?done=captured")
    assert "The payment was captured." in shown.text
    assert f"/dashboard/payments/{trans_id}/capture" not in shown.text

    # The same form again (a second click) finds the payment changed: nothing more happens.
    twice = await v.post(url, csrf=csrf, seen=seen, amount="$30.00")
    assert twice.status_code == 409 and "this payment changed since you opened it" in twice.text
    assert (await transaction(client, merchant, trans_id))["amount_captured"] == 3000
    audit = await v.get("/dashboard/audit")
    assert audit.text.count(f"trans_id: {trans_id}") == 1 and "amount: 3000" in audit.text


async def test_a_role_that_may_not_refund_may_not_capture(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    user = await make_user(runtime, Role.DEVELOPER, mid=merchant.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    trans_id = await _charged(client, merchant, amount=4000, capture="N")
    assert "/capture" not in (await v.get(f"/dashboard/payments/{trans_id}")).text
    refused = await v.post(
        f"/dashboard/payments/{trans_id}/capture", csrf=await v.csrf(), seen=await v.seen(trans_id)
    )
    assert refused.status_code == 403
    assert (await transaction(client, merchant, trans_id))["state"] == "authorized"


async def test_merchant_text_is_shown_as_text(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    evil = "<script>alert(1)</script>"
    m = await make_merchant(name=f"Acme {evil}")
    v = await _owner(runtime, visitor, m)
    trans_id = await _charged(
        client, m, order_id='"><img src=x onerror=alert(2)>', custom_01=evil, name=evil
    )
    for path in ("/dashboard", "/dashboard/payments", f"/dashboard/payments/{trans_id}"):
        html = (await v.get(path)).text
        assert "<script>alert" not in html and "<img src=x" not in html
    page = (await v.get(f"/dashboard/payments/{trans_id}")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
