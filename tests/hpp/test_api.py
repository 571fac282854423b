"""POST /api/v1/hpp and PUT /api/v1/hpp/{hpp_client_id}: fields, flag forms, partial edits."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from homerun.runtime import Runtime
from tests.conftest import MerchantAccess, MerchantFactory
from tests.hpp.support import create_page

DOCS_EXAMPLE: dict[str, Any] = {
    "name": "GS2 Payment Link",
    "name_on_account": "Testing Payments",
    "amount": "99.99",
    "lock_amount": "false",
    "disable_after_payment": "false",
    "min_amount": "50.00",
    "max_amount": "200.00",
    "hpp_options": [
        {"name": "email", "value": "test@test.com", "is_readonly": "false", "is_required": "true"},
        {"name": "phone", "value": "2150462839", "is_readonly": "false", "is_required": "true"},
    ],
}


async def show(client: httpx.AsyncClient, m: MerchantAccess, client_id: str) -> dict[str, Any]:
    answer = await client.get(f"/homerun/v1/hpp/{client_id}", headers=m.headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def assert_r6(answer: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert body["error"] == body["message"] == body["error_description"]
    assert body["code"]
    if field is not None:
        assert field in body["errors"], body
    return body


async def test_create_with_the_docs_example_answers_success_message_and_url(
    client: httpx.AsyncClient, merchant: MerchantAccess, runtime: Runtime
) -> None:
    answer = await client.post(
        "/api/v1/hpp", json={"cc_mid": merchant.mid, **DOCS_EXAMPLE}, headers=merchant.headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["success"] is True
    assert body["message"] == "HPP created successfully"
    base = runtime.settings.public_base_url.rstrip("/")
    match = re.fullmatch(re.escape(base) + r"/payment\?client_id=([0-9A-F]{32})", body["url"])
    assert match, body["url"]
    assert body["client_id"] == match.group(1)
    page = await show(client, merchant, body["client_id"])
    assert page["cc_mid"] == merchant.mid
    assert (page["amount"], page["min_amount"], page["max_amount"]) == ("99.99", "50.00", "200.00")
    assert page["lock_amount"] is False and page["disable_after_payment"] is False
    assert page["name"] == "GS2 Payment Link" and page["name_on_account"] == "Testing Payments"
    assert page["hpp_options"] == [
        {
            "name": "email",
            "value": "test@test.com",
            "is_readonly": False,
            "is_required": True,
            "label": None,
        },
        {
            "name": "phone",
            "value": "2150462839",
            "is_readonly": False,
            "is_required": True,
            "label": None,
        },
    ]
    assert page["status"] == "active" and page["payment_count"] == 0


async def test_client_ids_are_distinct(client: httpx.AsyncClient, merchant: MerchantAccess) -> None:
    ids = {(await create_page(client, merchant))[0] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("true", True),
        ("false", False),
        (True, True),
        (False, False),
        ("Y", True),
        ("N", False),
        ("y", True),
        ("n", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
    ],
)
async def test_every_flag_form_of_r4(
    client: httpx.AsyncClient, merchant: MerchantAccess, sent: object, meant: bool
) -> None:
    client_id, _ = await create_page(
        client,
        merchant,
        amount="10.00",
        lock_amount=sent,
        disable_after_payment=sent,
        hpp_options=[
            {"name": "email", "value": "a@b.co", "is_readonly": sent, "is_required": sent}
        ],
    )
    page = await show(client, merchant, client_id)
    assert page["lock_amount"] is meant and page["disable_after_payment"] is meant
    option = page["hpp_options"][0]
    assert option["is_readonly"] is meant and option["is_required"] is meant


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("12.34", "12.34"), (12.34, "12.34"), (12, "12.00"), ("7", "7.00"), ("0.5", "0.50")],
)
async def test_amounts_are_decimal_dollars_strings_or_numbers(
    client: httpx.AsyncClient, merchant: MerchantAccess, sent: object, stored: str
) -> None:
    client_id, _ = await create_page(client, merchant, amount=sent, max_amount=sent)
    page = await show(client, merchant, client_id)
    assert page["amount"] == page["max_amount"] == stored


@pytest.mark.parametrize("amount", ["12.345", "-1.00", "twelve", True, "0.00", 0, [1]])
async def test_a_bad_amount_is_a_400_naming_it(
    client: httpx.AsyncClient, merchant: MerchantAccess, amount: object
) -> None:
    answer = await client.post(
        "/api/v1/hpp", json={"cc_mid": merchant.mid, "amount": amount}, headers=merchant.headers
    )
    assert_r6(answer, 400, "amount")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lock_amount": "true"}, "amount"),
        ({"lock_amount": "true", "amount": ""}, "amount"),
        ({"min_amount": "20.00", "max_amount": "10.00"}, "min_amount"),
        ({"amount": "5.00", "min_amount": "10.00"}, "amount"),
        ({"amount": "50.00", "max_amount": "10.00"}, "amount"),
        ({"lock_amount": "maybe", "amount": "1.00"}, "lock_amount"),
        ({"hpp_options": [{"name": "shoe_size"}]}, "hpp_options.0.name"),
        ({"hpp_options": [{"name": "email"}, {"name": "EMAIL"}]}, "hpp_options"),
        (
            {"hpp_options": [{"name": "email", "is_readonly": "true", "is_required": "true"}]},
            "hpp_options.0.value",
        ),
        ({"hpp_options": "email"}, "hpp_options"),
    ],
)
async def test_rules_across_fields_are_400s(
    client: httpx.AsyncClient, merchant: MerchantAccess, fields: dict[str, Any], field: str
) -> None:
    answer = await client.post(
        "/api/v1/hpp", json={"cc_mid": merchant.mid, **fields}, headers=merchant.headers
    )
    assert_r6(answer, 400, field)


async def test_locked_pages_ignore_bounds_and_min_may_equal_max(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    await create_page(client, merchant, amount="5.00", lock_amount=True, min_amount="10.00")
    await create_page(client, merchant, amount="10.00", min_amount="10.00", max_amount="10.00")


async def test_option_names_are_normalised_and_an_address_is_never_preset(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(
        client,
        merchant,
        hpp_options=[
            {"name": "custom1", "value": 42},
            {"name": "CUSTOM_02", "label": "Member number"},
            {"name": "custom05"},
            {"name": "Address", "value": "1 Main St", "is_readonly": "true"},
            {"name": "invoice_id", "value": "INV-9", "is_readonly": "Y", "is_required": "Y"},
        ],
    )
    options = (await show(client, merchant, client_id))["hpp_options"]
    assert [o["name"] for o in options] == [
        "custom_01",
        "custom_02",
        "custom_05",
        "address",
        "invoice_id",
    ]
    assert options[0]["value"] == "42"
    assert options[1]["label"] == "Member number"
    assert options[3]["value"] is None and options[3]["is_readonly"] is False
    assert options[4]["is_readonly"] is True and options[4]["value"] == "INV-9"


async def test_unknown_fields_are_ignored(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    await create_page(client, merchant, ach_mid="123", theme={"color": "red"})


async def test_cc_mid_is_required_and_must_be_the_callers(
    client: httpx.AsyncClient, merchant: MerchantAccess, make_merchant: MerchantFactory
) -> None:
    missing = await client.post("/api/v1/hpp", json={"name": "x"}, headers=merchant.headers)
    assert assert_r6(missing, 400, "cc_mid")["errors"]["cc_mid"] == ["is required"]
    other = await make_merchant()
    foreign = await client.post("/api/v1/hpp", json={"cc_mid": other.mid}, headers=merchant.headers)
    assert_r6(foreign, 403)
    numeric = await client.post(
        "/api/v1/hpp", json={"cc_mid": int(merchant.mid)}, headers=merchant.headers
    )
    assert numeric.status_code == 200, numeric.text


async def test_a_mid_header_that_disagrees_with_cc_mid_is_a_400(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await client.post(
        "/api/v1/hpp",
        json={"cc_mid": merchant.mid},
        headers={**merchant.headers, "mid": "999999999999"},
    )
    assert_r6(answer, 400, "mid")


async def test_authentication_is_required(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    none = await client.post("/api/v1/hpp", json={"cc_mid": merchant.mid})
    assert_r6(none, 401)
    wrong = await client.post(
        "/api/v1/hpp", json={"cc_mid": merchant.mid}, headers={"Authorization": "Bearer nope"}
    )
    assert assert_r6(wrong, 401)["message"] == "Key not found"
    public = await client.post(
        "/api/v1/hpp",
        json={"cc_mid": merchant.mid},
        headers={"Authorization": f"Bearer {merchant.public_key}"},
    )
    assert_r6(public, 401)


async def test_malformed_bodies_are_r6_errors(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    broken = await client.post(
        "/api/v1/hpp",
        content=b"{not json",
        headers={**merchant.headers, "Content-Type": "application/json"},
    )
    assert_r6(broken, 400, "body")
    array = await client.post("/api/v1/hpp", json=[1], headers=merchant.headers)
    assert_r6(array, 400, "body")


# ---------------------------------------------------------------- edit


async def test_edit_changes_only_the_fields_sent(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, created = await create_page(client, merchant, **DOCS_EXAMPLE)
    answer = await client.put(
        f"/api/v1/hpp/{client_id}",
        json={"cc_mid": merchant.mid, "name": "Renamed", "max_amount": 300},
        headers=merchant.headers,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["success"] is True and body["message"] == "HPP updated successfully"
    assert body["url"] == created["url"]
    page = await show(client, merchant, client_id)
    assert page["name"] == "Renamed" and page["max_amount"] == "300.00"
    assert page["name_on_account"] == "Testing Payments"
    assert (page["amount"], page["min_amount"]) == ("99.99", "50.00")
    assert [o["name"] for o in page["hpp_options"]] == ["email", "phone"]


async def test_edit_with_explicit_nulls_clears_and_options_are_replaced_whole(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant, **DOCS_EXAMPLE)
    answer = await client.put(
        f"/api/v1/hpp/{client_id}",
        json={
            "cc_mid": merchant.mid,
            "min_amount": None,
            "max_amount": "",
            "name": None,
            "hpp_options": [{"name": "invoice_id", "is_required": True}],
        },
        headers=merchant.headers,
    )
    assert answer.status_code == 200, answer.text
    page = await show(client, merchant, client_id)
    assert page["min_amount"] is None and page["max_amount"] is None and page["name"] is None
    assert page["amount"] == "99.99"
    assert [o["name"] for o in page["hpp_options"]] == ["invoice_id"]
    cleared = await client.put(
        f"/api/v1/hpp/{client_id}", json={"hpp_options": []}, headers=merchant.headers
    )
    assert cleared.status_code == 200
    assert (await show(client, merchant, client_id))["hpp_options"] == []


async def test_cc_mid_cannot_change_and_may_be_left_out(
    client: httpx.AsyncClient, merchant: MerchantAccess, make_merchant: MerchantFactory
) -> None:
    client_id, _ = await create_page(client, merchant)
    other = await make_merchant()
    changed = await client.put(
        f"/api/v1/hpp/{client_id}", json={"cc_mid": other.mid}, headers=merchant.headers
    )
    assert_r6(changed, 400, "cc_mid")
    assert (await show(client, merchant, client_id))["cc_mid"] == merchant.mid
    left_out = await client.put(
        f"/api/v1/hpp/{client_id}", json={"lock_amount": "N"}, headers=merchant.headers
    )
    assert left_out.status_code == 200, left_out.text


async def test_a_failed_edit_changes_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant, amount="10.00", name="Before")
    answer = await client.put(
        f"/api/v1/hpp/{client_id}",
        json={"name": "After", "amount": None, "lock_amount": "true"},
        headers=merchant.headers,
    )
    assert_r6(answer, 400, "amount")
    page = await show(client, merchant, client_id)
    assert (page["name"], page["amount"], page["lock_amount"]) == ("Before", "10.00", False)


async def test_edit_finds_only_the_callers_pages(
    client: httpx.AsyncClient, merchant: MerchantAccess, make_merchant: MerchantFactory
) -> None:
    client_id, _ = await create_page(client, merchant)
    other = await make_merchant()
    foreign = await client.put(
        f"/api/v1/hpp/{client_id}", json={"name": "mine now"}, headers=other.headers
    )
    assert_r6(foreign, 404)
    for unknown in ("0" * 32, "not-a-client-id"):
        missing = await client.put(
            f"/api/v1/hpp/{unknown}", json={"name": "x"}, headers=merchant.headers
        )
        assert_r6(missing, 404)
    lower = await client.put(
        f"/api/v1/hpp/{client_id.lower()}", json={"name": "lower"}, headers=merchant.headers
    )
    assert lower.status_code == 200, lower.text
    assert lower.json()["client_id"] == client_id


async def test_create_replays_under_the_same_idempotency_key(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    headers = {**merchant.headers, "Idempotency-Key": "hpp-create-1"}
    body = {"cc_mid": merchant.mid, "amount": "10.00"}
    first = await client.post("/api/v1/hpp", json=body, headers=headers)
    again = await client.post("/api/v1/hpp", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert again.headers.get("idempotent-replayed") == "true"
    listed = await client.get("/homerun/v1/hpp", headers=merchant.headers)
    assert listed.json()["count"] == 1
    other = await client.post("/api/v1/hpp", json={**body, "amount": "11.00"}, headers=headers)
    assert_r6(other, 422)
