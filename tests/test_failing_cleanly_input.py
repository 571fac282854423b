"""Hostile input that once reached the database or a date computation and came back a 500:
each is now an R6 4xx naming its field, and nothing is written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from homerun.billing.models import BillingPlan
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from tests.billing.support import account, create_plan
from tests.boarding.support import API as BOARDING_API
from tests.boarding.support import make_partner
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import VISA, charge
from tests.hpp.support import attempt_of, create_page, page_path
from tests.oauth.support import BOARDING_TOKEN, FORM, REPORTING_TOKEN, bearer, make_client
from tests.test_failing_cleanly import footprint
from tests.test_http_errors import assert_r6

REPORTING_API = "/ords/sprint/api/3p/v1"
NUL = "\x00"


def assert_names(answer: httpx.Response, status: int, field: str, problem: str) -> None:
    body = assert_r6(answer, status, "invalid_request")
    assert body["errors"] == {field: [problem]}
    assert body["message"] == f"{field}: {problem}"


NUL_PROBLEM = "must not contain the NUL character"

# ---------------------------------------------------------------- NUL in forms and queries


@pytest.mark.parametrize("path", [REPORTING_TOKEN, BOARDING_TOKEN])
@pytest.mark.parametrize("field", ["client_id", "client_secret", "grant_type", "scope"])
async def test_a_nul_in_the_oauth_token_form_is_a_400(
    client: httpx.AsyncClient, path: str, field: str
) -> None:
    form = {"grant_type": "client_credentials", "client_id": "abc", "client_secret": "def"}
    form[field] = f"x{NUL}y"
    answer = await client.post(path, data=form, headers=FORM)
    assert answer.status_code == 400, answer.text
    assert answer.json() == {
        "error": "invalid_request",
        "error_description": f"parameter {field} must not contain the NUL character",
    }
    assert answer.headers["Cache-Control"] == "no-store"


async def test_a_nul_in_a_form_field_name_is_a_400(client: httpx.AsyncClient) -> None:
    answer = await client.post(REPORTING_TOKEN, content=b"client%00id=1", headers=FORM)
    assert answer.status_code == 400, answer.text
    assert "NUL" in answer.json()["error_description"]


@pytest.mark.parametrize("field", ["name", "card_number", "email", "attempt"])
async def test_a_nul_in_a_hosted_page_form_field_is_a_400(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess, field: str
) -> None:
    client_id, _ = await create_page(client, merchant, amount="12.00")
    opened = await client.get(page_path(client_id))
    form = {
        "attempt": attempt_of(opened.text),
        "card_number": "4111111111111111",
        "expiry": "12/30",
        "cvv": "123",
        "name": "Pat Doe",
        "email": "pat@example.com",
    }
    form[field] = form[field][:2] + NUL + form[field][2:]
    before = await footprint(runtime, merchant.mid)
    answer = await client.post(page_path(client_id), data=form)
    assert_names(answer, 400, field, NUL_PROBLEM)
    assert "4111111111111111" not in answer.text
    assert await footprint(runtime, merchant.mid) == before


async def test_a_nul_in_reporting_q_is_a_400(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    headers = await bearer(client, await make_client(client, merchant.mid))
    # Escaped, "%00" is three characters of text, no NUL: an ordinary filter.
    escaped = await client.get(
        f"{REPORTING_API}/transactions?q=%7B%22order_id%22%3A%22a%2500b%22%7D", headers=headers
    )
    assert (escaped.status_code, escaped.json()["items"]) == (200, [])
    for q in ('{"mid": "8000\x00"}', '{"order_id": {"$like": "a\x00b"}}'):
        answer = await client.get(f"{REPORTING_API}/transactions", params={"q": q}, headers=headers)
        assert_names(answer, 400, "q", NUL_PROBLEM)


async def test_a_nul_in_boarding_q_is_a_400(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    for path in ("merchants", "rep_codes", "mcc"):
        answer = await client.get(
            f"{BOARDING_API}/{path}",
            params={"q": '{"legal_name": "Acme' + NUL + '"}'},
            headers=partner.headers,
        )
        assert_names(answer, 400, "q", NUL_PROBLEM)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/homerun/v1/merchants?status=a%00", "status"),
        ("/homerun/v1/jobs?state=ready&kind=%00", "kind"),
        ("/homerun/v1/webhooks/deliveries?event_type=a%00b", "event_type"),
        ("/homerun/v1/webhooks/deliveries?a%00=b", "query"),
        ("/homerun/v1/merchants/8000%0000001", "path"),
    ],
)
async def test_a_nul_in_any_query_value_or_path_is_a_400(
    client: httpx.AsyncClient, path: str, field: str
) -> None:
    answer = await client.get(path, headers=ADMIN)
    assert_names(answer, 400, field, NUL_PROBLEM)


# ---------------------------------------------------------------- line_items nested deep


def nested(depth: int) -> Any:
    """`depth` lists, one inside the other, around one line item."""
    value: Any = {"sku": "A1", "qty": 1}
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [32, 1000])
async def test_line_items_nested_too_deep_is_a_400(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess, depth: int
) -> None:
    await charge(client, merchant)
    before = await footprint(runtime, merchant.mid)
    # Written out by hand: the client's own JSON encoder would overflow at 1,000.
    items = "[" * depth + '{"sku": "A1", "qty": 1}' + "]" * depth
    raw = (
        f'{{"mid": "{merchant.mid}", "amount": 1000, "account_token": "{VISA}",'
        f' "expiration": "12/30", "line_items": {items}}}'
    )
    answer = await client.post(
        "/api/v1/charge",
        content=raw.encode(),
        headers={**merchant.headers, "Content-Type": "application/json"},
    )
    assert_names(answer, 400, "line_items", "is nested more than 32 levels deep")
    assert VISA not in answer.text
    assert await footprint(runtime, merchant.mid) == before


async def test_line_items_32_levels_deep_are_kept(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    before = await footprint(runtime, merchant.mid)
    answer = await charge(client, merchant, line_items=nested(31))  # 31 lists and the item
    assert answer.status_code == 200, answer.text
    assert await footprint(runtime, merchant.mid) == (before[0] + 1, before[1] + 1, before[2])


async def test_any_json_field_nested_too_deep_is_a_400(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await client.post(
        "/homerun/v1/merchants", json={"name": "Deep", "extra": nested(40)}, headers=ADMIN
    )
    assert_names(answer, 400, "extra", "is nested more than 32 levels deep")


# ---------------------------------------------------------------- a DTSTART near year 9999


@pytest.mark.parametrize("year", [9990, 9995, 9999])
@pytest.mark.parametrize("rrule", ["FREQ=DAILY;COUNT=3", "FREQ=MONTHLY", "FREQ=YEARLY;COUNT=2"])
async def test_a_billing_plan_starting_near_year_9999_is_a_400(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess, year: int, rrule: str
) -> None:
    acct = await account(client, merchant)
    pattern = f"DTSTART:{year}1231T090000Z\nRRULE:{rrule}"
    answer = await create_plan(
        client, merchant, payment_account_uuid=acct["uuid"], amount="5.00", rrule_pattern=pattern
    )
    body = assert_r6(answer, 400, "invalid_request")
    assert list(body["errors"]) == ["rrule_pattern"]
    assert body["errors"]["rrule_pattern"] == [
        "DTSTART is too far in the future: it must be before 9987-12-22"
    ]
    assert await plans_of(runtime, merchant.mid) == 0


async def plans_of(runtime: Runtime, mid: str) -> int:
    async with runtime.db.transaction() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(BillingPlan)
            .join(Merchant, Merchant.id == BillingPlan.merchant_id)
            .where(Merchant.mid == mid)
        )
        return count or 0


# ---------------------------------------------------------------- offsets past 64 bits


@pytest.mark.parametrize("offset", [2**63, 2**63 - 1, 2**62 + 1, 10**30])
async def test_an_hpp_list_offset_past_the_bound_is_a_400(
    client: httpx.AsyncClient, merchant: MerchantAccess, offset: int
) -> None:
    for path, headers in (
        (f"/homerun/v1/hpp?offset={offset}", merchant.headers),
        (f"/homerun/v1/merchants/{merchant.mid}/hpp?offset={offset}", ADMIN),
    ):
        answer = await client.get(path, headers=headers)
        body = assert_r6(answer, 400, "invalid_request")
        assert list(body["errors"]) == ["offset"], body


async def test_an_hpp_list_offset_at_the_bound_is_an_empty_page(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await client.get(f"/homerun/v1/hpp?offset={2**62}", headers=merchant.headers)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["items"], answer.json()["offset"]) == ([], 2**62)


@pytest.mark.parametrize("partner_id", [2**63, 10**30])
async def test_a_boarding_partner_id_past_the_bound_is_a_400(
    client: httpx.AsyncClient, partner_id: int
) -> None:
    answer = await client.get(
        f"/homerun/v1/boarding/merchants?partner_id={partner_id}", headers=ADMIN
    )
    body = assert_r6(answer, 400, "invalid_request")
    assert list(body["errors"]) == ["partner_id"], body


async def test_a_bounded_billing_plan_just_inside_the_limit_is_made(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant)
    pattern = "DTSTART:99871220T090000Z\nRRULE:FREQ=DAILY;COUNT=2"
    answer = await create_plan(
        client, merchant, payment_account_uuid=acct["uuid"], amount="5.00", rrule_pattern=pattern
    )
    assert answer.status_code == 200, answer.text
    assert await plans_of(runtime, merchant.mid) == 1
