"""Hosted pages on a MID that takes ACH: the shopper may pay from a bank account."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.runtime import Runtime
from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import transaction
from tests.hpp.support import GOOD_CARD, create_page, page_path, pay, trans_id_of

ACCOUNT = "86063057"
BANK = {
    "method": "bank",
    "routing_number": "036001808",
    "account_number": ACCOUNT,
    "repeated_account_number": ACCOUNT,
    "account_type": "savings",
    "account_name": "Pat Payer",
}


async def row_count(runtime: Runtime, mid: str) -> int:
    async with runtime.db.transaction() as session:
        merchant_id = await session.scalar(select(Merchant.id).where(Merchant.mid == mid))
        stmt = select(func.count(Transaction.id)).where(Transaction.merchant_id == merchant_id)
        return int(await session.scalar(stmt) or 0)


def error_of(html: str, field: str) -> str:
    match = re.search(
        rf'<p class="error" id="{field}-error" *>\s*<span class="visually-hidden">Error: </span>'
        r"([^<]+)</p>",
        html,
    )
    assert match, f"an error is shown for {field}"
    return match.group(1)


@pytest.fixture
async def both(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant(accepts="both")


async def test_a_page_offers_bank_account_beside_card_only_where_ach_is_taken(
    client: httpx.AsyncClient, both: MerchantAccess, make_merchant: MerchantFactory
) -> None:
    client_id, _ = await create_page(client, both, amount="25.00", lock_amount=True)
    html = (await client.get(page_path(client_id))).text
    for needle in (
        'id="method-card" name="method" value="card" checked',
        'id="method-bank" name="method" value="bank"',
        'id="routing_number" name="routing_number"',
        'id="account_number" name="account_number"',
        'id="repeated_account_number" name="repeated_account_number"',
        'id="account_type-checking" name="account_type" value="checking" checked',
        'id="account_type-savings" name="account_type" value="savings"',
        'id="account_name" name="account_name"',
        'id="card_number" name="card_number"',
    ):
        assert needle in html, needle
    cards = await make_merchant()
    card_id, _ = await create_page(client, cards, amount="25.00", lock_amount=True)
    card_html = (await client.get(page_path(card_id))).text
    assert 'name="routing_number"' not in card_html and 'name="method"' not in card_html
    assert 'name="card_number"' in card_html
    ach = await make_merchant(accepts="ach")
    ach_id, _ = await create_page(client, ach, amount="25.00", lock_amount=True)
    ach_html = (await client.get(page_path(ach_id))).text
    assert '<input type="hidden" name="method" value="bank">' in ach_html
    assert 'name="card_number"' not in ach_html and 'name="routing_number"' in ach_html


async def test_paying_from_a_bank_account_is_an_ach_sale_with_a_receipt(
    client: httpx.AsyncClient, both: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, both, amount="25.00", lock_amount=True)
    paid = await pay(client, client_id, **BANK, **GOOD_CARD)  # card fields are ignored
    assert paid.status_code == 200, paid.text
    assert "Payment received" in paid.text and "Bank account ending 3057" in paid.text
    assert ACCOUNT not in paid.text
    stored = await transaction(client, both, trans_id_of(paid.text))
    expected = {
        "payment_method": "ach",
        "trans_type": "sale",
        "state": "accepted",
        "settlement_status": "Pending",
        "account_type": "savings",
        "routing_number": "036001808",
        "entry_class": "WEB",
        "amount": "25.00",
        "name": "Pat Payer",
        "card_brand": "ACH",
    }
    assert {k: stored[k] for k in expected} == expected


async def test_an_ach_only_page_pays_from_a_bank_account_without_choosing(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="ach")
    client_id, _ = await create_page(client, m, min_amount="1.00")
    fields = {k: v for k, v in BANK.items() if k != "method"}
    paid = await pay(client, client_id, **fields, amount="12.34")
    assert paid.status_code == 200, paid.text
    stored = await transaction(client, m, trans_id_of(paid.text))
    assert (stored["payment_method"], stored["amount"]) == ("ach", "12.34")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"routing_number": "036001809"}, "routing_number", "Enter a valid 9-digit routing number"),
        ({"routing_number": ""}, "routing_number", "Enter the routing number"),
        ({"account_number": "123"}, "account_number", "Enter an account number of 4 to 17 digits"),
        (
            {"repeated_account_number": "86063058"},
            "repeated_account_number",
            "The account numbers do not match",
        ),
        ({"account_name": ""}, "account_name", "Enter the account holder&#39;s name"),
        ({"account_type": "ledger"}, "account_type", "Choose checking or savings"),
        (
            {"account_number": "86063001", "repeated_account_number": "86063001"},
            "account_number",
            "This bank account cannot be used: pay another way",
        ),
    ],
)
async def test_bank_fields_are_checked_before_anything_is_charged(
    client: httpx.AsyncClient,
    runtime: Runtime,
    both: MerchantAccess,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    client_id, _ = await create_page(client, both, amount="25.00", lock_amount=True)
    refused = await pay(client, client_id, **{**BANK, **changes})
    assert refused.status_code == 422, refused.text
    assert error_of(refused.text, field) == message
    assert ACCOUNT not in refused.text  # never written back
    assert 'id="method-bank" name="method" value="bank" checked' in refused.text
    assert await row_count(runtime, both.mid) == 0


async def test_choosing_card_on_a_both_page_still_pays_by_card(
    client: httpx.AsyncClient, both: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, both, amount="25.00", lock_amount=True)
    paid = await pay(client, client_id, **GOOD_CARD, method="card", routing_number="bad")
    assert paid.status_code == 200, paid.text
    stored = await transaction(client, both, trans_id_of(paid.text))
    assert (stored["card_brand"], stored["state"]) == ("VISA", "captured")
    assert "Visa ending 1111" in paid.text
