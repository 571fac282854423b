"""Vaulting through /charge, $0 verification, charging a vaulted account, card on file."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from homerun.runtime import Runtime
from tests.conftest import MerchantAccess
from tests.helpers import charge, events, transaction
from tests.vault.support import UUID_LENGTH, created, delete, got, stored_rows


async def vault_charge(client: httpx.AsyncClient, m: MerchantAccess, **fields: Any) -> Any:
    """A charge of a vaulted account: no account_token, expiration or cvn."""
    answer = await charge(client, m, account_token=None, expiration=None, **fields)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_vault_y_on_a_sale_answers_the_ids_and_stores_the_details(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (
        await charge(
            client,
            merchant,
            amount="25.00",
            vault="Y",
            cvn="123",
            name="John Doe",
            address1="101 Independence Mall W",
            city="Philadelphia",
            region="PA",
            country="US",
            account_zip="19106",
            email="john@example.com",
            custom_01="only on the transaction",
            custom_06="cust-42",
            custom10="ten",
        )
    ).json()
    assert (body["result"], body["vault"], body["trans_type"]) == ("A", "Y", "sale")
    assert isinstance(body["vault_id"], str) and len(body["vault_id"]) == UUID_LENGTH
    assert isinstance(body["vault_holder_id"], str) and len(body["vault_holder_id"]) == UUID_LENGTH
    assert (body["custom_06"], body["custom_10"]) == ("cust-42", "ten")
    account = await got(client, merchant, body["vault_id"])
    assert account["vault_holder_id"] == body["vault_holder_id"]
    assert {k: account[k] for k in ("name", "city", "account_zip", "email", "last_four")} == {
        "name": "John Doe",
        "city": "Philadelphia",
        "account_zip": "19106",
        "email": "john@example.com",
        "last_four": "1111",
    }
    assert (account["custom_06"], account["custom_10"], account["expiration"]) == (
        "cust-42",
        "ten",
        "2030-12",
    )
    assert account["account_token"] == body["account_token"]
    assert account["cof_perm"] == "N"  # no cof_perm "Y" was sent
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_captured"], stored["vault"]) == ("captured", 2500, "Y")


async def test_zero_dollar_verification_vaults_without_charging(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (
        await charge(
            client,
            merchant,
            amount="0.00",
            capture="N",
            vault="Y",
            cof="C",
            cof_sched="N",
            cof_perm="Y",
            currency="USD",
            custom_06="cust-7",
        )
    ).json()
    assert (body["result"], body["amount"], body["trans_type"], body["vault"]) == (
        "A",
        "0.00",
        "verify",
        "Y",
    )
    assert (body["cof"], body["cof_sched"], body["cof_perm"]) == ("C", "N", "Y")
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_authorized"], stored["amount_captured"]) == (
        "verified",
        0,
        0,
    )
    account = await got(client, merchant, body["vault_id"])
    assert (account["is_default"], account["cof_perm"], account["custom_06"]) == (
        "1",
        "Y",
        "cust-7",
    )
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]


async def test_vault_holder_id_adds_the_new_account_to_that_holder(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    first = (await charge(client, merchant, amount=0, vault="Y", cof_perm="Y")).json()
    holder = first["vault_holder_id"]
    second = (
        await charge(
            client,
            merchant,
            account_token="5555555555554444",
            amount="0.00",
            capture="N",
            vault="Y",
            vault_holder_id=holder,
        )
    ).json()
    assert second["vault_holder_id"] == holder and second["vault_id"] != first["vault_id"]
    assert (await got(client, merchant, second["vault_id"]))["is_default"] == "0"
    # The same card vaulted again under the same holder is the same account.
    again = (
        await charge(
            client, merchant, account_token="5555555555554444", vault="Y", vault_holder_id=holder
        )
    ).json()
    assert (again["vault_id"], again["vault_holder_id"]) == (second["vault_id"], holder)


async def test_an_unknown_holder_is_refused_before_anything_is_charged(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    body = (
        await charge(
            client, merchant, vault="Y", vault_holder_id="5b04a646-b49d-4505-b3fc-bd4062c10662"
        )
    ).json()
    assert (body["result"], body["resp_code"], body["resp_proc"], body["vault"]) == (
        "C",
        "96",
        "PPS",
        "N",
    )
    assert body["vault_id"] is None
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_captured"]) == ("declined", 0)
    rows = await stored_rows(runtime, merchant)
    assert (rows["holders"], rows["accounts"]) == (0, 0)


@pytest.mark.parametrize(("pan", "code"), [("4000000000009995", "51"), ("4000000000000002", "05")])
async def test_a_declined_card_is_not_vaulted(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess, pan: str, code: str
) -> None:
    body = (await charge(client, merchant, account_token=pan, vault="Y")).json()
    assert (body["result"], body["resp_code"], body["vault"], body["vault_id"]) == (
        "C",
        code,
        "N",
        None,
    )
    assert body["vault_holder_id"] is None
    rows = await stored_rows(runtime, merchant)
    assert (rows["holders"], rows["accounts"], rows["tokens"]) == (0, 0, 1)


async def test_charging_a_vaulted_account_needs_no_card_data(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    made = await created(
        client,
        merchant,
        "4788250000121443",
        expiration="11/29",
        name="Vaulted Holder",
        account_zip="19064",
        custom06="account six",
        custom07="account seven",
    )
    body = await vault_charge(
        client,
        merchant,
        amount=4200,
        vault_id=made["vault_id"],
        vault_holder_id=made["vault_holder_id"],
        custom_07="this charge's seven",
        custom_02="two",
    )
    assert (body["result"], body["amount"], body["card_number"]) == (
        "A",
        4200,
        "**** **** **** 1443",
    )
    assert (body["vault_id"], body["vault_holder_id"], body["vault"]) == (
        made["uuid"],
        made["vault_holder_id"],
        "N",
    )
    assert (body["expiration"], body["account_token"], body["cvv_resp"]) == (
        "1129",
        made["account_token"],
        "P",
    )
    # The account's details and custom_06..10 flow onto the charge; the request's win.
    assert (body["name"], body["account_zip"], body["avs_resp"]) == ("Vaulted Holder", "19064", "Z")
    assert (body["custom_06"], body["custom_07"], body["custom_02"]) == (
        "account six",
        "this charge's seven",
        "two",
    )
    # The account itself is unchanged by a charge's custom fields.
    assert (await got(client, merchant, made["uuid"]))["custom_07"] == "account seven"
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_captured"]) == ("captured", 4200)


async def test_a_vaulted_account_of_another_holder_is_not_found(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    one, two = await created(client, merchant), await created(client, merchant)
    body = await vault_charge(
        client, merchant, vault_id=one["uuid"], vault_holder_id=two["vault_holder_id"]
    )
    assert (body["result"], body["resp_code"], body["resp_text"]) == (
        "C",
        "96",
        "Profile not found",
    )


async def test_a_malformed_vault_id_is_a_400(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await charge(client, merchant, account_token=None, vault_id="not-an-id")
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["vault_id"]
    assert await events(client, merchant) == []


async def test_merchant_initiated_charges_need_stored_permission(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    without = (await charge(client, merchant, amount=0, vault="Y", cof="C", cof_perm="N")).json()
    refused = await vault_charge(
        client, merchant, vault_id=without["vault_id"], cof="M", cof_sched="Y"
    )
    assert (refused["result"], refused["resp_code"], refused["resp_text"]) == (
        "C",
        "34",
        "Invalid field: no card-on-file permission",
    )
    assert (refused["resp_proc"], refused["cof"], refused["cof_sched"]) == ("PPS", "M", "Y")
    stored = await transaction(client, merchant, refused["trans_id"])
    assert (stored["state"], stored["amount_captured"]) == ("declined", 0)
    # A customer-initiated charge on the account with cof_perm "Y" records the consent...
    consent = await vault_charge(
        client, merchant, vault_id=without["vault_id"], cof="C", cof_perm="Y"
    )
    assert consent["result"] == "A"
    assert (await got(client, merchant, without["vault_id"]))["cof_perm"] == "Y"
    # ... after which the merchant may charge it on its own.
    allowed = await vault_charge(
        client, merchant, vault_id=without["vault_id"], cof="M", cof_sched="Y", amount=999
    )
    assert (allowed["result"], allowed["cof"], allowed["cof_sched"]) == ("A", "M", "Y")
    stored = await transaction(client, merchant, allowed["trans_id"])
    assert (stored["cof"], stored["cof_sched"], stored["amount_captured"]) == ("M", "Y", 999)


async def test_customer_initiated_charges_need_no_permission(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    plain = (await charge(client, merchant, vault="Y")).json()
    body = await vault_charge(client, merchant, vault_id=plain["vault_id"], cof="C", cof_sched="N")
    assert (body["result"], body["cof"], body["cof_sched"], body["cof_perm"]) == (
        "A",
        "C",
        "N",
        None,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"cof": "X"}, "cof"),
        ({"cof": "MM"}, "cof"),
        ({"cof_sched": "maybe"}, "cof_sched"),
        ({"cof_perm": 2}, "cof_perm"),
        ({"vault": "perhaps"}, "vault"),
    ],
)
async def test_card_on_file_fields_are_validated(
    client: httpx.AsyncClient, merchant: MerchantAccess, fields: dict[str, Any], field: str
) -> None:
    answer = await charge(client, merchant, **fields)
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == [field]
    assert await events(client, merchant) == []


@pytest.mark.parametrize(("flag", "stored"), [("y", "Y"), (True, "Y"), ("0", "N"), (False, "N")])
async def test_card_on_file_flags_in_every_form_are_stored_as_y_or_n(
    client: httpx.AsyncClient, merchant: MerchantAccess, flag: object, stored: str
) -> None:
    body = (await charge(client, merchant, cof="c", cof_sched=flag, cof_perm=flag)).json()
    row = await transaction(client, merchant, body["trans_id"])
    assert (row["cof"], row["cof_sched"], row["cof_perm"]) == ("C", stored, stored)


async def test_the_vaults_guide_flow_end_to_end(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """$0 auth with consent, then the merchant-initiated charge production clients send."""
    verify = (
        await charge(
            client,
            merchant,
            amount="0.00",
            capture="N",
            vault="Y",
            cof="C",
            cof_sched="N",
            cof_perm="Y",
        )
    ).json()
    mit = await vault_charge(
        client,
        merchant,
        amount=1500,
        vault_id=verify["vault_id"],
        vault_holder_id=verify["vault_holder_id"],
        capture="Y",
        currency="USD",
        cof="M",
        cof_sched="Y",
        invoice_id="INV-1",
        order_id="ORD-1",
    )
    assert (mit["result"], mit["amount"], mit["invoice_id"], mit["order_id"]) == (
        "A",
        1500,
        "INV-1",
        "ORD-1",
    )
    await delete(client, merchant, verify["vault_id"])
    gone = await vault_charge(client, merchant, amount=1500, vault_id=verify["vault_id"], cof="M")
    assert (gone["result"], gone["resp_code"]) == ("C", "96")
