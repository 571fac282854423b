"""The operator's console in a real browser: the instance, advancing the clock from its
preview and seeing what happened, and the payment tools."""

from __future__ import annotations

import re
from typing import Any

import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.browser.conftest import (
    PHONE,
    LiveHomerun,
    fits,
    low_contrast,
    open_page,
    screenshot,
)
from tests.browser.test_dashboard_browser import DESKTOP_800, _charge, _settle, _sign_in
from tests.people.support import make_user

pytestmark = pytest.mark.browser


async def test_an_operator_advances_the_clock_and_sees_the_result(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Night Owl Diner")
    trans_id = await _charge(homerun, m, amount=6400)
    user = await make_user(runtime, Role.OPERATOR, email="ops@homerun.example")
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        await _sign_in(page, homerun, user.email)
        await page.click("nav >> text=Instance")
        await page.wait_for_url(f"{homerun.url}/dashboard/instance")
        assert "Night Owl Diner" in (await page.text_content("table.list") or "")
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-instance-desktop")

        await page.click("nav >> text=Clock")
        await page.wait_for_url(f"{homerun.url}/dashboard/clock")
        await page.fill("#amount", "2")
        await page.select_option("#unit", "days")
        await page.click("button:has-text('Preview')")
        await page.wait_for_url(re.compile(r".*/dashboard/clock\?amount=2&unit=days$"))
        preview = await page.text_content("#clock-preview") or ""
        assert "Batch cut-off: open batches close" in preview
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-clock-preview-desktop")
        assert (await homerun.transaction(m, trans_id))["state"] == "captured"

        await page.click("button:has-text('Advance to')")
        await page.wait_for_url(f"{homerun.url}/dashboard/clock/advance")
        assert await page.text_content(".notice-ok") == "The clock moved."
        result = await page.text_content("#clock-result") or ""
        assert re.search(r"Batches closed\s*[1-9]", result), result
        assert re.search(r"Payments settled\s*[1-9]", result), result
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-clock-result-desktop")
        watch.assert_clean()
    finally:
        await page.context.close()
    assert (await homerun.transaction(m, trans_id))["state"] == "settled"

    phone, phone_watch = await open_page(browser, PHONE)
    try:
        await _sign_in(phone, homerun, user.email)
        for path, name in (
            ("/dashboard/instance", "dashboard-instance-phone"),
            ("/dashboard/clock?amount=12&unit=hours", "dashboard-clock-preview-phone"),
            ("/dashboard/payment-tools", "dashboard-payment-tools-phone"),
        ):
            await phone.goto(f"{homerun.url}{path}")
            assert await phone.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert await fits(phone, ".nav ul"), path  # every item in sight: none hidden aside
            assert await low_contrast(phone) == [], path
            await screenshot(phone, name)
        phone_watch.assert_clean()
    finally:
        await phone.context.close()


async def test_an_operator_opens_a_chargeback_from_the_payment_tools(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Disputed Goods")
    trans_id = await _charge(homerun, m, amount=3000)
    await _settle(homerun, m)
    user = await make_user(runtime, Role.OPERATOR, email="disputes@homerun.example")
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        await _sign_in(page, homerun, user.email)
        await page.click("nav >> text=Payment tools")
        await page.fill("#cb-mid", m.mid)
        await page.fill("#cb-trans", trans_id)
        await page.fill("#cb-amount", "12.50")
        await screenshot(page, "dashboard-payment-tools-desktop")
        await page.click("button:has-text('Open chargeback')")
        await page.wait_for_url(f"{homerun.url}/dashboard/payment-tools/chargeback")
        notice = await page.text_content(".notice-ok") or ""
        assert f"was opened on payment {trans_id} of Disputed Goods." in notice
        watch.assert_clean()
    finally:
        await page.context.close()
