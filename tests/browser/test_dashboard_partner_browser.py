"""The partner's pages in a real browser: the pipeline, moving an application on, and
another partner's application by URL."""

from __future__ import annotations

from typing import Any

import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.boarding.support import act_ok, create_ok, get_merchant, make_partner
from tests.browser.conftest import PHONE, LiveHomerun, low_contrast, open_page, screenshot
from tests.browser.test_dashboard_browser import DESKTOP_800, _sign_in
from tests.people.support import make_user

pytestmark = pytest.mark.browser


async def test_a_partner_admin_moves_an_application_on(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    partner = await make_partner(homerun.http)
    moving = await create_ok(homerun.http, partner, dba_name="Harbor Coffee")
    signed = await create_ok(homerun.http, partner, dba_name="Maple Hardware")
    await act_ok(homerun.http, signed, "send_for_signature", "sign")
    live = await create_ok(homerun.http, partner, dba_name="Lakeside Books")
    await act_ok(homerun.http, live, "send_for_signature", "sign", "approve", "go_live")
    user = await make_user(
        runtime, Role.PARTNER_ADMIN, partner_id=partner.partner_id, email="ana@partner.example"
    )
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        await _sign_in(page, homerun, user.email)
        await page.click("nav >> text=Applications")
        await page.wait_for_url(f"{homerun.url}/dashboard/applications")
        new_stage = page.locator("section.stage:has(#stage-new)")
        assert "Harbor Coffee" in (await new_stage.text_content() or "")
        assert "Maple Hardware" in (
            await page.locator("section.stage:has(#stage-in_underwriting)").text_content() or ""
        )
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-applications-desktop")

        await page.click("text=Harbor Coffee")
        await page.wait_for_url(f"{homerun.url}/dashboard/applications/{moving}")
        assert await page.text_content("h1 .badge") == "New"
        await page.click("button:has-text('Send for signature')")
        await page.wait_for_url(f"{homerun.url}/dashboard/applications/{moving}?done=moved")
        assert await page.text_content(".notice-ok") == "The application moved on."
        assert await page.text_content("h1 .badge") == "Sent for signature"
        await page.click("button:has-text('Mark as signed')")
        await page.wait_for_url(f"{homerun.url}/dashboard/applications/{moving}?done=moved")
        assert await page.text_content("h1 .badge") == "In underwriting"
        history = await page.text_content("#history-title + ol") or ""
        assert "Sent for signature" in history and "In underwriting" in history
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-application-desktop")
        watch.assert_clean()
    finally:
        await page.context.close()
    body = await get_merchant(homerun.http, partner, moving)
    assert body["merchant_status"] == "in_underwriting"

    phone, phone_watch = await open_page(browser, PHONE)
    try:
        await _sign_in(phone, homerun, user.email)
        await phone.goto(f"{homerun.url}/dashboard/applications")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        await screenshot(phone, "dashboard-applications-phone")
        await phone.goto(f"{homerun.url}/dashboard/applications/{moving}")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        await screenshot(phone, "dashboard-application-phone")
        await phone.goto(f"{homerun.url}/dashboard/boarded")
        assert "Lakeside Books" in (await phone.text_content("table.list") or "")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert await low_contrast(phone) == []
        phone_watch.assert_clean()
    finally:
        await phone.context.close()


async def test_a_partner_cannot_open_another_partners_application_by_url(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    mine, theirs = await make_partner(homerun.http), await make_partner(homerun.http)
    other = await create_ok(homerun.http, theirs, dba_name="Not Yours Deli")
    user = await make_user(runtime, Role.PARTNER_ADMIN, partner_id=mine.partner_id)
    page, _ = await open_page(browser, DESKTOP_800)
    try:
        await _sign_in(page, homerun, user.email)
        answer = await page.goto(f"{homerun.url}/dashboard/applications/{other}")
        assert answer is not None and answer.status == 404
        assert await page.text_content("h1") == "Not found"
        assert "Not Yours Deli" not in (await page.content())
        csrf = await page.get_attribute("input[name=csrf]", "value")
        forged = await page.request.post(
            f"{homerun.url}/dashboard/applications/{other}/send_for_signature",
            form={"csrf": csrf or "", "seen": "new"},
        )
        assert forged.status == 404
    finally:
        await page.context.close()
    assert (await get_merchant(homerun.http, theirs, other))["merchant_status"] == "new"
