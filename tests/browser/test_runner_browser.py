"""Runner.js in a real browser: a page written for Run tokenizes and charges through Homerun."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.browser.conftest import (
    PHONE,
    LiveHomerun,
    MerchantSite,
    Watch,
    low_contrast,
    open_page,
    screenshot,
)

pytestmark = pytest.mark.browser

PAN = "4111111111111111"
FRAME = "iframe[data-homerun-runner]"

RECORD_MESSAGES = """
window.__heard = [];
window.addEventListener('message', function (event) {
  if (window.top === window) window.__heard.push(JSON.stringify(event.data));
});
"""


async def open_checkout(page: Any, site: MerchantSite, env: str = "production") -> Any:
    await page.add_init_script(RECORD_MESSAGES)
    await page.goto(f"{site.url}/checkout?env={env}")
    await page.wait_for_selector("body[data-runner-loaded=yes]")
    return page.frame_locator(FRAME)


async def fill_card(frame: Any, pan: str = PAN, month: str = "12", year: str = "2030") -> None:
    number = frame.locator("#card-number")
    await number.click()
    await number.press_sequentially(pan, delay=5)
    await frame.locator("#expiry-month").select_option(month)
    await frame.locator("#expiry-year").select_option(year)
    await frame.locator("#cvv").press_sequentially("123" if len(pan) != 15 else "1234")


async def tokenize(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(
        "() => new Promise(resolve => runner.tokenize(resolve))"
    )
    return result


async def test_a_run_checkout_page_tokenizes_and_charges_through_homerun(
    desktop: tuple[Any, Watch],
    browser: Any,
    homerun: LiveHomerun,
    merchant_site: MerchantSite,
) -> None:
    page, watch = desktop
    merchant_site.merchant = await homerun.merchant()
    frame = await open_checkout(page, merchant_site)

    await fill_card(frame)
    assert await frame.locator("#card-number").input_value() == "4111 1111 1111 1111"
    assert await frame.locator("#card-brand").text_content() == "Visa"
    assert await frame.locator("#card-number").get_attribute("aria-invalid") == "false"
    # css.input width "100%25" is the merchant's way of writing 100%.
    width = await frame.locator("#card-number").evaluate("e => e.style.width")
    assert width == "100%"
    assert await frame.locator("#card-label").text_content() == "Card Number"
    card_frame = page.frame(url=lambda url: "/homerun/v1/tokenizer/frame" in url)
    assert card_frame is not None and await low_contrast(card_frame) == []
    await screenshot(page, "tokenizer-desktop")

    await page.click("#pay")
    await page.wait_for_selector("#status[data-trans-id]")
    status = await page.text_content("#status")
    assert status is not None and status.startswith("Paid! Transaction ")
    trans_id = await page.get_attribute("#status", "data-trans-id")
    assert trans_id is not None

    result = await page.evaluate("window.lastTokenizeResult")
    token = result["account_token"]
    assert re.fullmatch(r"9\d{11}1111", token) and result["token"] == token
    assert result["expiry"] == "1230" and result["cvv"] == "123"
    assert result["card_info"]["last_four"] == "1111"
    assert result["card_info"]["brand"] == "VISA"
    assert result["bank_account"] is None and result["risk_info"] is None

    stored = await homerun.transaction(merchant_site.merchant, trans_id)
    assert stored["state"] == "captured" and stored["amount_captured"] == 2500
    assert stored["account_token"] == token and stored["cvv_resp"] == "M"
    assert stored["expiration"] == "1230"

    heard = await page.evaluate("window.__heard")
    assert heard, "the page heard the frame"
    for message in heard:
        assert PAN not in message and "4111 1111 1111 1111" not in message
    assert all(json.loads(m)["homerun"] == "runner" for m in heard)

    # Fields are single-use, as with Run: masked, disabled, and a second tokenize is empty.
    assert await frame.locator("#card-number").is_disabled()
    assert PAN not in (await frame.locator("#card-number").input_value()).replace(" ", "")
    again = await tokenize(page)
    assert again["account_token"] == "" and "new Runner" in again["error"]
    watch.assert_clean()

    phone_page, phone_watch = await open_page(browser, PHONE)
    try:
        phone_frame = await open_checkout(phone_page, merchant_site)
        await fill_card(phone_frame)
        await screenshot(phone_page, "tokenizer-phone")
        phone_watch.assert_clean()
    finally:
        await phone_page.context.close()


@pytest.mark.parametrize("env", ["local", "staging", "production", "uat"])
async def test_every_env_value_works_against_homerun(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, merchant_site: MerchantSite, env: str
) -> None:
    page, watch = desktop
    merchant_site.merchant = await homerun.merchant()
    frame = await open_checkout(page, merchant_site, env)
    await fill_card(frame, "5555555555554444", "01", "2031")
    result = await tokenize(page)
    assert result["account_token"].endswith("4444") and result["expiry"] == "0131"
    assert result["card_info"]["brand"] == "MASTERCARD"
    watch.assert_clean()


async def test_empty_or_invalid_fields_call_back_with_an_error_never_a_token(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, merchant_site: MerchantSite
) -> None:
    page, watch = desktop
    merchant_site.merchant = await homerun.merchant()
    frame = await open_checkout(page, merchant_site)
    number = frame.locator("#card-number")

    empty = await tokenize(page)
    assert empty["account_token"] == "" and empty["token"] == ""
    assert empty["error"] == "Enter the card number"
    assert set(empty["errors"]) == {"card", "expiry", "cvv"}
    assert await frame.locator("#card-error").text_content() == "Enter the card number"
    assert await number.get_attribute("aria-invalid") == "true"
    assert await frame.locator("#card-error").get_attribute("aria-live") == "polite"

    # Checked as the shopper types: a full number failing the check digit is flagged at once.
    await number.fill("")
    await number.press_sequentially("4111111111111112", delay=5)
    assert "not valid" in (await frame.locator("#card-error").text_content() or "")
    # ... and an unknown brand once six digits are in.
    await number.fill("")
    await number.press_sequentially("999999", delay=5)
    assert "Visa, Mastercard" in (await frame.locator("#card-error").text_content() or "")

    # American Express takes a 4-digit CVV.
    await number.fill("")
    await number.press_sequentially("378282246310005", delay=5)
    assert await frame.locator("#card-brand").text_content() == "American Express"
    await frame.locator("#expiry-month").select_option("12")
    await frame.locator("#expiry-year").select_option("2030")
    await frame.locator("#cvv").fill("123")
    short_cvv = await tokenize(page)
    assert short_cvv["account_token"] == "" and "4-digit" in short_cvv["errors"]["cvv"]
    assert await frame.locator("#cvv").get_attribute("aria-invalid") == "true"

    today = await frame.locator("body").get_attribute("data-today")
    assert today is not None
    year, month = (int(part) for part in today.split("-"))
    if month > 1:  # an expiry earlier this year
        await frame.locator("#cvv").fill("1234")
        await frame.locator("#expiry-month").select_option(f"{month - 1:02d}")
        await frame.locator("#expiry-year").select_option(str(year))
        expired = await tokenize(page)
        assert expired["account_token"] == "" and expired["errors"]["expiry"] == (
            "This card has expired"
        )
        assert await frame.locator("#expiry-error").text_content() == "This card has expired"

    assert not any("/homerun/v1/tokens" in url for url in watch.requests)
    watch.assert_clean()


async def test_a_wrong_public_key_is_an_error_from_the_server(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, merchant_site: MerchantSite
) -> None:
    page, watch = desktop
    await page.goto(f"{merchant_site.url}/blank")
    await page.evaluate(
        """() => {
          window.runner = new Runner();
          runner.init({element: '#run-form', publicKey: 'pk_test_unknown', useExpiry: true,
                         useCvv: true});
          return new Promise(resolve => runner.onLoaded(resolve));
        }"""
    )
    frame = page.frame_locator(FRAME)
    await fill_card(frame)
    result = await tokenize(page)
    assert result["account_token"] == "" and "public_key" in result["error"]
    assert any("/homerun/v1/tokens" in url for url in watch.requests)
    watch.assert_clean()


async def test_styles_are_applied_property_by_property_and_nothing_can_be_injected(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, merchant_site: MerchantSite
) -> None:
    page, watch = desktop
    merchant = await homerun.merchant()
    await page.goto(f"{merchant_site.url}/blank")
    await page.evaluate(
        """(publicKey) => {
          window.runner = new Runner();
          runner.init({
            element: '#run-form', publicKey: publicKey, useExpiry: 'Y', useCvv: true,
            cardLabel: '<img src=x onerror=alert(1)>Card',
            cardPlaceholder: '"><script>alert(2)</script>',
            css: {
              input: {
                width: '50%25',
                color: 'red; background-image: url(https://evil.test/a.png)',
                backgroundImage: 'url(https://evil.test/b.png)',
                fontFamily: 'expression(alert(3))',
                border: '2px solid rgb(0, 128, 0)',
                position: 'fixed',
                'letter-spacing': '1px !important'
              },
              select: 'color: rgb(0, 0, 255); behavior: url(x.htc)',
              label: { color: 'rgb(128, 0, 128)', content: '"x"' }
            }
          });
          return new Promise(resolve => runner.onLoaded(resolve));
        }""",
        merchant.public_key,
    )
    frame = page.frame_locator(FRAME)
    number = frame.locator("#card-number")
    style = await number.evaluate(
        """e => ({width: e.style.width, color: e.style.color, bg: e.style.backgroundImage,
                 font: e.style.fontFamily, border: e.style.border, position: e.style.position,
                 spacing: e.style.getPropertyValue('letter-spacing'),
                 priority: e.style.getPropertyPriority('letter-spacing')})"""
    )
    assert style == {
        "width": "50%",
        "color": "",
        "bg": "",
        "font": "",
        "border": "2px solid rgb(0, 128, 0)",
        "position": "",
        "spacing": "1px",
        "priority": "important",
    }
    assert await frame.locator("#expiry-month").evaluate("e => e.style.color") == "rgb(0, 0, 255)"
    label = frame.locator("#card-label")
    assert await label.text_content() == "<img src=x onerror=alert(1)>Card"
    assert await label.locator("img").count() == 0
    assert await label.evaluate("e => e.style.color") == "rgb(128, 0, 128)"
    assert await number.get_attribute("placeholder") == '"><script>alert(2)</script>'
    assert not any("evil.test" in url or url.endswith("x.htc") for url in watch.requests)
    watch.assert_clean()


async def test_the_frame_will_not_serve_a_page_that_is_not_the_one_it_was_told(
    desktop: tuple[Any, Watch],
    homerun: LiveHomerun,
    merchant_site: MerchantSite,
    other_site: MerchantSite,
) -> None:
    page, watch = desktop
    await page.goto(f"{other_site.url}/intruder?victim={merchant_site.url}")
    frame = page.frame_locator("#stolen")
    problem = frame.locator("#frame-problem")
    await problem.wait_for(state="visible")
    assert "only works inside the page that opened it" in (await problem.text_content() or "")
    assert await frame.locator("#card-form").is_hidden()
    await page.evaluate(
        """() => {
          const target = document.getElementById('stolen').contentWindow;
          for (const type of ['init', 'tokenize']) {
            target.postMessage({homerun: 'runner', v: 1, type, channel: 'abc', requestId: 1,
                                config: {publicKey: 'pk'}}, '*');
          }
        }"""
    )
    await page.wait_for_timeout(300)
    assert await page.evaluate("window.heard") == []
    assert not any("/homerun/v1/tokens" in url for url in watch.requests)


async def test_the_page_ignores_messages_that_do_not_come_from_its_frame(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, merchant_site: MerchantSite
) -> None:
    page, watch = desktop
    merchant_site.merchant = await homerun.merchant()
    await open_checkout(page, merchant_site)
    result = await page.evaluate(
        """() => new Promise(resolve => {
          runner.tokenize(resolve);
          window.postMessage({homerun: 'runner', v: 1, type: 'tokenized',
                              channel: runner._channel, requestId: 1,
                              result: {account_token: '9000000000001111'}}, '*');
        })"""
    )
    assert result["account_token"] == "" and result["error"] == "Enter the card number"
    watch.assert_clean()


async def test_use_expiry_and_cvv_off_give_a_number_only_token(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, merchant_site: MerchantSite
) -> None:
    page, watch = desktop
    merchant = await homerun.merchant()
    await page.goto(f"{merchant_site.url}/blank")
    await page.evaluate(
        """(publicKey) => {
          window.runner = new Runner();
          runner.init({element: '#run-form', publicKey: publicKey, env: 'staging'});
          return new Promise(resolve => runner.onLoaded(resolve));
        }""",
        merchant.public_key,
    )
    frame = page.frame_locator(FRAME)
    assert await frame.locator("#expiry-field").is_hidden()
    assert await frame.locator("#cvv-field").is_hidden()
    await frame.locator("#card-number").fill("6011111111111117")
    result = await tokenize(page)
    assert result["account_token"].endswith("1117") and result["expiry"] == ""
    assert result["cvv"] == ""
    watch.assert_clean()
