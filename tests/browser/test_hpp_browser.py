"""Hosted payment pages in a real browser, paid the way a shopper pays them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    PHONE,
    LiveHomerun,
    Watch,
    low_contrast,
    open_page,
    screenshot,
)

pytestmark = pytest.mark.browser

GOOD = "4111111111111111"
DECLINED = "4000000000000002"


async def fill_card(page: Any, pan: str = GOOD, expiry: str = "12/30", cvv: str = "123") -> None:
    await page.locator("#card_number").fill("")
    await page.locator("#card_number").press_sequentially(pan, delay=5)
    await page.locator("#expiry").fill(expiry)
    await page.locator("#cvv").fill(cvv)


async def trans_id(page: Any) -> str:
    await page.wait_for_selector("#trans-id")
    text = await page.text_content("#trans-id")
    assert text and text.isdigit()
    return text


async def test_a_fixed_amount_page_paid_with_the_keyboard(
    desktop: tuple[Any, Watch], browser: Any, homerun: LiveHomerun
) -> None:
    page, watch = desktop
    merchant = await homerun.merchant(name="Corner Bakery")
    url = await homerun.page(
        merchant,
        name="Birthday cake order #88",
        name_on_account="Pat Doe",
        amount="49.00",
        lock_amount="true",
        hpp_options=[
            {"name": "email", "is_required": "true"},
            {"name": "invoice_id", "value": "INV-88", "is_readonly": "true"},
        ],
    )
    await page.goto(url)
    assert await page.title() == "Birthday cake order #88"
    assert await page.text_content("h1") == "Birthday cake order #88"
    assert await page.text_content("#amount-fixed") == "$49.00"
    assert await page.locator("#amount").count() == 0
    assert await page.locator("#invoice_id").get_attribute("readonly") is not None
    unlabelled = await page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden])')]
                 .filter(i => !i.labels || i.labels.length === 0).map(i => i.id)"""
    )
    assert unlabelled == []
    assert await low_contrast(page) == []

    # Keyboard only: from the email field, Tab through the form and press Enter.
    await page.focus("#email")
    await page.keyboard.type("pat@example.com")
    await page.keyboard.press("Tab")  # invoice (read-only, still focusable)
    await page.keyboard.press("Tab")  # name on card, prefilled
    assert await page.evaluate("document.activeElement.id") == "name"
    assert await page.input_value("#name") == "Pat Doe"
    await page.keyboard.press("Tab")
    await page.keyboard.type(GOOD)
    assert await page.input_value("#card_number") == "4111 1111 1111 1111"
    assert await page.text_content("#card-brand") == "Card type: Visa"
    await page.keyboard.press("Tab")
    await page.keyboard.type("12/30")
    await page.keyboard.press("Tab")
    await page.keyboard.type("123")
    await screenshot(page, "hpp-desktop")
    await page.keyboard.press("Enter")

    paid = await trans_id(page)
    assert await page.text_content("h1") == "Payment received"
    assert await page.text_content("#receipt-total") == "$49.00"
    stored = await homerun.transaction(merchant, paid)
    assert stored["state"] == "captured" and stored["amount_captured"] == 4900
    assert stored["invoice_id"] == "INV-88" and stored["email"] == "pat@example.com"
    assert stored["name"] == "Pat Doe" and stored["cvv_resp"] == "M"
    assert await low_contrast(page) == []
    await screenshot(page, "hpp-receipt-desktop")
    watch.assert_clean()

    phone_page, phone_watch = await open_page(browser, PHONE)
    try:
        phone_url = await homerun.page(
            merchant,
            name="Birthday cake order #89",
            amount="49.00",
            lock_amount=True,
            hpp_options=[{"name": "email", "is_required": True}],
        )
        await phone_page.goto(phone_url)
        await phone_page.fill("#email", "pat@example.com")
        await fill_card(phone_page)
        await screenshot(phone_page, "hpp-phone")
        await phone_page.click("#pay-button")
        await trans_id(phone_page)
        await screenshot(phone_page, "hpp-receipt-phone")
        phone_watch.assert_clean()
    finally:
        await phone_page.context.close()


