"""Merchant administration: /homerun/v1/merchants, every setting and its validation."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import FUTURE, VISA, charge, events

MERCHANTS = "/homerun/v1/merchants"
MID = re.compile(r"^[1-9][0-9]{11}$")


async def create(client: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    return await client.post(MERCHANTS, json={"name": "Corner Store", **fields}, headers=ADMIN)


async def fetch(client: httpx.AsyncClient, mid: str) -> dict[str, Any]:
    answer = await client.get(f"{MERCHANTS}/{mid}", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_create_with_defaults(client: httpx.AsyncClient) -> None:
    answer = await create(client)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert MID.match(body["mid"])
    defaults = {
        "name": "Corner Store",
        "currency": "USD",
        "surcharge_enabled": False,
        "surcharge_rate": "0.00",
        "surcharge_rate_bps": 0,
        "batch_cutoff": "22:00",
        "timezone": "America/New_York",
        "processor": "simulator",
        "status": "active",
    }
    assert {k: body[k] for k in defaults} == defaults
    assert body["created_at"] == body["updated_at"]
    assert await fetch(client, body["mid"]) == body


async def test_create_with_every_setting(client: httpx.AsyncClient) -> None:
    answer = await create(
        client,
        name="  Surcharging Store  ",
        currency="usd",
        surcharge_enabled="Y",
        surcharge_rate="3.00",
        batch_cutoff="18:30",
        timezone="America/Chicago",
        processor="simulator",
        status="active",
        unknown_field="ignored",
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["name"], body["currency"], body["surcharge_enabled"]) == (
        "Surcharging Store",
        "USD",
        True,
    )
    assert (body["surcharge_rate"], body["surcharge_rate_bps"]) == ("3.00", 300)
    assert (body["batch_cutoff"], body["timezone"], body["processor"]) == (
        "18:30",
        "America/Chicago",
        "simulator",
    )
    assert await fetch(client, body["mid"]) == body


@pytest.mark.parametrize(
    ("rate", "text", "bps"),
    [
        ("2.5", "2.50", 250),
        (2.5, "2.50", 250),
        (3, "3.00", 300),
        ("0", "0.00", 0),
        ("1.99", "1.99", 199),
    ],
)
async def test_surcharge_rate_forms(
    client: httpx.AsyncClient, rate: object, text: str, bps: int
) -> None:
    body = (await create(client, surcharge_enabled=True, surcharge_rate=rate)).json()
    assert (body["surcharge_rate"], body["surcharge_rate_bps"]) == (text, bps)


async def test_every_mid_is_new(client: httpx.AsyncClient) -> None:
    mids = {(await create(client)).json()["mid"] for _ in range(5)}
    assert len(mids) == 5 and all(MID.match(m) for m in mids)


async def test_list_pages_through_merchants(client: httpx.AsyncClient) -> None:
    made = [(await create(client, name=f"Listed {i}")).json()["mid"] for i in range(3)]
    first = await client.get(MERCHANTS, params={"limit": 1}, headers=ADMIN)
    assert first.status_code == 200, first.text
    count = first.json()["count"]
    assert count >= 3 and first.json()["hasMore"] is True
    newest = await client.get(MERCHANTS, params={"limit": 10, "offset": count - 3}, headers=ADMIN)
    page = newest.json()
    assert [m["mid"] for m in page["items"]] == made
    assert (page["count"], page["limit"], page["offset"], page["hasMore"]) == (
        count,
        10,
        count - 3,
        False,
    )
    assert page["items"][0]["name"] == "Listed 0"
    middle = await client.get(MERCHANTS, params={"limit": 1, "offset": count - 2}, headers=ADMIN)
    assert [m["mid"] for m in middle.json()["items"]] == [made[1]]
    assert middle.json()["hasMore"] is True
    bad = await client.get(MERCHANTS, params={"limit": 0}, headers=ADMIN)
    assert bad.status_code == 400 and "limit" in bad.json()["errors"]


async def test_patch_changes_each_setting_and_only_that(client: httpx.AsyncClient) -> None:
    original = (await create(client)).json()
    mid = original["mid"]
    changes: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"name": "Renamed"}, {"name": "Renamed"}),
        ({"currency": "cad"}, {"currency": "CAD"}),
        ({"surcharge_enabled": "true"}, {"surcharge_enabled": True}),
        ({"surcharge_rate": "1.25"}, {"surcharge_rate": "1.25", "surcharge_rate_bps": 125}),
        ({"batch_cutoff": "06:05"}, {"batch_cutoff": "06:05"}),
        ({"timezone": "Europe/London"}, {"timezone": "Europe/London"}),
        ({"processor": "simulator"}, {"processor": "simulator"}),
        ({"status": "disabled"}, {"status": "disabled"}),
        ({"surcharge_enabled": 0}, {"surcharge_enabled": False}),
        ({}, {}),
        ({"name": None, "currency": None}, {}),
    ]
    expected = dict(original)
    for patch, effect in changes:
        answer = await client.patch(f"{MERCHANTS}/{mid}", json=patch, headers=ADMIN)
        assert answer.status_code == 200, (patch, answer.text)
        body = answer.json()
        expected.update(effect)
        assert {k: v for k, v in body.items() if k != "updated_at"} == {
            k: v for k, v in expected.items() if k != "updated_at"
        }, patch
        assert body["updated_at"] >= original["updated_at"]
        assert await fetch(client, mid) == body


BAD_SETTINGS: list[tuple[str, object]] = [
    ("surcharge_rate", "3.01"),
    ("surcharge_rate", "4"),
    ("surcharge_rate", 3.5),
    ("surcharge_rate", "-1"),
    ("surcharge_rate", "2.555"),
    ("surcharge_rate", "abc"),
    ("surcharge_rate", "sNaN"),
    ("surcharge_rate", "NaN"),
    ("surcharge_rate", "Infinity"),
    ("surcharge_rate", "1e999999999"),
    ("surcharge_rate", True),
    ("surcharge_rate", [3]),
    ("batch_cutoff", "24:00"),
    ("batch_cutoff", "22:60"),
    ("batch_cutoff", "9:00"),
    ("batch_cutoff", "2200"),
    ("batch_cutoff", 2200),
    ("timezone", "Mars/Olympus_Mons"),
    ("timezone", "America"),
    ("timezone", ""),
    ("timezone", "../../etc/passwd"),
    ("timezone", "/etc/localtime"),
    ("timezone", "a" * 300),
    ("timezone", "America/New_York\u0000"),
    ("processor", "stripe"),
    ("processor", ""),
    ("currency", "US"),
    ("currency", "DOLLARS"),
    ("currency", "ABC"),
    ("currency", "JPY"),
    ("currency", "12$"),
    ("currency", 840),
    ("status", "paused"),
    ("status", "Active"),
    ("surcharge_enabled", "maybe"),
    ("name", ""),
    ("name", "   "),
    ("name", "x" * 201),
    ("name", 12),
]


@pytest.mark.parametrize(("field", "value"), BAD_SETTINGS)
async def test_create_with_a_bad_setting_is_a_400_naming_it(
    client: httpx.AsyncClient, field: str, value: object
) -> None:
    before = (await client.get(MERCHANTS, headers=ADMIN)).json()["count"]
    answer = await create(client, **{field: value})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert list(body["errors"]) == [field]
    assert body["code"] == "invalid_request"
    assert body["error"] == body["message"] == body["error_description"]
    assert body["message"].startswith(f"{field}: ")
    assert (await client.get(MERCHANTS, headers=ADMIN)).json()["count"] == before


@pytest.mark.parametrize(("field", "value"), BAD_SETTINGS)
async def test_patch_with_a_bad_setting_is_a_400_and_changes_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess, field: str, value: object
) -> None:
    before = await fetch(client, merchant.mid)
    answer = await client.patch(
        f"{MERCHANTS}/{merchant.mid}",
        json={"name": "Should not stick", field: value},
        headers=ADMIN,
    )
    assert answer.status_code == 400, answer.text
    assert field in answer.json()["errors"]
    assert await fetch(client, merchant.mid) == before


async def test_create_without_a_name_is_a_400(client: httpx.AsyncClient) -> None:
    answer = await client.post(MERCHANTS, json={"currency": "USD"}, headers=ADMIN)
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"name": ["is required"]}


@pytest.mark.parametrize("mid", ["999999999999", "000000000000", "12345", "not-a-mid", "1" * 40])
async def test_unknown_mid_is_404(client: httpx.AsyncClient, mid: str) -> None:
    for method, body in (("GET", None), ("PATCH", {"name": "x"})):
        answer = await client.request(method, f"{MERCHANTS}/{mid}", json=body, headers=ADMIN)
        assert answer.status_code == 404, answer.text
        assert answer.json()["code"] == "not_found"
        assert mid[:12] in answer.json()["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer hr_admin_wrong"},
        {"Authorization": "Basic aHI6YWRtaW4="},
        {"Authorization": "Bearer"},
    ],
)
async def test_admin_calls_need_the_admin_token(
    client: httpx.AsyncClient, merchant: MerchantAccess, headers: dict[str, str]
) -> None:
    before = await fetch(client, merchant.mid)
    count = (await client.get(MERCHANTS, headers=ADMIN)).json()["count"]
    for method, path, body in (
        ("POST", MERCHANTS, {"name": "Intruder"}),
        ("GET", MERCHANTS, None),
        ("GET", f"{MERCHANTS}/{merchant.mid}", None),
        ("PATCH", f"{MERCHANTS}/{merchant.mid}", {"status": "disabled"}),
    ):
        answer = await client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.json()["code"] == "unauthorized"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert await fetch(client, merchant.mid) == before
    assert (await client.get(MERCHANTS, headers=ADMIN)).json()["count"] == count


async def test_a_merchant_api_key_is_not_an_admin_token(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await client.patch(
        f"{MERCHANTS}/{merchant.mid}", json={"status": "disabled"}, headers=merchant.headers
    )
    assert answer.status_code == 401
    assert (await fetch(client, merchant.mid))["status"] == "active"


async def test_mid_header_that_disagrees_with_the_body_is_a_400(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    merchant, other = await make_merchant(), await make_merchant()
    body = {"mid": merchant.mid, "amount": 100, "account_token": VISA, "expiration": FUTURE}
    answer = await client.post(
        "/api/v1/charge", json=body, headers={**merchant.headers, "mid": other.mid}
    )
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == ["mid"]
    assert await events(client, merchant) == [] and await events(client, other) == []
    # A mid header that agrees (or the numeric form of the body's mid) is simply ignored.
    agreeing = await client.post(
        "/api/v1/charge", json=body, headers={**merchant.headers, "mid": f" {merchant.mid} "}
    )
    assert agreeing.status_code == 200 and agreeing.json()["result"] == "A"
    numeric = await client.post(
        "/api/v1/charge",
        json={**body, "mid": int(merchant.mid)},
        headers={**merchant.headers, "mid": merchant.mid},
    )
    assert numeric.status_code == 200 and numeric.json()["result"] == "A"


async def test_disabled_merchant_gets_97_and_moves_no_money(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    disabled = await client.patch(
        f"{MERCHANTS}/{merchant.mid}", json={"status": "disabled"}, headers=ADMIN
    )
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
    answer = await charge(client, merchant)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["result"], body["resp_code"], body["resp_text"], body["resp_proc"]) == (
        "C",
        "97",
        "Merchant disabled",
        "PPS",
    )
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.reject"]
    enabled = await client.patch(
        f"{MERCHANTS}/{merchant.mid}", json={"status": "active"}, headers=ADMIN
    )
    assert enabled.status_code == 200
    assert (await charge(client, merchant)).json()["result"] == "A"


async def test_merchant_currency_decides_what_a_charge_may_ask(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    merchant = await make_merchant(currency="CAD")
    assert (await charge(client, merchant, currency="CAD")).json()["result"] == "A"
    refused = (await charge(client, merchant, currency="USD")).json()
    assert (refused["result"], refused["resp_code"]) == ("C", "32")


@pytest.mark.parametrize(
    ("field", "sent", "shown"),
    [
        ("processing_rate", "2.90", "2.90"),
        ("processing_rate", 2.9, "2.90"),
        ("processing_rate", 3, "3.00"),
        ("processing_fixed_fee", "0.30", "0.30"),
        ("processing_fixed_fee", 0.3, "0.30"),
        ("processing_fixed_fee", "1", "1.00"),
        ("chargeback_fee", "15.00", "15.00"),
        ("chargeback_fee", 15, "15.00"),
        ("monthly_fee", "9.95", "9.95"),
        ("monthly_fee", 9.95, "9.95"),
    ],
)
async def test_pricing_settings_take_decimal_strings_and_numbers(
    client: httpx.AsyncClient, field: str, sent: object, shown: str
) -> None:
    """What openapi.json documents for them: a decimal string, or a number."""
    answer = await create(client, **{field: sent})
    assert answer.status_code == 201, answer.text
    assert answer.json()[field] == shown
