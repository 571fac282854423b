"""In a real browser: a partner boards a merchant from the form and follows it to live, and
an owner invites a user from the team page."""

from __future__ import annotations

from typing import Any

import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.boarding.support import GOOD_ROUTING, advance, get_merchant, make_partner
from tests.browser.conftest import DESKTOP, PHONE, LiveHomerun, low_contrast, open_page, screenshot
from tests.browser.test_dashboard_browser import _sign_in
from tests.people.support import make_user

pytestmark = pytest.mark.browser
FAST = {
    "signature_delay_seconds": 60,
    "underwriting_delay_seconds": 120,
    "go_live_delay_seconds": 180,
}


async def _fill(page: Any, rep_code: str) -> None:
    await page.select_option("#f-rep_code", rep_code)
    await page.select_option("#f-platform", "payroc")
    for name, value in (
        ("dba_name", "Harbor Coffee"),
        ("legal_name", "Harbor Coffee LLC"),
        ("tax_id", "12-3456789"),
        ("address1", "1 Pier Road"),
        ("city", "Erie"),
        ("state", "PA"),
        ("zip", "16501"),
        ("signer_first_name", "Ana"),
        ("signer_last_name", "Lopes"),
        ("signer_email", "ana@harbor.example.com"),
        ("routing_number", GOOD_ROUTING),
        ("account_number", "000123456789"),
    ):
        await page.fill(f"#f-{name}", value)


async def test_a_partner_boards_a_merchant_and_it_goes_live(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    partner = await make_partner(homerun.http, **FAST)
    user = await make_user(runtime, Role.PARTNER_ADMIN, partner_id=partner.partner_id)
    page, watch = await open_page(browser, DESKTOP)
    try:
        await _sign_in(page, homerun, user.email)
        await page.goto(f"{homerun.url}/dashboard/applications")
        await page.click("text=New application")
        await page.wait_for_url(f"{homerun.url}/dashboard/applications/new")
        # A mistake first: the API's error appears next to its field.
        await _fill(page, partner.rep_code)
        await page.fill("#f-zip", "ABCDE")
        await page.click("button:has-text('Submit for signature')")
        assert (
            await page.text_content("#f-zip-error-1")
            == "must be a US ZIP code: ##### or #####-####"
        )
        assert await page.get_attribute("#f-zip", "aria-invalid") == "true"
        assert await page.input_value("#f-account_number") == ""
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-application-new-error-desktop")
        await page.fill("#f-zip", "16501")
        await page.fill("#f-account_number", "000123456789")
        await page.click("button:has-text('Submit for signature')")
        await page.wait_for_url("**/dashboard/applications/*?done=submitted")
        app_id = int(page.url.split("/")[-1].split("?")[0])
        assert await page.text_content("h1 .badge") == "Sent for signature"
        await advance(homerun.http, 400)
        await page.reload()
        assert await page.text_content("h1 .badge") == "Live"
        history = await page.text_content("#history-title + ol") or ""
        for step in ("Signed", "In underwriting", "Boarded", "Live"):
            assert step in history
        watch.assert_clean()
    finally:
        await page.context.close()
    assert (await get_merchant(homerun.http, partner, app_id))["merchant_status"] == "live"

    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        shot, shot_watch = await open_page(browser, size)
        try:
            await _sign_in(shot, homerun, user.email)
            await shot.goto(f"{homerun.url}/dashboard/applications/new")
            assert (
                await shot.evaluate("document.documentElement.scrollWidth")
                <= size["viewport"]["width"]
            )
            assert await low_contrast(shot) == []
            await screenshot(shot, f"dashboard-application-new-{name}")
            shot_watch.assert_clean()
        finally:
            await shot.context.close()


async def test_an_owner_invites_a_user(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    merchant = await homerun.merchant()
    owner = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    await make_user(runtime, Role.SUPPORT, mid=merchant.mid, email="sam@store.example")
    page, watch = await open_page(browser, DESKTOP)
    try:
        await _sign_in(page, homerun, owner.email)
        await page.click("nav >> text=Team")
        await page.wait_for_url(f"{homerun.url}/dashboard/team")
        await page.fill("#invite-email", "new.clerk@store.example")
        await page.select_option("#invite-role", "viewer")
        await page.click("button:has-text('Invite')")
        link = await page.text_content("#invite-link") or ""
        assert "/dashboard/welcome/" in link
        assert "new.clerk@store.example" in (await page.text_content("table.list") or "")
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-team-desktop")
        watch.assert_clean()
    finally:
        await page.context.close()
    guest, guest_watch = await open_page(browser, PHONE)
    try:
        assert link.startswith(f"{homerun.url}/dashboard/welcome/")
        await guest.goto(link)
        assert "new.clerk@store.example" in (await guest.content())
        guest_watch.assert_clean()
    finally:
        await guest.context.close()
    phone, phone_watch = await open_page(browser, PHONE)
    try:
        await _sign_in(phone, homerun, owner.email)
        await phone.goto(f"{homerun.url}/dashboard/team")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert await low_contrast(phone) == []
        await screenshot(phone, "dashboard-team-phone")
        phone_watch.assert_clean()
    finally:
        await phone.context.close()