async def test_a_bounded_amount_is_refused_then_accepted(
    desktop: tuple[Any, Watch], homerun: LiveHomerun
) -> None:
    page, watch = desktop
    merchant = await homerun.merchant()
    url = await homerun.page(merchant, amount="75.00", min_amount="50.00", max_amount="200.00")
    await page.goto(url)
    assert await page.input_value("#amount") == "75.00"
    assert await page.text_content("#amount-hint") == "Between $50.00 and $200.00"
    await page.fill("#amount", "10")
    await fill_card(page)
    await page.click("#pay-button")
    summary = page.locator("#client-summary")
    await summary.wait_for(state="visible")
    assert "Enter an amount between $50.00 and $200.00" in (await summary.text_content() or "")
    assert await page.evaluate("document.activeElement.id") == "client-summary"
    assert await page.get_attribute("#amount", "aria-invalid") == "true"
    assert page.url == url  # nothing was sent
    await page.click("#client-summary a")
    assert await page.evaluate("document.activeElement.id") == "amount"
    await page.fill("#amount", "120.50")
    await page.click("#pay-button")
    paid = await trans_id(page)
    stored = await homerun.transaction(merchant, paid)
    assert stored["amount_captured"] == 12050
    watch.assert_clean()


async def test_the_server_refuses_a_bounded_amount_without_javascript(
    browser: Any, homerun: LiveHomerun
) -> None:
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    try:
        merchant = await homerun.merchant()
        url = await homerun.page(merchant, min_amount="50.00", max_amount="200.00")
        await page.goto(url)
        await page.fill("#amount", "250.00")
        await fill_card(page)
        await page.click("#pay-button")
        await page.wait_for_selector("#error-summary")
        text = await page.text_content("#error-summary") or ""
        assert "Enter an amount between $50.00 and $200.00" in text
        assert await page.input_value("#amount") == "250.00"
        assert await page.input_value("#card_number") == ""  # never sent back
        await page.fill("#amount", "50")
        await fill_card(page)
        await page.click("#pay-button")
        paid = await trans_id(page)
        assert (await homerun.transaction(merchant, paid))["amount_captured"] == 5000
    finally:
        await context.close()


async def test_a_declined_card_then_a_good_one(
    desktop: tuple[Any, Watch], homerun: LiveHomerun
) -> None:
    page, watch = desktop
    merchant = await homerun.merchant()
    url = await homerun.page(merchant, amount="18.00", lock_amount=True)
    await page.goto(url)
    await fill_card(page, DECLINED)
    await page.click("#pay-button")
    notice = page.locator("#decline")
    await notice.wait_for(state="visible")
    text = await notice.text_content() or ""
    assert "Payment declined" in text and "Do not honor" in text and "(code 05)" in text
    assert await page.evaluate("document.activeElement.id") == "decline"
    assert await page.input_value("#card_number") == ""
    assert await low_contrast(page) == []
    await screenshot(page, "hpp-declined-desktop")
    await fill_card(page, GOOD)
    await page.click("#pay-button")
    paid = await trans_id(page)
    assert (await homerun.transaction(merchant, paid))["result"] == "A"
    watch.assert_clean()


async def test_the_card_is_checked_as_the_shopper_types(
    desktop: tuple[Any, Watch], homerun: LiveHomerun
) -> None:
    page, watch = desktop
    merchant = await homerun.merchant()
    url = await homerun.page(merchant, amount="5.00", lock_amount=True)
    await page.goto(url)
    await page.locator("#card_number").press_sequentially("4111111111111112", delay=5)
    assert "not valid" in (await page.text_content("#card_number-error") or "")
    assert await page.get_attribute("#card_number", "aria-invalid") == "true"
    await page.locator("#card_number").fill("")
    await page.locator("#card_number").press_sequentially("378282246310005", delay=5)
    assert await page.text_content("#card-brand") == "Card type: American Express"
    assert await page.get_attribute("#card_number", "aria-invalid") == "false"
    await page.fill("#cvv", "123")
    await page.locator("#cvv").blur()
    assert "4-digit" in (await page.text_content("#cvv-error") or "")
    await page.fill("#expiry", "01/20")
    await page.locator("#expiry").blur()
    assert await page.text_content("#expiry-error") == "Error: This card has expired"
    assert not any(request.endswith("/payment") for request in watch.requests[1:])
    watch.assert_clean()


