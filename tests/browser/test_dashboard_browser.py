"""The dashboard in a real browser: signing in, finding a payment, refunding it, and what
a role or another merchant's user may not do."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest

from homerun.people import service as people
from homerun.people.models import User
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.browser.conftest import (
    PHONE,
    LiveHomerun,
    Watch,
    autofocused,
    low_contrast,
    open_page,
    screenshot,
)
from tests.conftest import ADMIN, MerchantAccess
from tests.people.support import PASSWORD, TESTS, make_user

pytestmark = pytest.mark.browser

DESKTOP_800: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
MASTERCARD = "5555555555554444"


async def _charge(live: LiveHomerun, m: MerchantAccess, **fields: Any) -> str:
    body = {"mid": m.mid, "amount": 4200, "account_token": MASTERCARD, "expiration": "12/30"}
    answer = await live.http.post("/api/v1/charge", json={**body, **fields}, headers=m.headers)
    assert answer.status_code == 200 and answer.json()["result"] == "A", answer.text
    trans_id: str = answer.json()["trans_id"]
    return trans_id


async def _settle(live: LiveHomerun, m: MerchantAccess) -> None:
    closed = await live.http.post(f"/homerun/v1/merchants/{m.mid}/batches/close", headers=ADMIN)
    assert closed.status_code == 200, closed.text


async def _sign_in(page: Any, live: LiveHomerun, email: str) -> None:
    await page.goto(f"{live.url}/dashboard")
    assert page.url == f"{live.url}/dashboard/sign-in"
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live.url}/dashboard")


async def _focus_ring(page: Any) -> str:
    style: str = await page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle + ' ' + s.outlineWidth; }"
    )
    return style


async def test_sign_in_with_the_keyboard_then_find_and_refund_a_payment_by_last_four(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Corner Bakery")
    for n, card in enumerate(("4111111111111111", MASTERCARD, "4111111111111111")):
        await _charge(homerun, m, account_token=card, amount=1500 + 1000 * n, order_id=f"CAKE-{n}")
    await _settle(homerun, m)
    # The one user of this name in a run's database; a readable one for the screenshots.
    user = await make_user(runtime, Role.SUPPORT, mid=m.mid, email="sam@corner-bakery.example")
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        await page.goto(f"{homerun.url}/dashboard")
        assert await page.title() == "Sign in · Homerun"
        assert await autofocused(page) == "email"
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-sign-in-desktop")
        # Keyboard only: email, Tab, password, Enter.
        await page.keyboard.type(user.email)
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.id") == "password"
        assert (await _focus_ring(page)).startswith("solid 3px")
        await page.keyboard.type(PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{homerun.url}/dashboard")
        assert await page.text_content("h1") == "Home"
        assert await page.text_content(".tenant") == "Corner Bakery"
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-home-desktop")

        # Tab order from the top: skip link, Homerun, Sign out, then the menu.
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
        focus = []
        for _ in range(6):
            await page.keyboard.press("Tab")
            focus.append(await page.evaluate("document.activeElement.textContent.trim()"))
            assert (await _focus_ring(page)).startswith("solid 3px"), focus
        assert focus == ["Homerun", "Sign out", "Home", "Payments", "Terminal", "Chargebacks"]

        await page.click("nav >> text=Payments")
        await page.fill("#last_four", "4444")
        await page.keyboard.press("Enter")
        await page.wait_for_url(re.compile(r".*last_four=4444.*"))
        rows = page.locator("table.list tbody tr")
        assert await rows.count() == 1
        assert "CAKE-1" in (await rows.first.text_content() or "")
        await page.fill("#last_four", "")
        await page.click("text=Search")
        await page.wait_for_url(re.compile(r".*/dashboard/payments\?.*"))
        assert await page.locator("table.list tbody tr").count() == 3
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-payments-desktop")
        await page.fill("#last_four", "4444")
        await page.keyboard.press("Enter")
        await page.wait_for_url(re.compile(r".*last_four=4444.*"))

        await page.click("table.list tbody tr a")
        assert (await page.text_content("h1") or "").startswith("$25.00")
        assert "Up to $25.00" in (await page.text_content("#amount-refund-hint") or "")
        await page.fill("#amount-refund", "10.00")
        await screenshot(page, "dashboard-payment-desktop")
        await page.click("button:has-text('Refund')")
        await page.wait_for_url(re.compile(r".*done=refunded$"))
        assert await page.text_content(".notice-ok") == "The refund was made."
        assert "Up to $15.00" in (await page.text_content("#amount-refund-hint") or "")
        assert "-$10.00" in (await page.text_content("#refunds-title + ul") or "")
        watch.assert_clean()
    finally:
        await page.context.close()

    phone, phone_watch = await open_page(browser, PHONE)
    try:
        await phone.goto(f"{homerun.url}/dashboard")
        await screenshot(phone, "dashboard-sign-in-phone")
        await _sign_in(phone, homerun, user.email)
        await screenshot(phone, "dashboard-home-phone")
        await phone.goto(f"{homerun.url}/dashboard/payments")
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # nothing wider than the phone
        await screenshot(phone, "dashboard-payments-phone")
        await phone.click("table.list tbody tr a >> nth=1")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        await screenshot(phone, "dashboard-payment-phone")
        assert await low_contrast(phone) == []
        phone_watch.assert_clean()
    finally:
        await phone.context.close()


async def test_sign_in_with_a_totp_code(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, runtime: Runtime
) -> None:
    page, watch = desktop
    m = await homerun.merchant(name="Two Step Shop")
    user = await make_user(runtime, Role.OWNER, mid=m.mid)
    async with runtime.db.transaction() as session:
        row = await session.get(User, user.id)
        assert row is not None
        setup = await people.enable_totp(session, runtime, TESTS, row)
    await page.goto(f"{homerun.url}/dashboard/sign-in")
    await page.fill("#email", user.email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{homerun.url}/dashboard/sign-in/code")
    assert await autofocused(page) == "code"
    await page.keyboard.type("000000")
    await page.keyboard.press("Enter")
    assert "That code is not right" in (await page.text_content(".notice-error") or "")
    await page.fill("#code", pyotp.TOTP(setup.secret).now())
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{homerun.url}/dashboard")
    assert await page.text_content(".tenant") == "Two Step Shop"
    watch.assert_clean()


async def test_a_viewer_sees_no_refund_button_and_a_forged_post_is_refused(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, runtime: Runtime
) -> None:
    page, _ = desktop
    m = await homerun.merchant(name="Look Only Ltd")
    trans_id = await _charge(homerun, m)
    await _settle(homerun, m)
    user = await make_user(runtime, Role.VIEWER, mid=m.mid)
    await _sign_in(page, homerun, user.email)
    await page.goto(f"{homerun.url}/dashboard/payments/{trans_id}")
    assert await page.locator("button:has-text('Refund')").count() == 0
    assert await page.locator("form[action$='/refund']").count() == 0
    csrf = await page.get_attribute("input[name=csrf]", "value")
    forged = await page.request.post(
        f"{homerun.url}/dashboard/payments/{trans_id}/refund",
        form={"csrf": csrf or "", "amount": "1.00"},
    )
    assert forged.status == 403
    assert (await homerun.transaction(m, trans_id))["amount_refunded"] == 0


async def test_a_user_of_one_merchant_cannot_open_anothers_payment(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, runtime: Runtime
) -> None:
    page, _ = desktop
    a = await homerun.merchant(name="Merchant A")
    b = await homerun.merchant(name="Merchant B")
    theirs = await _charge(homerun, b)
    user = await make_user(runtime, Role.OWNER, mid=a.mid)
    await _sign_in(page, homerun, user.email)
    answer = await page.goto(f"{homerun.url}/dashboard/payments/{theirs}")
    assert answer is not None and answer.status == 404
    assert await page.text_content("h1") == "Not found"


async def test_merchant_controlled_html_shows_as_text(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, runtime: Runtime
) -> None:
    page, watch = desktop
    evil = "<img src=x onerror=alert(1)>"
    m = await homerun.merchant(name=f"Evil {evil}")
    trans_id = await _charge(
        homerun, m, order_id="<b>bold</b>", custom_01=f"<script>alert(2)</script>{evil}"
    )
    user = await make_user(runtime, Role.OWNER, mid=m.mid)
    await _sign_in(page, homerun, user.email)
    assert await page.text_content(".tenant") == f"Evil {evil}"
    await page.goto(f"{homerun.url}/dashboard/payments/{trans_id}")
    assert await page.locator("img").count() == 0 and await page.locator("b").count() == 0
    custom = await page.text_content("#custom-fields dd")
    assert custom == f"<script>alert(2)</script>{evil}"
    await page.goto(f"{homerun.url}/dashboard/payments")
    assert "<b>bold</b>" in (await page.text_content("table.list") or "")
    watch.assert_clean()  # no dialog opened, no script ran
