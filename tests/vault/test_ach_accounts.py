"""Bank accounts in the vault (ruling R15): checking (3) and savings (4) accounts made from
an ACH token or by an ACH charge with vault:"Y", shown masked, updated, deleted and charged."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from homerun.runtime import Runtime
from tests.ach.helpers import ACCOUNT, ROUTING, ach_token
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import transaction
from tests.vault.support import ACCOUNTS, delete, got, put, stored_rows

CHARGE = "/api/v1/charge"


@pytest.fixture
async def both(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant(accepts="both")


async def create_bank(
    client: httpx.AsyncClient, m: MerchantAccess, token: str, **fields: Any
) -> httpx.Response:
    body = {"mid": m.mid, "account_token": token, **fields}
    return await client.post(ACCOUNTS, json=body, headers=m.headers)


async def bank_account(
    client: httpx.AsyncClient, m: MerchantAccess, **token_fields: Any
) -> dict[str, Any]:
    token = await ach_token(client, m, **token_fields)
    answer = await create_bank(client, m, token)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def charge(client: httpx.AsyncClient, m: MerchantAccess, **fields: Any) -> httpx.Response:
    body = {"mid": m.mid, "amount": 4200, **fields}
    return await client.post(CHARGE, json=body, headers=m.headers)


async def test_an_ach_token_makes_a_checking_account_with_masked_fields(
    client: httpx.AsyncClient, both: MerchantAccess
) -> None:
    token = await ach_token(client, both, entry_class="PPD")
    answer = await create_bank(client, both, token, email="pat@example.com")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = {
        "mid": both.mid,
        "name": "Pat Payer",  # the account holder's, as no name was sent
        "account_type": 3,
        "is_default": True,
        "email": "pat@example.com",
        "account_token": token,
        "card_brand_id": None,
        "last_four": "3057",
        "expiration": None,
        "routing_number": ROUTING,
        "entry_class": "PPD",
        "cof_perm": "Y",
    }
    assert {k: body[k] for k in expected} == expected
    assert ACCOUNT not in answer.text
    shown = await got(client, both, body["vault_id"])
    expected_get = {
        "id": body["vault_id"],
        "uuid": body["uuid"],
        "vault_holder_id": body["vault_holder_id"],
        "account_token": token,
        "card_brand_id": None,
        "card_brand": "ACH",
        "vault_account_type_id": "3",
        "ach_acct_type_id": "1",
        "name": "Pat Payer",
        "last_four": "3057",
        "expiration": None,
        "routing_number": ROUTING,
        "entry_class": "PPD",
        "is_deleted": "0",
        "is_default": "1",
    }
    assert {k: shown[k] for k in expected_get} == expected_get
    text = (await client.get(f"{ACCOUNTS}/{body['uuid']}", headers=both.headers)).text
    assert ACCOUNT not in text


async def test_a_savings_token_makes_a_savings_account_that_joins_a_holder(
    client: httpx.AsyncClient, both: MerchantAccess
) -> None:
    first = await bank_account(client, both)
    token = await ach_token(client, both, account_type="savings", name="Sam Saver")
    answer = await create_bank(
        client, both, token, vault_holder_id=first["vault_holder_id"], name="Joint"
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["account_type"], body["name"], body["is_default"]) == (4, "Joint", False)
    assert body["vault_holder_id"] == first["vault_holder_id"]
    shown = await got(client, both, body["uuid"])
    assert (shown["vault_account_type_id"], shown["ach_acct_type_id"]) == ("4", "2")


async def test_update_ach_acct_type_id_switches_checking_and_savings_and_records_ledger(
    client: httpx.AsyncClient, both: MerchantAccess
) -> None:
    account = await bank_account(client, both)
    vault_id = account["vault_id"]
    changed = await put(client, both, vault_id, ach_acct_type_id="2", nickname="Rainy day")
    assert changed.status_code == 200, changed.text
    expected = {
        "vault_id": vault_id,
        "ach_acct_type_id": "2",
        "nickname": "Rainy day",
        "last_four": "3057",
        "expiration": None,
        "routing_number": ROUTING,
        "entry_class": "WEB",
    }
    assert {k: changed.json()[k] for k in expected} == expected
    assert (await got(client, both, vault_id))["vault_account_type_id"] == "4"
    # A charge debits the account as savings now, whatever the token says.
    sale = await charge(client, both, vault_id=str(vault_id))
    assert sale.json()["account_type"] == "savings"
    ledger = await put(client, both, vault_id, ach_acct_type_id="3")
    assert ledger.json()["ach_acct_type_id"] == "3"
    shown = await got(client, both, vault_id)
    assert (shown["vault_account_type_id"], shown["ach_acct_type_id"]) == ("4", "3")
    back = await put(client, both, vault_id, ach_acct_type_id="1")
    assert back.status_code == 200
    assert (await got(client, both, vault_id))["vault_account_type_id"] == "3"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expiration": "1230"}, "expiration"),
        ({"ach_acct_type_id": "4"}, "ach_acct_type_id"),
        ({"ach_acct_type_id": "4", "nickname": "x"}, "ach_acct_type_id"),
    ],
)
async def test_bad_updates_of_a_bank_account_are_400_and_change_nothing(
    client: httpx.AsyncClient, both: MerchantAccess, body: dict[str, Any], field: str
) -> None:
    account = await bank_account(client, both)
    before = await got(client, both, account["vault_id"])
    answer = await put(client, both, account["vault_id"], **body)
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == [field]
    assert await got(client, both, account["vault_id"]) == before


async def test_a_bank_account_with_an_expiration_is_400_and_stores_nothing(
    client: httpx.AsyncClient, runtime: Runtime, both: MerchantAccess
) -> None:
    token = await ach_token(client, both)
    before = await stored_rows(runtime, both)
    answer = await create_bank(client, both, token, expiration="1230")
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == ["expiration"]
    assert ACCOUNT not in answer.text
    assert await stored_rows(runtime, both) == before == {"holders": 0, "accounts": 0, "tokens": 0}


async def test_charging_a_vaulted_bank_account_is_an_ach_sale(
    client: httpx.AsyncClient, both: MerchantAccess
) -> None:
    account = await bank_account(client, both, account_type="savings")
    answer = await charge(client, both, vault_id=account["uuid"], custom_06="order 7")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = {
        "result": "A",
        "resp_code": "00",
        "resp_text": "Accepted",
        "trans_type": "sale",
        "settlement_status": "Pending",
        "card_brand": "ACH",
        "account": "****3057",
        "account_token": account["account_token"],
        "expiration": None,
        "payment_method": "ach",
        "account_type": "savings",
        "routing_number": ROUTING,
        "entry_class": "WEB",
        "vault_id": account["uuid"],
        "vault_holder_id": account["vault_holder_id"],
        "name": "Pat Payer",
        "amount": 4200,
    }
    assert {k: body[k] for k in expected} == expected
    stored = await transaction(client, both, body["trans_id"])
    assert (stored["state"], stored["payment_method"]) == ("accepted", "ach")
    # By the holder alone: its default account.
    by_holder = await charge(client, both, vault_holder_id=account["vault_holder_id"])
    assert by_holder.json()["vault_id"] == account["uuid"]


async def test_an_ach_charge_with_vault_y_stores_the_account_once_per_holder(
    client: httpx.AsyncClient, runtime: Runtime, both: MerchantAccess
) -> None:
    token = await ach_token(client, both)
    first = await charge(client, both, account_token=token, vault="Y", email="p@example.com")
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["result"], body["vault"]) == ("A", "Y")
    shown = await got(client, both, body["vault_id"])
    expected = {
        "uuid": body["vault_id"],
        "vault_holder_id": body["vault_holder_id"],
        "vault_account_type_id": "3",
        "card_brand": "ACH",
        "name": "Pat Payer",
        "email": "p@example.com",
        "last_four": "3057",
        "cof_perm": "N",
    }
    assert {k: shown[k] for k in expected} == expected
    again = await charge(
        client, both, account_token=token, vault="Y", vault_holder_id=body["vault_holder_id"]
    )
    assert again.json()["vault_id"] == body["vault_id"]
    assert (await stored_rows(runtime, both))["accounts"] == 1
    # Stored without the payer's permission: a merchant-initiated charge is refused.
    mit = await charge(client, both, vault_id=body["vault_id"], cof="M")
    assert (mit.json()["result"], mit.json()["resp_code"]) == ("C", "34")


async def test_a_deleted_bank_account_is_not_charged(
    client: httpx.AsyncClient, both: MerchantAccess
) -> None:
    account = await bank_account(client, both)
    gone = await delete(client, both, account["vault_id"])
    assert gone.json() == {
        "success": True,
        "message": f"Vault payment account {account['uuid']} deleted successfully",
    }
    assert (await got(client, both, account["vault_id"]))["is_deleted"] == "1"
    answer = await charge(client, both, vault_id=account["uuid"])
    assert (answer.json()["result"], answer.json()["resp_code"]) == ("C", "96")


async def test_a_vaulted_bank_account_on_a_mid_that_stopped_taking_ach_is_a_bare_400(
    client: httpx.AsyncClient, runtime: Runtime, both: MerchantAccess
) -> None:
    account = await bank_account(client, both)
    changed = await client.patch(
        f"/homerun/v1/merchants/{both.mid}", json={"accepts": "cards"}, headers=ADMIN
    )
    assert changed.status_code == 200
    answer = await charge(client, both, vault_id=str(account["vault_id"]))
    assert (answer.status_code, answer.content) == (400, b"")


async def test_an_ach_only_mid_charges_vaulted_bank_accounts_and_refuses_vaulted_cards(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="ach")
    account = await bank_account(client, m)
    answer = await charge(client, m, vault_id=account["uuid"])
    assert (answer.json()["result"], answer.json()["payment_method"]) == ("A", "ach")
    card = await client.post(
        ACCOUNTS,
        json={"mid": m.mid, "account_token": "4111111111111111", "expiration": "1230"},
        headers=m.headers,
    )
    assert card.status_code == 200, card.text
    refused = await charge(client, m, vault_id=card.json()["uuid"])
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["account_token"]
    missing = await charge(client, m, vault_id="999999")
    assert (missing.json()["result"], missing.json()["resp_code"]) == ("C", "96")


async def test_vault_y_naming_an_unknown_holder_stores_nothing(
    client: httpx.AsyncClient, runtime: Runtime, make_merchant: MerchantFactory
) -> None:
    holder = "0190b4a2-1c2d-7e3f-8a4b-5c6d7e8f9a0b"
    both = await make_merchant(accepts="both")
    token = await ach_token(client, both)
    declined = await charge(client, both, account_token=token, vault="Y", vault_holder_id=holder)
    assert (declined.json()["result"], declined.json()["resp_code"]) == ("C", "96")
    assert (await stored_rows(runtime, both))["accounts"] == 0
    ach_only = await make_merchant(accepts="ach")
    token = await ach_token(client, ach_only)
    refused = await charge(client, ach_only, account_token=token, vault="Y", vault_holder_id=holder)
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["vault_holder_id"]
    assert await stored_rows(runtime, ach_only) == {"holders": 0, "accounts": 0, "tokens": 0}


async def test_update_puts_a_bank_account_on_a_card_account(
    client: httpx.AsyncClient, both: MerchantAccess
) -> None:
    card = await client.post(
        ACCOUNTS,
        json={"mid": both.mid, "account_token": "4111111111111111", "expiration": "1230"},
        headers=both.headers,
    )
    assert card.status_code == 200, card.text
    vault_id = card.json()["vault_id"]
    token = await ach_token(client, both, account_type="savings")
    changed = await put(client, both, vault_id, account_token=token)
    assert changed.status_code == 200, changed.text
    shown = await got(client, both, vault_id)
    expected = {
        "account_token": token,
        "card_brand": "ACH",
        "card_brand_id": None,
        "vault_account_type_id": "4",
        "ach_acct_type_id": "2",
        "last_four": "3057",
        "expiration": None,
        "routing_number": ROUTING,
    }
    assert {k: shown[k] for k in expected} == expected
    sale = await charge(client, both, vault_id=str(vault_id))
    assert (sale.json()["payment_method"], sale.json()["account_type"]) == ("ach", "savings")
