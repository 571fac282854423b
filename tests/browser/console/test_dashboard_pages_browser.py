"""The Developers and Deposits pages in a real browser: a key roll that shows the new
secret once while the old key works through its grace, a webhook re-sent, and the
deposits of a scripted week; by keyboard, at desktop and phone width."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from homerun.webhooks.dispatcher import deliver_due
from tests.browser.conftest import (
    PHONE,
    LiveHomerun,
    fits,
    low_contrast,
    open_page,
    screenshot,
)
from tests.browser.test_dashboard_browser import DESKTOP_800, _focus_ring, _sign_in
from tests.conftest import ADMIN, MerchantAccess
from tests.dashboard.test_deposits import _scripted_day
from tests.people.support import make_user
from tests.webhooks.receiver import Receiver, always

pytestmark = pytest.mark.browser


async def _charges(live: LiveHomerun, m: MerchantAccess, api_key: str) -> bool:
    body = {"mid": m.mid, "amount": 100, "account_token": "4111111111111111", "expiration": "1230"}
    answer = await live.http.post(
        "/api/v1/charge", json=body, headers={"Authorization": f"Bearer {api_key}"}
    )
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 200


async def _press_on(page: Any, selector: Any) -> None:
    """Tab to the control (a selector or a locator) from the top of the page, press Enter."""
    target = page.locator(selector) if isinstance(selector, str) else selector
    await page.locator("#main").focus()
    for _ in range(60):
        await page.keyboard.press("Tab")
        if await target.evaluate("el => el === document.activeElement"):
            assert (await _focus_ring(page)).startswith("solid 3px")
            await page.keyboard.press("Enter")
            return
    raise AssertionError(f"Tab never reached {selector}")


async def test_a_key_roll_shows_the_secret_once_and_the_old_key_works_in_its_grace(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Corner Bakery")
    user = await make_user(runtime, Role.DEVELOPER, mid=m.mid, email="dev@corner-bakery.example")
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        await _sign_in(page, homerun, user.email)
        await page.click("nav >> text=Developers")
        await page.wait_for_url(f"{homerun.url}/dashboard/developers")
        assert await page.text_content("h1") == "Developers"
        assert await page.text_content("#public-key") == m.public_key
        snippet = await page.text_content("pre.snippet") or ""
        assert f"publicKey: '{m.public_key}'" in snippet
        assert f"{homerun.url}/javascripts/1.5.5/runner.js" in snippet
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-developers-desktop")

        await _press_on(page, f"form[action$='/keys/{m.credential_id}/roll'] button")
        await page.wait_for_selector("#new-api-key")
        fresh = await page.text_content("#new-api-key") or ""
        assert fresh.startswith("sk_test_") and fresh != m.api_key
        assert "shown this once" in (await page.text_content("#issued") or "")
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-developers-new-key-desktop")
        assert await _charges(homerun, m, m.api_key)  # the old key, in its grace
        assert await _charges(homerun, m, fresh)

        await page.goto(f"{homerun.url}/dashboard/developers")
        assert await page.locator("#new-api-key").count() == 0
        assert fresh not in (await page.content())
        moved = await homerun.http.post(
            "/homerun/v1/clock/advance", json={"seconds": 61}, headers=ADMIN
        )
        assert moved.status_code == 200
        assert not await _charges(homerun, m, m.api_key)
        assert await _charges(homerun, m, fresh)
        watch.assert_clean()
    finally:
        await page.context.close()

    phone, phone_watch = await open_page(browser, PHONE)
    try:
        await _sign_in(phone, homerun, user.email)
        await phone.goto(f"{homerun.url}/dashboard/developers")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert await fits(phone, ".snippet")  # the snippet wraps: nothing clipped on the right
        assert await low_contrast(phone) == []
        await screenshot(phone, "dashboard-developers-phone")
        phone_watch.assert_clean()
    finally:
        await phone.context.close()


async def test_a_failed_webhook_is_resent_from_the_page(
    browser: Any, homerun: LiveHomerun, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    receiver = await Receiver(always(503)).start()
    m = await homerun.merchant(name="Corner Bakery")
    made = await homerun.http.post(
        "/homerun/v1/webhooks/endpoints",
        json={
            "url": receiver.url(),
            "mid": m.mid,
            "description": "Order system",
            "event_types": ["transaction.*"],
        },
        headers=ADMIN,
    )
    assert made.status_code == 201, made.text
    endpoint_id = made.json()["id"]
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        assert await _charges(homerun, m, m.api_key)
        for _ in range(8):
            await deliver_due(runtime)
            # The clock of the runtime that delivers (the live server keeps its own).
            moved = await client.post(
                "/homerun/v1/clock/advance", json={"seconds": 14 * 3600}, headers=ADMIN
            )
            assert moved.status_code == 200
        user = await make_user(runtime, Role.OWNER, mid=m.mid)
        await _sign_in(page, homerun, user.email)
        await page.goto(f"{homerun.url}/dashboard/developers")
        row = page.locator("table.list tbody tr", has_text="transaction.")
        assert await row.count() == 1
        assert re.sub(r"\s+", " ", await row.inner_text()).count("Failed") == 1
        assert "503" in (await row.locator("td[data-label='Last status']").inner_text())
        await screenshot(page, "dashboard-developers-webhooks-desktop")

        receiver.handler = always(200)
        await _press_on(page, row.locator("button:has-text('Re-send')"))
        await page.wait_for_url(re.compile(r".*done=resent$"))
        assert "back in line" in (await page.text_content(".notice-ok") or "")
        assert await row.locator("button").count() == 0
        await deliver_due(runtime)
        await page.reload()
        state = await row.locator("td[data-label='State']").inner_text()
        assert state == "Delivered"
        assert len(receiver.received) == 9 and receiver.received[-1].attempt == 9
        watch.assert_clean()
    finally:
        await page.context.close()
        await homerun.http.delete(f"/homerun/v1/webhooks/endpoints/{endpoint_id}", headers=ADMIN)
        await receiver.stop()


async def test_the_deposits_of_a_scripted_week(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m, _, _ = await _scripted_day(homerun.http, homerun.merchant)
    user = await make_user(runtime, Role.VIEWER, mid=m.mid, email="books@deposit-store.example")
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        await _sign_in(page, homerun, user.email)
        await _press_on(page, "nav >> text=Deposits")
        await page.wait_for_url(f"{homerun.url}/dashboard/deposits")
        amounts = await page.locator("td[data-label='Amount']").all_inner_texts()
        assert amounts == ["$40.00", "-$55.00", "$37.96", "$183.59"]
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-deposits-desktop")
        await _press_on(page, "table.list tbody tr >> nth=3 >> a")
        await page.wait_for_url(re.compile(r".*/dashboard/deposits/F\d+$"))
        assert await page.text_content("h1") == "$183.59"
        assert await page.locator("table.list tbody tr").count() == 3
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-deposit-desktop")
        await page.goto(f"{homerun.url}/dashboard/deposits")
        await page.click("table.list tbody tr >> nth=1 >> a")
        assert await page.text_content("h1") == "-$55.00"
        await screenshot(page, "dashboard-deposit-chargeback-desktop")
        watch.assert_clean()
    finally:
        await page.context.close()

    phone, phone_watch = await open_page(browser, PHONE)
    try:
        await _sign_in(phone, homerun, user.email)
        await phone.goto(f"{homerun.url}/dashboard/deposits")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        await screenshot(phone, "dashboard-deposits-phone")
        await phone.click("table.list tbody tr >> nth=3 >> a")
        await phone.wait_for_url(re.compile(r".*/dashboard/deposits/F\d+$"))
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert await low_contrast(phone) == []
        await screenshot(phone, "dashboard-deposit-phone")
        phone_watch.assert_clean()
    finally:
        await phone.context.close()
