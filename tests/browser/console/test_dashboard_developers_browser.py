"""Home's charts over twelve days of payments, and the Developers page's webhook endpoint
and Reporting OAuth client made in a real browser, at desktop and phone width (the clock
moves a day at a time: the console's database and live Homerun)."""

from __future__ import annotations

import base64
import dataclasses
import re
from typing import Any

import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.browser.conftest import PHONE, LiveHomerun, low_contrast, open_page, screenshot
from tests.browser.test_dashboard_browser import DESKTOP_800, _sign_in
from tests.conftest import ADMIN, MerchantAccess
from tests.people.support import make_user

pytestmark = pytest.mark.browser

CARDS = ("4111111111111111", "5555555555554444", "378282246310005", "6011111111111117")
DECLINED = "4000000000000002"


async def _day_of_payments(live: LiveHomerun, m: MerchantAccess, day: int) -> MerchantAccess:
    """A few payments, and a decline some days. An api_key lasts an hour: each day's is the
    refresh of the day before's (one key set, as a merchant's server would keep it)."""
    refreshed = await live.http.post("/api/v1/api_keys/refresh", json={"token": m.refresh_token})
    assert refreshed.status_code == 200, refreshed.text
    m = dataclasses.replace(
        m, api_key=refreshed.json()["api_key"], refresh_token=refreshed.json()["refresh_token"]
    )
    key = m.headers
    cards = [CARDS[(day + n) % len(CARDS)] for n in range(2 + day % 3)]
    if day % 4 == 1:
        cards.append(DECLINED)
    for n, card in enumerate(cards):
        body = {
            "mid": m.mid,
            "amount": 1800 + 650 * ((day * 3 + n) % 7),
            "account_token": card,
            "expiration": "12/30",
            "cvv": "1234" if card.startswith("3") else "123",
        }
        answer = await live.http.post("/api/v1/charge", json=body, headers=key)
        assert answer.status_code == 200, answer.text
    moved = await live.http.post(
        "/homerun/v1/clock/advance", json={"seconds": 86400}, headers=ADMIN
    )
    assert moved.status_code == 200, moved.text
    return m


async def test_home_charts_then_an_endpoint_and_an_oauth_client_from_the_page(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Corner Bakery", timezone="America/Chicago")
    for day in range(12):
        m = await _day_of_payments(homerun, m, day)
    owner = await make_user(runtime, Role.OWNER, mid=m.mid, email="owner@corner-bakery.example")
    user = owner.email
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        await _sign_in(page, homerun, user)
        assert await page.locator("svg.chart-svg[role=img]").count() == 2
        assert await page.locator("rect.chart-bar").count() == 30
        heights = await page.locator("rect.chart-bar").evaluate_all(
            "bars => bars.map(b => Number(b.getAttribute('height')))"
        )
        assert sum(1 for h in heights if h > 0) == 12 and max(heights) == 150
        assert await page.locator(".chart-legend li").count() >= 3
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-home-charts-desktop")

        await page.click("nav >> text=Developers")
        await page.fill("#endpoint-url", "https://bakery.example/hooks/homerun")
        await page.fill("#endpoint-description", "Order system")
        await page.uncheck("#event-all")
        await page.check("#event-transaction-all")
        await page.click("button:has-text('Add the endpoint')")
        await page.wait_for_selector("#new-signing-secret")
        secret = await page.text_content("#new-signing-secret") or ""
        assert re.fullmatch(r"[0-9a-f]{64}", secret)
        assert "Order system · Events: transaction.*" in (await page.content())
        await screenshot(page, "dashboard-developers-endpoint-desktop")

        await page.fill("#client-name", "Accounting export")
        await page.click("button:has-text('Create an OAuth client')")
        await page.wait_for_selector("#new-client-secret")
        client_id = await page.text_content("#new-client-id") or ""
        client_secret = await page.text_content("#new-client-secret") or ""
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        token = await homerun.http.post(
            "/ords/sprint/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
        assert token.status_code == 200, token.text
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-developers-oauth-desktop")

        await page.goto(f"{homerun.url}/dashboard/developers")
        assert secret not in await page.content() and client_secret not in await page.content()
        await screenshot(page, "dashboard-developers-integrations-desktop")
        await page.click("text=see your events")
        await page.wait_for_url(f"{homerun.url}/dashboard/developers/events")
        assert await page.text_content("h1") == "Events"
        assert await page.locator("table.list tbody tr").count() == 25
        await page.locator("details summary").first.click()
        assert '"mid"' in (await page.locator("details pre").first.inner_text())
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-developers-events-desktop")
        watch.assert_clean()
    finally:
        await page.context.close()

    phone, phone_watch = await open_page(browser, PHONE)
    try:
        await _sign_in(phone, homerun, user)
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert await low_contrast(phone) == []
        await screenshot(phone, "dashboard-home-charts-phone")
        await phone.goto(f"{homerun.url}/dashboard/developers")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert await low_contrast(phone) == []
        await screenshot(phone, "dashboard-developers-integrations-phone")
        await phone.goto(f"{homerun.url}/dashboard/developers/events")
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
        await screenshot(phone, "dashboard-developers-events-phone")
        phone_watch.assert_clean()
    finally:
        await phone.context.close()
