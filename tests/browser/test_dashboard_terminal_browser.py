"""The virtual terminal in a real browser: a card keyed into Homerun's card frame by keyboard
alone and charged, under the page's own policy (scripts and frames from Homerun only), with
the card number never in the dashboard's page or in what its form posts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.browser.conftest import PHONE, LiveHomerun, Watch, low_contrast, open_page, screenshot
from tests.browser.test_dashboard_browser import _focus_ring, _sign_in
from tests.dashboard.test_terminal import rows
from tests.people.support import make_user

pytestmark = pytest.mark.browser

DESKTOP_800: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PAN = "4111111111111111"
FRAME = "iframe[data-homerun-runner]"


async def _focused(page: Any) -> str:
    """What has the focus: an element of the page, or of the card frame inside it."""
    described: str = await page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.tagName === 'IFRAME' ? 'frame' : (e.id || e.textContent.trim()); }"
    )
    if described == "frame":
        card = page.frame(url=lambda url: "/homerun/v1/tokenizer/frame" in url)
        inner: str = await card.evaluate("document.activeElement.id")
        return f"frame#{inner}"
    return described


def _posted(page: Any) -> list[str]:
    bodies: list[str] = []

    def on_request(request: Any) -> None:
        if request.method == "POST" and "/dashboard/" in request.url:
            bodies.append(request.post_data or "")

    page.on("request", on_request)
    return bodies


async def test_a_card_keyed_into_the_frame_by_keyboard_is_charged(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Harbour Hardware")
    user = await make_user(runtime, Role.SUPPORT, mid=m.mid, email="jo@harbour-hardware.example")
    page, watch = await open_page(browser, DESKTOP_800)
    posted = _posted(page)
    try:
        await _sign_in(page, homerun, user.email)
        await page.click("nav >> text=Terminal")
        await page.wait_for_selector("#card-frame[data-loaded=yes]")
        assert await page.text_content("h1") == "Terminal"

        # Keyboard only, from the skip link: the two ways to pay, the frame's fields, the form.
        await page.keyboard.press("Tab")
        assert await _focused(page) == "Skip to content"
        await page.keyboard.press("Enter")
        steps = []
        for _ in range(3):
            await page.keyboard.press("Tab")
            steps.append(await _focused(page))
        assert steps == ["Key in a card", "Saved account", "frame#card-number"]
        await page.keyboard.type(PAN, delay=5)
        await page.keyboard.press("Tab")
        assert await _focused(page) == "frame#expiry-month"
        await page.keyboard.type("12")
        await page.keyboard.press("Tab")
        assert await _focused(page) == "frame#expiry-year"
        await page.keyboard.type("2030")
        await page.keyboard.press("Tab")
        assert await _focused(page) == "amount"
        assert (await _focus_ring(page)).startswith("solid 3px")
        await page.keyboard.type("25.00")
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.value") == "sale"
        await page.keyboard.press("Tab")
        assert await _focused(page) == "order_id"
        await page.keyboard.type("PHONE-1")
        await page.keyboard.press("Tab")
        assert await _focused(page) == "invoice_id"
        await page.keyboard.press("Tab")
        assert await _focused(page) == "charge"
        assert (await _focus_ring(page)).startswith("solid 3px")
        frame = page.frame_locator(FRAME)
        assert await frame.locator("#card-number").input_value() == "4111 1111 1111 1111"
        assert await frame.locator("#cvv").is_hidden()  # no CVV through this page
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-terminal-desktop")

        await page.keyboard.press("Enter")
        await page.wait_for_url(re.compile(r".*/dashboard/terminal\?done=\d+$"))
        result = await page.text_content("#result p")
        assert result == "Approved: $25.00 on Visa ···· 1111 · Captured, not yet settled"
        trans_id = page.url.rsplit("=", 1)[1]
        stored = await homerun.transaction(m, trans_id)
        assert (stored["state"], stored["amount_captured"], stored["order_id"]) == (
            "captured",
            2500,
            "PHONE-1",
        )
        assert stored["user_identifier"] == user.email
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-terminal-approved-desktop")

        # The number was typed into the frame: not into this page, nor into what it posted.
        charge = [body for body in posted if "form_key=" in body]
        assert len(charge) == 1
        assert f"account_token={stored['account_token']}" in charge[0]
        assert PAN not in charge[0] and "4111+1111" not in charge[0]
        assert PAN not in await page.content()

        await page.click(f"text=View payment {trans_id}")
        assert (await page.text_content("h1") or "").startswith("$25.00")
        watch.assert_clean()  # no script error, and no load the page's policy refused
    finally:
        await page.context.close()


async def test_on_a_phone_a_double_tap_on_charge_charges_once(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Harbour Hardware")
    user = await make_user(runtime, Role.OWNER, mid=m.mid)
    phone, watch = await open_page(browser, PHONE)
    try:
        await _sign_in(phone, homerun, user.email)
        await phone.goto(f"{homerun.url}/dashboard/terminal")
        await phone.wait_for_selector("#card-frame[data-loaded=yes]")
        frame = phone.frame_locator(FRAME)
        await frame.locator("#card-number").press_sequentially("5555555555554444", delay=5)
        await frame.locator("#expiry-month").select_option("08")
        await frame.locator("#expiry-year").select_option("2031")
        await phone.fill("#amount", "12.40")
        await phone.fill("#order_id", "COUNTER-7")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert await low_contrast(phone) == []
        await screenshot(phone, "dashboard-terminal-phone")

        await phone.dblclick("#charge")
        await phone.wait_for_url(re.compile(r".*/dashboard/terminal\?done=\d+$"))
        assert await phone.text_content("#result p") == (
            "Approved: $12.40 on Mastercard ···· 4444 · Captured, not yet settled"
        )
        charged = [(r.amount_captured, r.order_id) for r in await rows(runtime, m)]
        assert charged == [(1240, "COUNTER-7")]
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        watch.assert_clean()
    finally:
        await phone.context.close()


async def test_a_saved_account_is_found_by_its_vault_id_and_charged(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, runtime: Runtime
) -> None:
    page, watch = desktop
    m = await homerun.merchant(name="Harbour Hardware", accepts="both")
    made = await homerun.http.post(
        "/api/v1/vault_payment_accounts",
        json={"mid": m.mid, "account_token": PAN, "expiration": "09/32", "name": "Dana Cole"},
        headers=m.headers,
    )
    assert made.status_code == 200, made.text
    vault_id = str(made.json()["vault_id"])
    user = await make_user(runtime, Role.ADMIN, mid=m.mid)
    await _sign_in(page, homerun, user.email)
    await page.goto(f"{homerun.url}/dashboard/terminal")
    await page.click("text=Saved account")
    await page.fill("#lookup-vault-id", vault_id)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#saved-account")
    assert await page.text_content("#saved-account dd") == "Visa ···· 1111"
    await page.fill("#amount", "64.00")
    await page.check("input[value=auth]")
    assert await low_contrast(page) == []
    await screenshot(page, "dashboard-terminal-saved-desktop")
    await page.click("#charge")
    await page.wait_for_url(re.compile(r".*/dashboard/terminal\?done=\d+$"))
    assert (await page.text_content("#result p") or "").startswith(
        "Approved: $64.00 on Visa ···· 1111 · Authorized"
    )
    trans_id = page.url.rsplit("=", 1)[1]
    stored = await homerun.transaction(m, trans_id)
    assert (stored["state"], stored["amount_authorized"], stored["vault_id"]) == (
        "authorized",
        6400,
        made.json()["uuid"],
    )
    watch.assert_clean()
