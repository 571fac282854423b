"""/api/v1/billing_plans: create, get, cancel, and every refusal (nothing changes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.billing.support import (
    PLANS,
    account,
    advance,
    create_plan,
    events_of,
    get_plan,
    iso,
    next_morning,
    plan_id,
    rule,
)
from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import charge
from tests.vault.support import delete


async def test_create_and_get_a_plan_in_the_documented_shapes(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant)
    start = await next_morning(client, days=2)
    pattern = rule(start, "FREQ=DAILY;INTERVAL=1;COUNT=3")
    answer = await create_plan(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="120.00",
        rrule_pattern=pattern,
    )
    assert answer.status_code == 200, answer.text
    created = answer.json()
    assert set(created) == {"id", "status"} and isinstance(created["id"], int)
    assert created["status"] == "ACTIVE"
    plan = await get_plan(client, merchant, created["id"])
    payments = plan.pop("scheduled_payments")
    assert plan.pop("created_at").endswith("Z")
    assert plan == {
        "id": created["id"],
        "name": "Rent",
        "description": "Monthly rent",
        "mid": merchant.mid,
        "payment_account_uuid": acct["uuid"],
        "vault_id": acct["vault_id"],
        "status": "ACTIVE",
        "status_reason": None,
        "rrule_pattern": pattern,
        "amount": "120.00",
        "currency": "USD",
    }
    assert [p.pop("id") > 0 for p in payments] == [True] * 3
    assert payments == [
        {
            "payment_number": n + 1,
            "payment_date": iso(start + timedelta(days=n)),
            "amount_scheduled": 120,
            "amount_paid": 0,
            "amount_remaining": 120,
            "payment_status": "SCHEDULED",
            "attempts": 0,
            "trans_id": None,
            "next_attempt_at": iso(start + timedelta(days=n)),
            "resp_code": None,
            "resp_text": None,
        }
        for n in range(3)
    ]
    for payment in payments:
        assert isinstance(payment["amount_scheduled"], (int, float))


@pytest.mark.parametrize(
    "form", ["uuid", "vault_id", "vault_id_string", "uuid_upper", "vault_id_alias"]
)
async def test_the_account_may_be_named_by_any_vault_id_form(
    client: httpx.AsyncClient, merchant: MerchantAccess, form: str
) -> None:
    acct = await account(client, merchant)
    start = await next_morning(client, days=2)
    value: object = {
        "uuid": acct["uuid"],
        "vault_id": acct["vault_id"],
        "vault_id_string": str(acct["vault_id"]),
        "uuid_upper": acct["uuid"].upper(),
        "vault_id_alias": acct["uuid"],
    }[form]
    key = "vault_id" if form == "vault_id_alias" else "payment_account_uuid"
    identifier = await plan_id(
        client,
        merchant,
        amount=10,
        rrule_pattern=rule(start, "FREQ=WEEKLY;COUNT=2"),
        **{key: value},
    )
    plan = await get_plan(client, merchant, identifier)
    assert (plan["payment_account_uuid"], plan["amount"]) == (acct["uuid"], "10.00")


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"rrule_pattern": "FREQ=MONTHLY"}, 400, "rrule_pattern"),
        (
            {"rrule_pattern": "DTSTART:20270101T090000Z\nRRULE:FREQ=HOURLY;COUNT=2"},
            400,
            "rrule_pattern",
        ),
        ({"rrule_pattern": "DTSTART:20500101T090000Z\nRRULE:FREQ=DAILY"}, 400, "rrule_pattern"),
        (
            {"rrule_pattern": "DTSTART:20200101T090000Z\nRRULE:FREQ=DAILY;COUNT=3"},
            400,
            "rrule_pattern",
        ),
        ({"rrule_pattern": None}, 400, "rrule_pattern"),
        ({"amount": "0.00"}, 400, "amount"),
        ({"amount": "-1.00"}, 400, "amount"),
        ({"amount": "1.234"}, 400, "amount"),
        ({"amount": None}, 400, "amount"),
        (
            {"payment_account_uuid": "5b04a646-b49d-4505-b3fc-bd4062c10662"},
            400,
            "payment_account_uuid",
        ),
        ({"payment_account_uuid": "nonsense"}, 400, "payment_account_uuid"),
        ({"name": ""}, 400, "name"),
        ({"mid": "000000000000"}, 403, None),
    ],
)
async def test_refusals_make_no_plan(
    client: httpx.AsyncClient,
    merchant: MerchantAccess,
    fields: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    acct = await account(client, merchant)
    start = await next_morning(client, days=2)
    body: dict[str, Any] = {
        "payment_account_uuid": acct["uuid"],
        "amount": "5.00",
        "rrule_pattern": rule(start, "FREQ=DAILY;COUNT=2"),
        **fields,
    }
    answer = await create_plan(client, merchant, **{k: v for k, v in body.items() if v is not None})
    assert answer.status_code == status, answer.text
    if field is not None:
        problem = answer.json()
        assert list(problem["errors"]) == [field]
        assert problem["code"] == "invalid_request" and field in problem["message"]
    # No plan was made: the next plan of this merchant is the first one it can read.
    made = await plan_id(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="5.00",
        rrule_pattern=rule(start, "FREQ=DAILY;COUNT=2"),
    )
    assert (await client.get(f"{PLANS}/{made - 1}", headers=merchant.headers)).status_code == 404


async def test_an_account_without_permission_or_deleted_cannot_carry_a_plan(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    start = await next_morning(client, days=2)
    pattern = rule(start, "FREQ=DAILY;COUNT=2")
    stored = (await charge(client, merchant, vault="Y", cof_perm="N")).json()
    refused = await create_plan(
        client, merchant, payment_account_uuid=stored["vault_id"], amount="5", rrule_pattern=pattern
    )
    assert refused.status_code == 400
    assert "permission" in refused.json()["errors"]["payment_account_uuid"][0]
    acct = await account(client, merchant)
    await delete(client, merchant, acct["uuid"])
    gone = await create_plan(
        client, merchant, payment_account_uuid=acct["uuid"], amount="5", rrule_pattern=pattern
    )
    assert gone.status_code == 400
    assert list(gone.json()["errors"]) == ["payment_account_uuid"]


async def test_plans_belong_to_their_merchant(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, theirs = await make_merchant(), await make_merchant()
    acct = await account(client, theirs)
    start = await next_morning(client, days=2)
    pattern = rule(start, "FREQ=DAILY;COUNT=2")
    identifier = await plan_id(
        client, theirs, payment_account_uuid=acct["uuid"], amount="1.00", rrule_pattern=pattern
    )
    assert (await client.get(f"{PLANS}/{identifier}", headers=mine.headers)).status_code == 404
    assert (await client.delete(f"{PLANS}/{identifier}", headers=mine.headers)).status_code == 404
    # Another merchant's account cannot carry my plan either.
    refused = await create_plan(
        client, mine, payment_account_uuid=acct["uuid"], amount="1.00", rrule_pattern=pattern
    )
    assert refused.status_code == 400
    assert (await get_plan(client, theirs, identifier))["status"] == "ACTIVE"


@pytest.mark.parametrize("identifier", ["999999999999", "abc", "1.5", "-3"])
async def test_unknown_plans_are_404(
    client: httpx.AsyncClient, merchant: MerchantAccess, identifier: str
) -> None:
    for method in ("GET", "DELETE"):
        answer = await client.request(method, f"{PLANS}/{identifier}", headers=merchant.headers)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"


async def test_a_cancelled_plan_charges_nothing_more(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant)
    start = await next_morning(client, days=1)
    identifier = await plan_id(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="7.50",
        rrule_pattern=rule(start, "FREQ=DAILY;COUNT=5"),
    )
    merchant = await advance(client, merchant, start + timedelta(days=1, hours=1))  # 1 and 2
    answer = await client.delete(f"{PLANS}/{identifier}", headers=merchant.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"id": identifier, "success": True, "schedule_status": "CANCELLED"}
    merchant = await advance(client, merchant, start + timedelta(days=6))
    plan = await get_plan(client, merchant, identifier)
    assert (plan["status"], plan["status_reason"]) == ("CANCELLED", "cancelled by the merchant")
    assert [(p["payment_status"], p["amount_paid"]) for p in plan["scheduled_payments"]] == [
        ("COMPLETED", 7.5),
        ("COMPLETED", 7.5),
        ("CANCELLED", 0),
        ("CANCELLED", 0),
        ("CANCELLED", 0),
    ]
    assert [p["next_attempt_at"] for p in plan["scheduled_payments"]] == [None] * 5
    assert await events_of(client, merchant) == ["transaction.entered"] * 2
    # Cancelling again changes nothing and says so the same way.
    again = await client.delete(f"{PLANS}/{identifier}", headers=merchant.headers)
    assert again.json() == {"id": identifier, "success": True, "schedule_status": "CANCELLED"}


async def test_a_finished_plan_cannot_be_cancelled(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant)
    start = await next_morning(client, days=1)
    identifier = await plan_id(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="1.00",
        rrule_pattern=rule(start, "FREQ=DAILY;COUNT=1"),
    )
    merchant = await advance(client, merchant, start + timedelta(minutes=1))
    assert (await get_plan(client, merchant, identifier))["status"] == "COMPLETED"
    refused = await client.delete(f"{PLANS}/{identifier}", headers=merchant.headers)
    assert refused.status_code == 409 and "COMPLETED" in refused.json()["message"]
    assert (await get_plan(client, merchant, identifier))["status"] == "COMPLETED"
