"""Runner.js's bank-account mode in a real browser (ruling R15): a Run checkout page on a
merchant that takes ACH shows bank fields, checks them as the payer types, and calls back
with the R15 shape."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveHomerun, MerchantSite, Watch
from tests.browser.test_runner_browser import open_checkout, tokenize

pytestmark = pytest.mark.browser


async def fill_bank(
    frame: Any, routing: str = "036001808", account: str = "86063057", repeat: str | None = None
) -> None:
    await frame.locator("#routing-number").press_sequentially(routing, delay=5)
    await frame.locator("#account-number").press_sequentially(account, delay=5)
    await frame.locator("#repeat-account-number").press_sequentially(
        account if repeat is None else repeat, delay=5
    )
    await frame.locator("#account-type").select_option("savings")
    await frame.locator("#account-name").fill("Pat Payer")
    await frame.locator("#entry-class").select_option("WEB")


async def test_an_ach_merchant_gets_bank_fields_and_an_r15_token(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, merchant_site: MerchantSite
) -> None:
    page, watch = desktop
    merchant_site.merchant = m = await homerun.merchant(accepts="ach")
    frame = await open_checkout(page, merchant_site)
    assert await frame.locator("#bank-fields").is_visible()
    assert not await frame.locator("#card-field").is_visible()
    assert not await frame.locator("#method-field").is_visible()

    # A routing number that fails the checksum is said at once, and no token comes back.
    await frame.locator("#routing-number").press_sequentially("036001809", delay=5)
    error = frame.locator("#routing-error")
    assert "valid 9-digit routing number" in (await error.text_content() or "")
    refused = await tokenize(page)
    assert refused["account_token"] == "" and "routing" in refused["errors"]
    await frame.locator("#routing-number").fill("")

    await fill_bank(frame)
    assert await error.text_content() == ""
    result = await tokenize(page)
    token = result["account_token"]
    assert token.startswith("9") and token.endswith("3057") and len(token) == 16
    assert result["expiry"] == "" and result["card_info"] == {}
    assert result["bank_account"] == {
        "routing_number": "036001808",
        "last4": "3057",
        "account_type": "savings",
        "name": "Pat Payer",
        "entry_class": "WEB",
    }
    assert result["risk_info"] == {"decision": "A", "reason": ""}
    assert await frame.locator("#account-number").is_disabled()
    heard = await page.evaluate("window.__heard")
    assert all("86063057" not in message for message in heard)

    charged = await homerun.http.post(
        "/api/v1/charge",
        json={"mid": m.mid, "amount": 2500, "account_token": token},
        headers=m.headers,
    )
    assert charged.status_code == 200, charged.text
    assert (charged.json()["result"], charged.json()["card_brand"]) == ("A", "ACH")
    watch.assert_clean()


async def test_mismatched_account_numbers_and_a_risk_decline(
    desktop: tuple[Any, Watch], homerun: LiveHomerun, merchant_site: MerchantSite
) -> None:
    page, watch = desktop
    merchant_site.merchant = await homerun.merchant(accepts="both")
    frame = await open_checkout(page, merchant_site)
    # Both: the payer chooses; the card fields come first.
    assert await frame.locator("#method-field").is_visible()
    assert await frame.locator("#card-field").is_visible()
    await frame.locator("#method-bank").check()
    assert await frame.locator("#bank-fields").is_visible()

    await fill_bank(frame, account="86063001", repeat="86063002")
    assert "do not match" in (await frame.locator("#repeat-error").text_content() or "")
    mismatch = await tokenize(page)
    assert mismatch["account_token"] == "" and "repeat" in mismatch["errors"]

    await frame.locator("#repeat-account-number").fill("86063001")
    declined = await tokenize(page)
    assert declined["account_token"] == "" and "error" not in declined
    assert declined["risk_info"]["decision"] == "D"
    watch.assert_clean()
