"""Payment links and sandbox faults in a real browser: a link made on the dashboard opens its
hosted page and takes a payment, then is refused once disabled; faults set on the page make
the merchant's next charge through the API time out."""

from __future__ import annotations

import re
from typing import Any

import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.browser.conftest import PHONE, LiveHomerun, low_contrast, open_page, screenshot
from tests.browser.test_dashboard_browser import DESKTOP_800, _sign_in
from tests.browser.test_hpp_browser import fill_card, trans_id
from tests.conftest import MerchantAccess
from tests.people.support import make_user

pytestmark = pytest.mark.browser

LINK = re.compile(r"/dashboard/links/([0-9A-F]{32})\?done=created$")


async def _on_a_phone(browser: Any, live: LiveHomerun, email: str, shots: dict[str, str]) -> None:
    """Each page at 390 px: no sideways scrolling, enough contrast, a screenshot."""
    phone, watch = await open_page(browser, PHONE)
    try:
        await _sign_in(phone, live, email)
        for path, name in shots.items():
            await phone.goto(f"{live.url}{path}")
            assert await phone.evaluate("document.documentElement.scrollWidth") <= 390
            assert await low_contrast(phone) == []
            await screenshot(phone, name)
        watch.assert_clean()
    finally:
        await phone.context.close()


async def _charge(live: LiveHomerun, m: MerchantAccess) -> dict[str, Any]:
    body = {"mid": m.mid, "amount": 2500, "account_token": "4111111111111111", "expiration": "1230"}
    answer = await live.http.post("/api/v1/charge", json=body, headers=m.headers)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def test_a_link_is_made_paid_on_its_page_and_refused_once_disabled(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Corner Bakery")
    owner = await make_user(runtime, Role.OWNER, mid=m.mid, email="lee@corner-bakery.example")
    user = owner.email
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        await _sign_in(page, homerun, user)
        await page.click("nav >> text=Payment links")
        await page.wait_for_url(f"{homerun.url}/dashboard/links")
        assert await page.text_content("h1") == "Payment links"
        await page.click("text=Create a payment link")
        assert await page.text_content("h1") == "New payment link"

        # A fixed amount without the amount: hpp's own rule, shown on its field.
        await page.fill("#name", "Birthday cake deposit")
        await page.check("#lock_amount")
        await page.click("button:has-text('Create link')")
        assert await page.text_content("#amount-error") == "is required when lock_amount is true"
        assert await page.input_value("#name") == "Birthday cake deposit"
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-links-new-error-desktop")

        await page.fill("#amount", "45.00")
        await page.select_option("#opt_email", "required")
        await page.select_option("#opt_custom_01", "optional")
        await page.fill("#label_custom_01", "Name on the cake")
        await page.click("button:has-text('Create link')")
        await page.wait_for_url(LINK)
        found = LINK.search(page.url)
        assert found is not None
        client_id = found.group(1)
        url = f"{homerun.url}/payment?client_id={client_id}"
        assert await page.input_value("#link-url") == url
        assert await page.get_attribute("#link-url", "readonly") is not None
        # The documented way to copy it: the field's whole URL selects with Ctrl+A.
        await page.click("#link-url")
        await page.keyboard.press("Control+A")
        selected = await page.evaluate(
            "() => { const f = document.activeElement;"
            " return f.value.slice(f.selectionStart, f.selectionEnd); }"
        )
        assert selected == url
        # With scripts, a Copy link button (keyboard: Tab to it, Enter) puts it on the clipboard.
        await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        assert await page.text_content("#copy-status") == ""
        await page.focus("#copy-link")
        await page.keyboard.press("Enter")
        # A function, not an expression: the page's CSP forbids eval, which an expression needs.
        await page.wait_for_function(
            "() => document.getElementById('copy-status').textContent === 'Copied.'"
        )
        assert await page.evaluate("navigator.clipboard.readText()") == url
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-links-link-desktop")

        shopper, shopper_watch = await open_page(browser, DESKTOP_800)
        try:
            await shopper.goto(url)
            assert await shopper.text_content("h1") == "Birthday cake deposit"
            assert await shopper.text_content("#amount-fixed") == "$45.00"
            assert await shopper.text_content("label[for=custom_01]") == "Name on the cake"
            await shopper.fill("#email", "pat@example.com")
            await shopper.fill("#custom_01", "Happy birthday, Sam")
            await fill_card(shopper)
            await shopper.click("#pay-button")
            paid = await trans_id(shopper)
            shopper_watch.assert_clean()
        finally:
            await shopper.context.close()

        await page.reload()
        assert await page.text_content("#link-payments a") == "$45.00"
        assert await page.get_attribute("#link-payments a", "href") == f"/dashboard/payments/{paid}"

        await page.click("nav >> text=Payment links")
        row = page.locator("tr", has=page.locator(f"#url-{client_id}"))
        assert await row.locator("td[data-label=Status]").text_content() == "Active"
        assert await row.locator("td[data-label=Payments]").text_content() == "1"
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-links-desktop")
        await row.locator("button:has-text('Disable')").click()
        await page.wait_for_url(f"{homerun.url}/dashboard/links?done=disabled")
        assert await row.locator("td[data-label=Status]").text_content() == "Disabled"

        refused = await page.goto(url)
        assert refused is not None and refused.status == 410
        assert await page.text_content("h1") == "This payment link is no longer active"
        watch.assert_clean()
    finally:
        await page.context.close()

    await _on_a_phone(
        browser,
        homerun,
        user,
        {
            "/dashboard/links": "dashboard-links-phone",
            f"/dashboard/links/{client_id}": "dashboard-links-link-phone",
        },
    )


async def test_faults_set_on_the_page_time_out_the_next_charge(
    browser: Any, homerun: LiveHomerun, runtime: Runtime
) -> None:
    m = await homerun.merchant(name="Corner Bakery")
    user = await make_user(runtime, Role.DEVELOPER, mid=m.mid, email="kim@corner-bakery.example")
    page, watch = await open_page(browser, DESKTOP_800)
    try:
        await _sign_in(page, homerun, user.email)
        await page.click("nav >> text=Developers")
        assert "Now: None" in (await page.text_content("#sandbox-faults") or "")
        await page.click("text=See and set sandbox faults")
        assert await page.text_content("h1") == "Sandbox faults"
        await page.fill("#timeout_rate", "100")
        await page.click("button:has-text('Save faults')")
        await page.wait_for_url(f"{homerun.url}/dashboard/developers/faults?done=saved")
        assert await page.text_content("#faults-now") == "100.00% of authorizations time out."
        answer = await _charge(homerun, m)
        assert (answer["result"], answer["resp_code"], answer["resp_text"]) == (
            "B",
            "62",
            "Timed out",
        )
        assert await low_contrast(page) == []
        await screenshot(page, "dashboard-links-faults-desktop")

        await page.click("button:has-text('Turn every fault off')")
        await page.wait_for_url(f"{homerun.url}/dashboard/developers/faults?done=saved")
        assert (await page.text_content("#faults-now") or "").startswith("None")
        assert (await _charge(homerun, m))["result"] == "A"
        watch.assert_clean()
    finally:
        await page.context.close()

    await _on_a_phone(
        browser,
        homerun,
        user.email,
        {"/dashboard/developers/faults": "dashboard-links-faults-phone"},
    )