async def test_a_single_use_link_used_twice(
    desktop: tuple[Any, Watch], homerun: LiveHomerun
) -> None:
    page, watch = desktop
    merchant = await homerun.merchant(name="Lakeside Rentals")
    url = await homerun.page(
        merchant, name="Cabin deposit", amount="250.00", lock_amount=1, disable_after_payment="Y"
    )
    await page.goto(url)
    await fill_card(page)
    await page.click("#pay-button")
    await trans_id(page)
    assert "now closed" in (await page.text_content("#used-up") or "")

    second = await page.goto(url)
    assert second is not None and second.status == 410
    assert await page.text_content("h1") == "This payment link has already been used"
    assert "Lakeside Rentals" in (await page.text_content("main") or "")
    await screenshot(page, "hpp-used-desktop")

    unknown = await page.goto(url.split("=")[0] + "=" + "F" * 32)
    assert unknown is not None and unknown.status == 404
    assert await page.text_content("h1") == "Payment link not found"
    watch.assert_clean()


async def test_a_bank_account_paid_on_a_page_of_a_mid_that_takes_both(
    desktop: tuple[Any, Watch], homerun: LiveHomerun
) -> None:
    page, watch = desktop
    merchant = await homerun.merchant(name="Garden Club", accepts="both")
    url = await homerun.page(merchant, name="Annual dues", amount="60.00", lock_amount="true")
    await page.goto(url)
    # Card is chosen at first: the bank-account fields are hidden until asked for.
    assert await page.is_checked("#method-card")
    assert await page.locator("#bank-fields").is_hidden()
    await page.check("#method-bank")
    assert await page.locator("#bank-fields").is_visible()
    assert await page.locator("#card-fields").is_hidden()
    unlabelled = await page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden])')]
                 .filter(i => !i.labels || i.labels.length === 0).map(i => i.id)"""
    )
    assert unlabelled == []

    # Submitting empty: only the bank account's fields are named, none of the card's.
    await page.click("#pay-button")
    links = await page.locator("#client-summary a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert links == [
        "#account_name",
        "#routing_number",
        "#account_number",
        "#repeated_account_number",
    ]

    await page.fill("#account_name", "Pat Payer")
    await page.fill("#routing_number", "036001809")  # fails the ABA checksum
    await page.fill("#account_number", "86063057")
    await page.fill("#repeated_account_number", "86063057")
    await page.check("#account_type-savings")
    await page.click("#pay-button")
    await page.wait_for_selector("#error-summary")
    assert "Enter a valid 9-digit routing number" in (await page.text_content("#error-summary"))
    assert await page.input_value("#account_number") == ""  # never written back
    assert await page.is_checked("#method-bank") and await page.is_checked("#account_type-savings")

    await page.fill("#routing_number", "036001808")
    await page.fill("#account_number", "86063057")
    await page.fill("#repeated_account_number", "86063057")
    await screenshot(page, "hpp-bank-account-desktop")
    await page.click("#pay-button")
    paid = await trans_id(page)
    assert await page.text_content("h1") == "Payment received"
    assert "Bank account ending 3057" in (await page.content())
    stored = await homerun.transaction(merchant, paid)
    expected = ("ach", "savings", "accepted", "Pat Payer")
    assert (stored["payment_method"], stored["account_type"], stored["state"], stored["name"]) == (
        expected
    )
    assert await low_contrast(page) == []
    watch.assert_clean()
