"""/api/v1/vault_payment_accounts: create, get, update, delete, every identifier form (R8)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from homerun.runtime import Runtime
from tests.conformance.support import docs_example
from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import charge
from tests.vault.support import (
    ACCOUNTS,
    UUID_LENGTH,
    create,
    created,
    delete,
    get,
    got,
    put,
    stored_rows,
    tokenize,
)

# Create Vault Payment Account, the docs' own request (spec 4.8): custom06 without the
# underscore, is_default a JSON boolean, and a vault_id of 1 that names no account here.
CREATE_EXAMPLE = (
    '{"name":"Testing Test","mid":"800000001780","account_token":"9546584504635454",'
    '"vault_id":1,"is_default":true,"address1":"123 Winding Way","city":"San Francisco",'
    '"region":"CA","country":"US","account_zip":"55555","email":"test@test.com",'
    '"phone":"5485429876","custom06":"User 5","custom07":"NW Territory","custom08":"786352"}'
)
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def assert_uuid7(value: str) -> None:
    assert len(value) == UUID_LENGTH and uuid.UUID(value).version == 7


async def test_the_docs_create_example_answers_uuid_and_integer_vault_id(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    token = await tokenize(client, merchant, "4788250000121443")
    raw = docs_example(CREATE_EXAMPLE, **{"800000001780": merchant.mid, "9546584504635454": token})
    answer = await client.post(
        ACCOUNTS,
        content=raw,
        headers={**merchant.headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert_uuid7(body["uuid"])
    assert isinstance(body["vault_id"], int) and body["vault_id"] > 0
    assert len(body["vault_holder_id"]) == UUID_LENGTH
    assert {k: body[k] for k in CREATED_FIELDS} == {
        "mid": merchant.mid,
        "name": "Testing Test",
        "account_type": 1,
        "is_default": True,
        "zipcode": "55555",
        "address1": "123 Winding Way",
        "address2": None,
        "city": "San Francisco",
        "region": "CA",
        "country": "US",
        "email": "test@test.com",
        "phone": "5485429876",
        "custom_06": "User 5",
        "custom_07": "NW Territory",
        "custom_08": "786352",
        "custom_09": None,
        "custom_10": None,
        "account_token": token,
        "card_brand_id": "1",
        "last_four": "1443",
        "expiration": "2030-12",
        "cof_perm": "Y",
    }
    assert "4788250000121443" not in answer.text


CREATED_FIELDS = (
    "mid",
    "name",
    "account_type",
    "is_default",
    "zipcode",
    "address1",
    "address2",
    "city",
    "region",
    "country",
    "email",
    "phone",
    "custom_06",
    "custom_07",
    "custom_08",
    "custom_09",
    "custom_10",
    "account_token",
    "card_brand_id",
    "last_four",
    "expiration",
    "cof_perm",
)


async def test_get_answers_the_documented_shape(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    made = await created(
        client,
        merchant,
        "5200828282828210",
        expiration="2031-07",
        nickname="Work card",
        account_zip="94107",
        address1="123 Market St",
        address2="Suite 400",
        city="San Francisco",
        region="CA",
        country="US",
        email="john.doe@example.com",
        phone="+14155552671",
        custom_06="Preferred customer",
        custom10="ten",
    )
    body = await got(client, merchant, made["uuid"])
    assert ISO_UTC.match(body.pop("updated")) and ISO_UTC.match(body.pop("created"))
    assert body == {
        "id": made["vault_id"],
        "vaults_id": f"vault_{made['vault_id']}",
        "uuid": made["uuid"],
        "vault_holder_id": made["vault_holder_id"],
        "mid": merchant.mid,
        "account_token": made["account_token"],
        "card_brand_id": "2",
        "vault_account_type_id": "2",  # a debit card
        "card_brand": "MASTERCARD",
        "name": "Jane Roe",
        "nickname": "Work card",
        "address1": "123 Market St",
        "address2": "Suite 400",
        "city": "San Francisco",
        "region": "CA",
        "country": "US",
        "account_zip": "94107",
        "email": "john.doe@example.com",
        "phone": "+14155552671",
        "last_four": "8210",
        "expiration": "2031-07",
        "custom_06": "Preferred customer",
        "custom_07": None,
        "custom_08": None,
        "custom_09": None,
        "custom_10": "ten",
        "entry_class": None,
        "ach_acct_type_id": None,
        "cof_perm": "Y",
        "is_deleted": "0",
        "is_default": "1",
    }


async def test_every_identifier_form_finds_the_same_account(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    made = await created(client, merchant)
    number, account_uuid = made["vault_id"], made["uuid"]
    expected = await got(client, merchant, number)
    for form in (
        str(number),
        f"vault_{number}",
        account_uuid,
        account_uuid.upper(),
        account_uuid.replace("-", ""),
    ):
        assert await got(client, merchant, form) == expected, form
    # ... in PUT and DELETE paths too, and in a charge's vault_id (int, string, uuid).
    assert (await put(client, merchant, account_uuid.upper(), nickname="a")).status_code == 200
    assert (await put(client, merchant, f"vault_{number}", nickname="b")).status_code == 200
    for vault_id in (number, str(number), account_uuid):
        body = (await charge(client, merchant, account_token=None, vault_id=vault_id)).json()
        assert (body["result"], body["vault_id"]) == ("A", account_uuid), vault_id
    assert (await delete(client, merchant, str(number))).json()["success"] is True


@pytest.mark.parametrize(
    "vault_id", ["999999999999", "vault_999999999999", str(uuid.uuid4()), "abc", "12ab", "-1"]
)
async def test_unknown_or_malformed_identifiers_are_404_everywhere(
    client: httpx.AsyncClient, merchant: MerchantAccess, vault_id: str
) -> None:
    for answer in (
        await get(client, merchant, vault_id),
        await put(client, merchant, vault_id, name="x"),
        await delete(client, merchant, vault_id),
    ):
        assert answer.status_code == 404, answer.text
        body = answer.json()
        assert body["code"] == "not_found" and body["error"] == body["message"]


async def test_another_merchants_account_is_not_found(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, theirs = await make_merchant(), await make_merchant()
    made = await created(client, theirs)
    for vault_id in (made["vault_id"], made["uuid"]):
        assert (await get(client, mine, vault_id)).status_code == 404
        assert (await put(client, mine, vault_id, name="x")).status_code == 404
        assert (await delete(client, mine, vault_id)).status_code == 404
        refused = (await charge(client, mine, account_token=None, vault_id=vault_id)).json()
        assert (refused["result"], refused["resp_code"]) == ("C", "96")
    assert (await got(client, theirs, made["uuid"]))["is_deleted"] == "0"


async def test_update_changes_only_what_is_sent_in_either_spelling(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    made = await created(
        client, merchant, city="Philadelphia", account_zip="19106", custom06="six", custom07="7"
    )
    before = await got(client, merchant, made["uuid"])
    answer = await put(
        client,
        merchant,
        made["vault_id"],
        mid=merchant.mid,
        city="Pittsburgh",
        custom08="eight",
        custom_07=None,
        ach_acct_type_id="2",
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "vault_id": made["vault_id"],
        "uuid": made["uuid"],
        "vault_holder_id": made["vault_holder_id"],
        "account_zip": "19106",
        "is_default": "Y",
        "ach_acct_type_id": "2",
        "address1": None,
        "address2": None,
        "city": "Pittsburgh",
        "region": None,
        "country": None,
        "email": None,
        "name": "Jane Roe",
        "phone": None,
        "custom_06": "six",
        "custom_07": None,
        "custom_08": "eight",
        "custom_09": None,
        "custom_10": None,
        "nickname": None,
        "last_four": "1111",
        "expiration": "2030-12",
        "cof_perm": "Y",
    }
    after = await got(client, merchant, made["uuid"])
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"city", "custom_07", "custom_08", "ach_acct_type_id", "updated"}
    # The docs' own Update request carries only the mid: nothing changes but the time.
    assert (await put(client, merchant, made["uuid"], mid=merchant.mid)).status_code == 200
    again = await got(client, merchant, made["uuid"])
    assert {k for k in again if again[k] != after[k]} <= {"updated"}
    # The path form is echoed: a uuid path answers the uuid as vault_id.
    by_uuid = (await put(client, merchant, made["uuid"], name="J")).json()
    assert by_uuid["vault_id"] == made["uuid"]


@pytest.mark.parametrize(
    ("flag", "expected"),
    [("Y", "1"), ("y", "1"), (True, "1"), ("true", "1"), ("1", "1"), (1, "1"), ("N", "0")],
)
async def test_is_default_in_every_flag_form(
    client: httpx.AsyncClient, merchant: MerchantAccess, flag: object, expected: str
) -> None:
    first = await created(client, merchant)
    second = await created(
        client, merchant, "5555555555554444", vault_holder_id=first["vault_holder_id"]
    )
    assert (await got(client, merchant, second["uuid"]))["is_default"] == "0"
    answer = await put(client, merchant, second["uuid"], is_default=flag)
    assert answer.status_code == 200, answer.text
    assert answer.json()["is_default"] == ("Y" if expected == "1" else "N")
    assert (await got(client, merchant, second["uuid"]))["is_default"] == expected
    other = "0" if expected == "1" else "1"
    assert (await got(client, merchant, first["uuid"]))["is_default"] == other


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"ach_acct_type_id": "9"}, 400, "ach_acct_type_id"),
        ({"is_default": "maybe"}, 400, "is_default"),
        ({"email": "x" * 300}, 400, "email"),
        ({"account_token": "9111111111111111"}, 400, "account_token"),
        ({"expiration": "13/30"}, 400, "expiration"),
        ({"mid": "000000000000"}, 403, None),
    ],
)
async def test_update_refusals_change_nothing(
    client: httpx.AsyncClient,
    merchant: MerchantAccess,
    fields: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    made = await created(client, merchant)
    before = await got(client, merchant, made["uuid"])
    answer = await put(client, merchant, made["uuid"], name="Changed", **fields)
    assert answer.status_code == status, answer.text
    if field is not None:
        assert list(answer.json()["errors"]) == [field]
    assert await got(client, merchant, made["uuid"]) == before


async def test_update_can_put_a_new_card_on_the_account(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    made = await created(client, merchant)
    token = await tokenize(client, merchant, "6011111111111117")
    answer = await put(client, merchant, made["vault_id"], account_token=token, expiration="0932")
    assert answer.status_code == 200, answer.text
    body = await got(client, merchant, made["vault_id"])
    assert (body["account_token"], body["last_four"], body["card_brand_id"]) == (
        token,
        "1117",
        "4",
    )
    assert body["expiration"] == "2032-09"
    charged = (
        await charge(client, merchant, account_token=None, expiration=None, vault_id=made["uuid"])
    ).json()
    assert (charged["result"], charged["card_number"]) == ("A", "**** **** **** 1117")
    assert charged["expiration"] == "0932"  # the account's


async def test_delete_is_soft_and_the_account_can_no_longer_be_charged(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    made = await created(client, merchant)
    answer = await delete(client, merchant, made["vault_id"])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "success": True,
        "message": f"Vault payment account {made['uuid']} deleted successfully",
    }
    body = await got(client, merchant, made["uuid"])
    assert (body["is_deleted"], body["is_default"]) == ("1", "0")
    for fields in (
        {"vault_id": made["uuid"]},
        {"vault_id": made["vault_id"]},
        {"vault_holder_id": made["vault_holder_id"]},
        {"vault_id": made["uuid"], "vault_holder_id": made["vault_holder_id"]},
    ):
        refused = (await charge(client, merchant, account_token=None, **fields)).json()
        assert (refused["result"], refused["resp_code"], refused["resp_text"]) == (
            "C",
            "96",
            "Profile not found",
        )
        assert refused["resp_proc"] == "PPS"
    again = (await delete(client, merchant, made["uuid"])).json()
    assert again == {
        "success": True,
        "message": f"Vault payment account {made['uuid']} was already deleted",
    }
    refused_update = await put(client, merchant, made["uuid"], name="x")
    assert refused_update.status_code == 409
    assert (await got(client, merchant, made["uuid"]))["name"] == "Jane Roe"


async def test_defaults_follow_the_holder(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    first = await created(client, merchant)
    holder = first["vault_holder_id"]
    second = await created(client, merchant, "5555555555554444", vault_holder_id=holder)
    assert (first["is_default"], second["is_default"]) == (True, False)
    third = await created(
        client, merchant, "6011111111111117", vault_holder_id=holder, is_default=True
    )
    assert third["vault_holder_id"] == holder and third["is_default"] is True
    assert (await got(client, merchant, first["uuid"]))["is_default"] == "0"
    by_holder = (await charge(client, merchant, account_token=None, vault_holder_id=holder)).json()
    assert (by_holder["result"], by_holder["vault_id"]) == ("A", third["uuid"])
    # Deleting the default makes the newest remaining account the default.
    await delete(client, merchant, third["uuid"])
    assert (await got(client, merchant, second["uuid"]))["is_default"] == "1"
    by_holder = (await charge(client, merchant, account_token=None, vault_holder_id=holder)).json()
    assert by_holder["vault_id"] == second["uuid"]
    # A vault_id of the holder's account joins the new account to the same holder.
    fourth = await created(client, merchant, "378282246310005", vault_id=first["vault_id"])
    assert fourth["vault_holder_id"] == holder and fourth["is_default"] is False


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"account_token": "9111111111111111"}, 400, "account_token"),
        ({"account_token": "4111111111111112"}, 400, "account_token"),
        ({"account_token": None, "pan_free": True}, 400, "account_token"),
        ({"mid": None}, 400, "mid"),
        ({"vault_holder_id": str(uuid.uuid4())}, 404, None),
        ({"is_default": "perhaps"}, 400, "is_default"),
        ({"expiration": "2019-01x"}, 400, "expiration"),
    ],
)
async def test_create_refusals_store_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    fields: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    if fields.pop("pan_free", False):
        answer = await client.post(
            ACCOUNTS, json={"mid": merchant.mid, "name": "x"}, headers=merchant.headers
        )
    else:
        answer = await create(client, merchant, **fields)
    assert answer.status_code == status, answer.text
    if field is not None:
        assert list(answer.json()["errors"]) == [field]
    assert "4111111111111112" not in answer.text
    rows = await stored_rows(runtime, merchant)
    assert (rows["holders"], rows["accounts"]) == (0, 0)


async def test_another_merchants_token_cannot_be_vaulted(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, theirs = await make_merchant(), await make_merchant()
    token = await tokenize(client, theirs, "4111111111111111")
    answer = await create(client, mine, account_token=token)
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["account_token"]


async def test_create_with_an_idempotency_key_replays(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    token = await tokenize(client, merchant, "4111111111111111")
    body = {"mid": merchant.mid, "name": "Jane", "account_token": token}
    headers = {**merchant.headers, "Idempotency-Key": "vault-create-1"}
    first = await client.post(ACCOUNTS, json=body, headers=headers)
    second = await client.post(ACCOUNTS, json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"


async def test_vault_endpoints_need_the_api_key(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    made = await created(client, merchant)
    for method in ("GET", "PUT", "DELETE"):
        answer = await client.request(method, f"{ACCOUNTS}/{made['uuid']}", json={})
        assert answer.status_code == 401
        wrong = await client.request(
            method,
            f"{ACCOUNTS}/{made['uuid']}",
            json={},
            headers={"Authorization": f"Bearer {merchant.public_key}"},
        )
        assert wrong.status_code == 401
    assert (await got(client, merchant, made["uuid"]))["is_deleted"] == "0"
