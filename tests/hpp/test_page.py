"""GET and POST /payment: the shopper's page, real charges, receipts, declines, single use."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import transaction
from tests.hpp.support import (
    DECLINED_CARD,
    GOOD_CARD,
    attempt_of,
    create_page,
    page_path,
    pay,
    trans_id_of,
)


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_a_locked_page_shows_merchant_title_and_fixed_amount(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(name="Corner Bakery")
    client_id, _ = await create_page(
        client, m, name="Birthday cake", amount="99.99", lock_amount="true"
    )
    page = await client.get(page_path(client_id))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = visible_text(page.text)
    assert "Corner Bakery" in text and "Birthday cake" in text
    assert "$99.99" in text and "Pay $99.99" in text
    assert 'name="amount"' not in page.text
    for field in ("card_number", "expiry", "cvv"):
        assert re.search(rf'<label for="{field}">', page.text), field
    assert 'lang="en"' in page.text and 'name="viewport"' in page.text


async def test_pages_use_no_external_asset_and_a_strict_policy(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant, amount="5.00")
    page = await client.get(page_path(client_id))
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
    assert page.headers["cache-control"] == "no-store"
    assets = re.findall(r'(?:src|href)="(/homerun/v1/[^"]+)"', page.text)
    assert len(assets) == 3
    for path in assets:
        served = await client.get(path)
        assert served.status_code == 200, path
        assert "http://" not in served.text and "https://" not in served.text
        assert "@import" not in served.text and "url(" not in served.text


async def test_an_open_amount_is_an_input_with_its_bounds(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(
        client, merchant, amount="75.00", min_amount="50.00", max_amount="200.00"
    )
    page = await client.get(page_path(client_id))
    assert re.search(r'<input id="amount" name="amount"[^>]*value="75.00"', page.text, re.S)
    assert "Between $50.00 and $200.00" in page.text


async def test_options_render_with_defaults_read_only_and_required(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(
        client,
        merchant,
        name_on_account="Pat Doe",
        hpp_options=[
            {"name": "email", "value": "pat@example.com", "is_required": "true"},
            {"name": "invoice_id", "value": "INV-7", "is_readonly": "true"},
            {"name": "address", "is_required": "true"},
            {"name": "custom_03", "label": "Member <b>number</b>"},
        ],
    )
    html = (await client.get(page_path(client_id))).text
    email = re.search(r'<input id="email"[^>]*>', html, re.S)
    assert email and 'value="pat@example.com"' in email.group(0)
    assert "required" in email.group(0) and 'type="email"' in email.group(0)
    invoice = re.search(r'<input id="invoice_id"[^>]*>', html, re.S)
    assert invoice and "readonly" in invoice.group(0) and 'value="INV-7"' in invoice.group(0)
    assert "<legend>Billing address</legend>" in html
    for field in ("address1", "city", "region", "account_zip"):
        assert f'id="{field}"' in html
    assert "Member &lt;b&gt;number&lt;/b&gt;" in html  # labels are text, never markup
    name = re.search(r'<input id="name"[^>]*>', html, re.S)
    assert name and 'value="Pat Doe"' in name.group(0)


@pytest.mark.parametrize(
    "query", ["?client_id=" + "0" * 32, "?client_id=nonsense", "", "?client_id="]
)
async def test_an_unknown_link_gets_a_clear_page(client: httpx.AsyncClient, query: str) -> None:
    page = await client.get("/payment" + query)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Payment link not found" in page.text
    assert "Traceback" not in page.text


async def test_paying_a_fixed_amount_runs_a_real_charge_and_shows_a_receipt(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(
        client,
        merchant,
        amount="99.99",
        lock_amount=True,
        hpp_options=[
            {"name": "invoice_id", "value": "INV-42", "is_readonly": True},
            {"name": "email", "is_required": True},
            {"name": "custom_01", "value": "from-link"},
        ],
    )
    paid = await pay(
        client,
        client_id,
        **GOOD_CARD,
        name="Jane Shopper",
        email="jane@example.com",
        invoice_id="TAMPERED",
        custom_01="from-link",
        amount="0.01",
    )
    assert paid.status_code == 200, paid.text
    assert "Payment received" in paid.text and "$99.99" in paid.text
    assert "4111111111111111" not in paid.text and "4111 1111" not in paid.text
    trans_id = trans_id_of(paid.text)
    stored = await transaction(client, merchant, trans_id)
    assert stored["state"] == "captured" and stored["amount_captured"] == 9999
    assert stored["invoice_id"] == "INV-42"
    assert stored["email"] == "jane@example.com" and stored["name"] == "Jane Shopper"
    assert stored["custom_01"] == "from-link"
    assert stored["card_brand"] == "VISA" and stored["account_token"].startswith("9")
    assert stored["amount"] == "99.99"


async def test_a_bounded_amount_is_checked_then_paid(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant, min_amount="50.00", max_amount="200.00")
    for typed in ("10.00", "200.01", "", "12.345", "abc"):
        refused = await pay(client, client_id, **GOOD_CARD, amount=typed)
        assert refused.status_code == 422, typed
        assert 'class="error-summary"' in refused.text
        assert re.search(r'<input id="amount"[^>]*aria-invalid="true"', refused.text, re.S)
    paid = await pay(client, client_id, **GOOD_CARD, amount="$150.50")
    assert paid.status_code == 200, paid.text
    stored = await transaction(client, merchant, trans_id_of(paid.text))
    assert stored["amount_captured"] == 15050


async def test_a_decline_shows_the_reason_and_the_shopper_can_try_again(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant, amount="20.00", lock_amount=True)
    declined = await pay(client, client_id, **DECLINED_CARD, name="Sam")
    assert declined.status_code == 200
    assert "Payment declined" in declined.text and "Do not honor" in declined.text
    assert "4000000000000002" not in declined.text
    card = re.search(r'<input id="card_number"[^>]*>', declined.text, re.S)
    assert card and 'value=""' in card.group(0)
    assert re.search(r'<input id="name"[^>]*value="Sam"', declined.text, re.S)
    again = await pay(client, client_id, attempt=attempt_of(declined.text), **GOOD_CARD)
    assert again.status_code == 200 and "Payment received" in again.text


async def test_card_fields_are_checked_before_any_charge(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant, amount="5.00", lock_amount=True)
    cases = {
        "card_number": {**GOOD_CARD, "card_number": "4111111111111112"},
        "expiry": {**GOOD_CARD, "expiry": "01/20"},
        "cvv": {**GOOD_CARD, "card_number": "378282246310005", "cvv": "123"},
    }
    for field, fields in cases.items():
        refused = await pay(client, client_id, **fields)
        assert refused.status_code == 422
        assert re.search(rf'<input id="{field}"[^>]*aria-invalid="true"', refused.text, re.S)
        assert fields["card_number"] not in refused.text
    empty = await pay(client, client_id)
    for field in ("card_number", "expiry", "cvv"):
        assert f'href="#{field}"' in empty.text
    listed = await client.get(f"/homerun/v1/hpp/{client_id}", headers=merchant.headers)
    assert listed.json()["payment_count"] == 0


async def test_required_options_must_be_filled(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(
        client,
        merchant,
        amount="5.00",
        lock_amount=True,
        hpp_options=[
            {"name": "phone", "is_required": True},
            {"name": "address", "is_required": True},
            {"name": "email"},
        ],
    )
    refused = await pay(client, client_id, **GOOD_CARD, email="not-an-email")
    assert refused.status_code == 422
    for field in ("phone", "address1", "city", "account_zip", "email"):
        assert f'href="#{field}"' in refused.text, field
    assert 'href="#region"' not in refused.text
    paid = await pay(
        client,
        client_id,
        **GOOD_CARD,
        phone="215-555-0100",
        address1="1 Main St",
        city="Philadelphia",
        region="PA",
        account_zip="19106",
    )
    assert paid.status_code == 200, paid.text
    stored = await transaction(client, merchant, trans_id_of(paid.text))
    assert (stored["address1"], stored["city"], stored["region"]) == (
        "1 Main St",
        "Philadelphia",
        "PA",
    )
    assert stored["account_zip"] == "19106" and stored["avs_resp"] == "Y"


async def test_a_single_use_link_pays_once_then_says_so(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(
        client, merchant, amount="15.00", lock_amount="true", disable_after_payment="true"
    )
    opened = await client.get(page_path(client_id))
    stale_attempt = attempt_of(opened.text)
    paid = await pay(client, client_id, **GOOD_CARD)
    assert paid.status_code == 200 and "now closed" in paid.text
    later = await client.get(page_path(client_id))
    assert later.status_code == 410 and "already been used" in later.text
    second = await pay(client, client_id, attempt=stale_attempt, **GOOD_CARD)
    assert second.status_code == 410 and "already been used" in second.text
    page = (await client.get(f"/homerun/v1/hpp/{client_id}", headers=merchant.headers)).json()
    assert (page["status"], page["disabled_reason"], page["payment_count"]) == (
        "disabled",
        "paid",
        1,
    )


async def test_a_resubmitted_form_shows_the_same_receipt_without_charging_again(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(
        client, merchant, amount="15.00", lock_amount=True, disable_after_payment=True
    )
    attempt = attempt_of((await client.get(page_path(client_id))).text)
    first = await pay(client, client_id, attempt=attempt, **GOOD_CARD)
    again = await pay(client, client_id, attempt=attempt, **GOOD_CARD)
    assert first.status_code == again.status_code == 200
    assert trans_id_of(first.text) == trans_id_of(again.text)
    page = (await client.get(f"/homerun/v1/hpp/{client_id}", headers=merchant.headers)).json()
    assert page["payment_count"] == 1 and len(page["payments"]) == 1


async def test_two_shoppers_racing_on_a_single_use_link_pay_once(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(
        client, merchant, amount="30.00", lock_amount=True, disable_after_payment=True
    )
    attempts = [attempt_of((await client.get(page_path(client_id))).text) for _ in range(4)]
    answers = await asyncio.gather(
        *(pay(client, client_id, attempt=a, **GOOD_CARD) for a in attempts)
    )
    assert sorted(a.status_code for a in answers) == [200, 410, 410, 410]
    page = (await client.get(f"/homerun/v1/hpp/{client_id}", headers=merchant.headers)).json()
    assert page["payment_count"] == 1


async def test_a_page_the_merchant_turned_off_or_a_disabled_merchant(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(name="Closing Shop")
    client_id, _ = await create_page(client, m, amount="5.00")
    off = await client.post(f"/homerun/v1/hpp/{client_id}/disable", headers=m.headers)
    assert off.status_code == 200
    page = await client.get(page_path(client_id))
    assert page.status_code == 410 and "no longer active" in page.text
    assert "Closing Shop" in page.text
    await client.post(f"/homerun/v1/hpp/{client_id}/enable", headers=m.headers)
    assert (await client.get(page_path(client_id))).status_code == 200
    updated = await client.patch(
        f"/homerun/v1/merchants/{m.mid}", json={"status": "disabled"}, headers=ADMIN
    )
    assert updated.status_code == 200, updated.text
    page = await client.get(page_path(client_id))
    assert page.status_code == 403 and "not accepting payments" in page.text


async def test_a_surcharge_merchant_page_asks_for_the_zip_and_shows_the_fee(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(surcharge_enabled=True, surcharge_rate="3.00")
    client_id, _ = await create_page(client, m, amount="100.00", lock_amount=True)
    html = (await client.get(page_path(client_id))).text
    assert 'id="account_zip"' in html and "surcharge of up to 3.00%" in html
    refused = await pay(client, client_id, **GOOD_CARD)
    assert refused.status_code == 422 and 'href="#account_zip"' in refused.text
    paid = await pay(client, client_id, **GOOD_CARD, account_zip="19106")
    assert paid.status_code == 200, paid.text
    assert "$3.00" in paid.text and "$103.00" in paid.text


async def test_the_form_must_be_form_encoded(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant, amount="5.00")
    answer = await client.post(page_path(client_id), json={"card_number": "4111111111111111"})
    assert answer.status_code == 415


async def test_a_form_with_absurdly_many_fields_is_refused(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant, amount="5.00")
    flood = "&".join(f"f{n}=x" for n in range(100))
    answer = await client.post(
        page_path(client_id),
        content=flood,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 400
