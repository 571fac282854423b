"""ACH tokens (ruling R15): Runner.js's bank-account mode of POST /homerun/v1/tokens."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from homerun.ach.bank_accounts import AccountType, EntryClass
from homerun.kit.ids import luhn_valid
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from homerun.tokenizer import bank_tokens
from homerun.tokenizer.models import AchToken, CardToken
from tests.ach.helpers import ACCOUNT, ROUTING, tokenize_ach
from tests.conftest import MerchantAccess, MerchantFactory


@pytest.fixture
async def ach_merchant(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant(accepts="both")


async def ach_rows(runtime: Runtime, mid: str) -> list[AchToken]:
    async with runtime.db.transaction() as session:
        merchant_id = await session.scalar(select(Merchant.id).where(Merchant.mid == mid))
        found = await session.scalars(select(AchToken).where(AchToken.merchant_id == merchant_id))
        return list(found)


async def test_a_bank_account_gets_an_r11_token_and_the_r15_answer(
    client: httpx.AsyncClient, runtime: Runtime, ach_merchant: MerchantAccess
) -> None:
    answer = await tokenize_ach(client, ach_merchant, account_type="Savings", entry_class="ppd")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    token = body["account_token"]
    assert len(token) == 16 and token.isdigit() and token.startswith("9")
    assert token.endswith(ACCOUNT[-4:]) and not luhn_valid(token)
    assert body == {
        "account_token": token,
        "token": token,
        "expiry": "",
        "bank_account": {
            "routing_number": ROUTING,
            "last4": "3057",
            "account_type": "savings",
            "name": "Pat Payer",
            "entry_class": "PPD",
        },
        "risk_info": {"decision": "A", "reason": ""},
        "card_info": {},
    }
    assert ACCOUNT not in answer.text
    [row] = await ach_rows(runtime, ach_merchant.mid)
    assert (row.token, row.routing_number, row.last_four) == (token, ROUTING, "3057")
    assert (row.account_type, row.entry_class, row.holder_name) == (
        AccountType.SAVINGS,
        EntryClass.PPD,
        "Pat Payer",
    )
    assert ACCOUNT.encode() not in row.account_ciphertext  # sealed
    async with runtime.db.transaction() as session:
        assert await bank_tokens.account_number(session, runtime, row) == ACCOUNT


async def test_the_same_account_keeps_its_token_and_takes_the_latest_details(
    client: httpx.AsyncClient, runtime: Runtime, ach_merchant: MerchantAccess
) -> None:
    first = (await tokenize_ach(client, ach_merchant)).json()["account_token"]
    again = await tokenize_ach(client, ach_merchant, name="Pat Q Payer", entry_class="TEL")
    assert again.json()["account_token"] == first
    [row] = await ach_rows(runtime, ach_merchant.mid)
    assert (row.holder_name, row.entry_class) == ("Pat Q Payer", EntryClass.TEL)


async def test_risk_decline_makes_no_token_and_a_warning_does(
    client: httpx.AsyncClient, runtime: Runtime, ach_merchant: MerchantAccess
) -> None:
    declined = await tokenize_ach(client, ach_merchant, account_number="86063001")
    assert declined.status_code == 200, declined.text
    assert declined.json()["account_token"] == "" and declined.json()["token"] == ""
    assert declined.json()["risk_info"] == {
        "decision": "D",
        "reason": "Account reported closed by the bank",
    }
    assert await ach_rows(runtime, ach_merchant.mid) == []
    warned = await tokenize_ach(client, ach_merchant, account_number="86063002")
    assert warned.json()["risk_info"]["decision"] == "W"
    assert warned.json()["account_token"].endswith("3002")
    assert len(await ach_rows(runtime, ach_merchant.mid)) == 1


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"routing_number": "036001809"}, "routing_number", "fails the ABA checksum"),
        ({"routing_number": "03600180"}, "routing_number", "must be 9 digits"),
        ({"routing_number": "03600180x"}, "routing_number", "must be 9 digits"),
        (
            {"account_number": "86063057", "repeated_account_number": "86063058"},
            "repeated_account_number",
            "does not match account_number",
        ),
        ({"account_number": "123", "repeated_account_number": None}, "account_number", "4 to 17"),
        (
            {"account_number": "8606-30x7", "repeated_account_number": None},
            "account_number",
            "digits",
        ),
        ({"account_type": "ledger"}, "account_type", "checking"),
        ({"entry_class": "ARC"}, "entry_class", "WEB"),
        ({"name": "  "}, "name", "is required"),
        ({"name": None}, "name", "is required"),
    ],
)
async def test_bad_bank_details_are_400_naming_the_field_and_store_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    ach_merchant: MerchantAccess,
    fields: dict[str, object],
    field: str,
    problem: str,
) -> None:
    answer = await tokenize_ach(client, ach_merchant, **fields)
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert list(errors) == [field] and problem in errors[field][0]
    assert "86063057" not in answer.text and "86063058" not in answer.text
    assert await ach_rows(runtime, ach_merchant.mid) == []


async def test_a_card_only_merchant_tokenizes_no_bank_account(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    answer = await tokenize_ach(client, merchant)
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == ["routing_number"]
    assert await ach_rows(runtime, merchant.mid) == []


async def test_an_ach_only_merchant_tokenizes_no_card(
    client: httpx.AsyncClient, runtime: Runtime, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="ach")
    answer = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": "4111111111111111", "expiry": "12/30"},
        headers={"Authorization": f"Bearer {m.public_key}"},
    )
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == ["account_number"]
    assert "4111111111111111" not in answer.text
    async with runtime.db.transaction() as session:
        merchant_id = await session.scalar(select(Merchant.id).where(Merchant.mid == m.mid))
        count = select(func.count(CardToken.id)).where(CardToken.merchant_id == merchant_id)
        assert await session.scalar(count) == 0
    assert (await tokenize_ach(client, m)).status_code == 200


async def test_a_bank_token_never_reuses_a_card_token(
    client: httpx.AsyncClient,
    runtime: Runtime,
    ach_merchant: MerchantAccess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One namespace of tokens for charges: a draw that a card already has is drawn again.
    card = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": "4111111111111111", "expiry": "12/30"},
        headers={"Authorization": f"Bearer {ach_merchant.public_key}"},
    )
    card_token = card.json()["account_token"]
    draws = iter([card_token, "9000000000013057"])
    monkeypatch.setattr(bank_tokens, "new_account_token", lambda _last_four: next(draws))
    answer = await tokenize_ach(client, ach_merchant)
    assert answer.json()["account_token"] == "9000000000013057"
    [row] = await ach_rows(runtime, ach_merchant.mid)
    assert row.token == "9000000000013057"
