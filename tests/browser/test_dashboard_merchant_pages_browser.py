"""The Chargebacks, Customers and Billing plans pages in a real browser: answering a
chargeback, finding a customer, making a billing plan and cancelling it, at desktop and
phone widths."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.browser.conftest import PHONE, LiveHomerun, low_contrast, open_page, screenshot
from tests.conftest import ADMIN, MerchantAccess
from tests.people.support import PASSWORD, make_user

pytestmark = pytest.mark.browser

VISA, MASTERCARD = "4111111111111111", "5555555555554444"


async def _settled_sale(live: LiveHomerun, m: MerchantAccess, amount: int, **extra: Any) -> str:
    body = {"mid": m.mid, "amount": amount, "account_token": VISA, "expiration": "12/30", **extra}
    answer = await live.http.post("/api/v1/charge", json=body, headers=m.headers)
    assert answer.status_code == 200 and answer.json()["result"] == "A", answer.text
    trans_id: str = answer.json()["trans_id"]
    return trans_id


async def _chargebacks(live: LiveHomerun, m: MerchantAccess) -> list[dict[str, Any]]:
    fraud = await _settled_sale(live, m, 12900, cvn="123", order_id="BOOK-1042")
    other = await _settled_sale(live, m, 4550, order_id="BOOK-1043")
    closed = await live.http.post(f"/homerun/v1/merchants/{m.mid}/batches/close", headers=ADMIN)
    assert closed.status_code == 200, closed.text
    made = []
    for trans_id, reason in ((other, "13.1"), (fraud, "10.4")):
        answer = await live.http.post(
            "/homerun/v1/chargebacks",
            json={"mid": m.mid, "trans_id": trans_id, "reason_code": reason},
            headers=ADMIN,
        )
        assert answer.status_code == 201, answer.text
        made.append(answer.json())
    return made


async def _vaulted(live: LiveHomerun, m: MerchantAccess, pan: str, **fields: Any) -> Any:
    token = await live.http.post(
        "/homerun/v1/tokens",
        json={"account_number": pan, "expiry": "12/30"},
        headers={"Authorization": f"Bearer {m.public_key}"},
    )
    assert token.status_code == 200, token.text
    body = {"mid": m.mid, "account_token": token.json()["account_token"], **fields}
    answer = await live.http.post("/api/v1/vault_payment_accounts", json=body, headers=m.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _sign_in(page: Any, live: LiveHomerun, email: str) -> None:
    await page.goto(f"{live.url}/dashboard/sign-in")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live.url}/dashboard")


async def _fits(page: Any, width: int) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    assert await low_contrast(page) == []


async def test_answer_a_chargeback_then_make_and_cancel_a_billing_plan(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Harbor Books", timezone="UTC")
    lost_case, won_case = await _chargebacks(homerun, m)
    dana = await _vaulted(
        homerun, m, VISA, name="Dana Whitfield", email="dana@example.com", nickname="Work card"
    )
    await _vaulted(homerun, m, MASTERCARD, name="Ravi <Patel> & Sons")
    user = await make_user(runtime, Role.OWNER, mid=m.mid, email="olivia@harbor-books.example")
    clock = await homerun.http.get("/homerun/v1/clock", headers=ADMIN)
    start = datetime.fromisoformat(clock.json()["now"]) + timedelta(days=3)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)

    page, watch = await open_page(browser)
    try:
        await _sign_in(page, homerun, user.email)
        await page.click("nav >> text=Chargebacks")
        await page.wait_for_url(f"{homerun.url}/dashboard/chargebacks")
        rows = page.locator("table.list tbody tr")
        assert await rows.count() == 2
        assert "$129.00" in (await rows.first.text_content() or "")
        await _fits(page, 1280)
        await screenshot(page, "dashboard-chargebacks-list-desktop")

        await rows.first.locator("a").click()
        assert (await page.text_content("h1") or "").startswith("$129.00")
        assert "Case " + won_case["case_number"] in (await page.text_content(".sub") or "")
        await screenshot(page, "dashboard-chargebacks-case-desktop")
        await page.click("button:has-text('Challenge chargeback')")
        await page.wait_for_url(re.compile(r".*\?done=challenge$"))
        assert await page.text_content("h1 .badge") == "Won"
        assert await page.locator("button:has-text('Accept chargeback')").count() == 0
        history = await page.text_content("#chargeback-history") or ""
        assert "You challenged it and the network decided: won" in history

        await page.goto(f"{homerun.url}/dashboard/chargebacks/{lost_case['chargeback_id']}")
        await page.click("button:has-text('Accept chargeback')")
        await page.wait_for_url(re.compile(r".*\?done=accept$"))
        assert await page.text_content("h1 .badge") == "Lost"

        await page.click("nav >> text=Customers")
        await page.wait_for_url(f"{homerun.url}/dashboard/customers")
        rows = page.locator("table.list tbody tr")
        assert await rows.count() == 2
        assert "Ravi <Patel> & Sons" in (await rows.first.text_content() or "")
        await _fits(page, 1280)
        await screenshot(page, "dashboard-customer-list-desktop")
        await page.fill("#name", "dana")
        await page.keyboard.press("Enter")
        await page.wait_for_url(re.compile(r".*name=dana.*"))
        assert await rows.count() == 1
        await rows.first.locator("a").click()
        await page.wait_for_url(f"{homerun.url}/dashboard/customers/{dana['vault_holder_id']}")
        assert await page.text_content("h1") == "Dana Whitfield"

        # A mistake first: the error names the field, and nothing is made.
        await page.fill("#plan-name", "Book club")
        await page.fill("#plan-amount", "19.999")
        await page.fill("#plan-start", start.strftime("%Y-%m-%dT%H:%M"))
        await page.fill("#plan-rule", "FREQ=MONTHLY;COUNT=6")
        await page.click("button:has-text('Create plan')")
        assert "at most 2 decimals" in (await page.text_content("#plan-amount-error") or "")
        assert await page.get_attribute("#plan-amount", "aria-invalid") == "true"
        assert await page.input_value("#plan-name") == "Book club"  # kept as typed
        await page.fill("#plan-amount", "19.99")
        await page.click("button:has-text('Create plan')")
        await page.wait_for_url(re.compile(r".*\?done=created$"))
        assert await page.text_content(".notice-ok") == "The billing plan was created."
        plan_row = page.locator("section[aria-labelledby=plans-title] tbody tr")
        assert await plan_row.count() == 1
        text = await plan_row.first.text_content() or ""
        assert "$19.99" in text and start.strftime("%d %b %Y, 09:00") in text
        await _fits(page, 1280)
        await screenshot(page, "dashboard-customer-page-desktop")

        await page.click("nav >> text=Billing plans")
        await page.wait_for_url(f"{homerun.url}/dashboard/plans")
        await screenshot(page, "dashboard-customer-plans-desktop")
        await page.click("button:has-text('Cancel plan')")
        await page.wait_for_url(re.compile(r".*\?done=cancelled$"))
        assert await page.text_content(".notice-ok") == "The billing plan was cancelled."
        assert "Cancelled" in (await page.text_content("table.list tbody tr") or "")
        assert await page.locator("button:has-text('Cancel plan')").count() == 0
        watch.assert_clean()
    finally:
        await page.context.close()

    await _phone_pages(browser, homerun, user.email, won_case, dana["vault_holder_id"])


async def _phone_pages(
    browser: Any, live: LiveHomerun, email: str, case: dict[str, Any], holder: str
) -> None:
    phone, watch = await open_page(browser, PHONE)
    try:
        await _sign_in(phone, live, email)
        for path, name in (
            ("/dashboard/chargebacks", "dashboard-chargebacks-list-phone"),
            (f"/dashboard/chargebacks/{case['chargeback_id']}", "dashboard-chargebacks-case-phone"),
            ("/dashboard/customers", "dashboard-customer-list-phone"),
            (f"/dashboard/customers/{holder}", "dashboard-customer-page-phone"),
            ("/dashboard/plans", "dashboard-customer-plans-phone"),
        ):
            await phone.goto(f"{live.url}{path}")
            await _fits(phone, 390)
            await screenshot(phone, name)
        watch.assert_clean()
    finally:
        await phone.context.close()
