"""The ORDS `q` filter: grammar, operators, dates, $orderby, and every refusal (ruling R9)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import orjson
import pytest

from homerun.errors import ValidationFailed
from homerun.reporting import q as qf
from homerun.reporting.sources import SOURCES
from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import charge
from tests.oauth.support import bearer, make_client

API = "/ords/sprint/api/3p/v1"
FIELDS = SOURCES["transactions"].fields


def parse(q: Any) -> qf.Query:
    return qf.parse(q if isinstance(q, str) else orjson.dumps(q).decode(), FIELDS)


def refusal(q: Any) -> tuple[str, dict[str, list[str]]]:
    with pytest.raises(ValidationFailed) as caught:
        parse(q)
    assert caught.value.errors
    return caught.value.message, caught.value.errors


# ----------------------------------------------------------------------------- parsing (pure)


def test_no_q_is_no_filter() -> None:
    assert qf.parse(None, FIELDS) == qf.Query()
    assert qf.parse("  ", FIELDS) == qf.Query()
    assert parse({}) == qf.Query()


def test_equality_and_implicit_and() -> None:
    query = parse({"mid": "800000001780", "amount": 25.99})
    assert query.where == qf.And(
        (qf.Cond("mid", "$eq", "800000001780"), qf.Cond("amount", "$eq", 2599))
    )


def test_wire_values_become_stored_values() -> None:
    assert parse({"amount": 100}).where == qf.Cond("amount", "$eq", 10000)
    assert parse({"amount": "12.5"}).where == qf.Cond("amount", "$eq", 1250)
    assert parse({"trans_id": "123"}).where == qf.Cond("trans_id", "$eq", 123)
    assert parse({"card_number": "**** **** **** 1234"}).where == qf.Cond(
        "card_number", "$eq", "1234"
    )
    assert parse({"expiration": "12/26"}).where == qf.Cond("expiration", "$eq", "1226")
    assert parse({"card_brand": "visa"}).where == qf.Cond("card_brand", "$eq", "VISA")
    assert parse({"order_id": 42}).where == qf.Cond("order_id", "$eq", "42")


def test_dates() -> None:
    moment = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    assert parse({"trans_date": {"$date": "2026-01-15T09:30:00Z"}}).where == qf.Cond(
        "trans_date", "$eq", moment
    )
    assert parse({"trans_date": {"$gt": {"$date": "2026-01-15T04:30:00-05:00"}}}).where == (
        qf.Cond("trans_date", "$gt", moment)
    )
    assert parse({"trans_date": {"$gte": "2026-01-15"}}).where == qf.Cond(
        "trans_date", "$gte", datetime(2026, 1, 15, tzinfo=UTC)
    )
    assert parse({"funding_date": {"$date": "2026-01-16T00:00:00Z"}}).where == qf.Cond(
        "funding_date", "$eq", date(2026, 1, 16)
    )


def test_every_operator() -> None:
    cases: dict[str, Any] = {
        "$eq": 1,
        "$ne": 1,
        "$lt": 1,
        "$lte": 1,
        "$gt": 1,
        "$gte": 1,
        "$between": [1, 2],
        "$in": [1, 2],
        "$null": None,
        "$notnull": None,
    }
    for op, operand in cases.items():
        assert isinstance(parse({"amount": {op: operand}}).where, qf.Cond), op
    for op in ("$like", "$instr", "$ninstr"):
        assert parse({"order_id": {op: "A%"}}).where == qf.Cond("order_id", op, "A%")


def test_logic() -> None:
    query = parse(
        {
            "$or": [{"card_brand_id": 1}, {"card_brand_id": 2, "amount": {"$gt": 10}}],
            "amount": {"$and": [{"$gte": 1}, {"$lte": 100}]},
        }
    )
    assert isinstance(query.where, qf.And)
    assert isinstance(query.where.parts[0], qf.Or)
    assert isinstance(query.where.parts[1], qf.And)


def test_orderby() -> None:
    query = parse({"$orderby": {"amount": "DESC", "trans_date": "asc"}})
    assert query.where is None
    assert query.order_by == (("amount", True), ("trans_date", False))


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("{not json", ("not valid JSON",)),
        ('"a string"', ("JSON object",)),
        ("[1, 2]", ("JSON object",)),
        ({"colour": "red"}, ("unknown field", "colour")),
        ({"amount": {"$gtx": 1}}, ("unknown operator", "$gtx")),
        ({"$nor": [{"amount": 1}]}, ("unknown operator", "$nor")),
        ({"amount": "abc"}, ("amount", "dollars")),
        ({"amount": 1.234}, ("amount", "2 decimals")),
        ({"amount": True}, ("amount",)),
        ({"trans_id": "abc"}, ("trans_id", "integer")),
        ({"trans_id": "99999999999999999999"}, ("trans_id", "range")),
        ('{"trans_id": 99999999999999999999999}', ("trans_id", "integer")),
        ({"card_brand_id": "visa"}, ("card_brand_id", "integer")),
        ({"trans_date": "yesterday"}, ("trans_date", "ISO-8601")),
        ({"trans_date": {"$date": 5}}, ("trans_date", "date")),
        ({"amount": {"$date": "2026-01-01"}}, ("amount", "not a date field")),
        ({"amount": {"$between": [1]}}, ("$between", "two values")),
        ({"amount": {"$in": 5}}, ("$in", "array")),
        ({"amount": {"$like": "1%"}}, ("$like", "text fields")),
        ({"card_number": {"$like": "%1"}}, ("card_number", "does not apply")),
        ({"order_id": {"$eq": None}}, ("$null",)),
        ({"order_id": {"$eq": ["a"]}}, ("single value",)),
        ({"order_id": {}}, ("empty operator object",)),
        ({"$or": []}, ("$or", "non-empty array")),
        ({"$or": [1]}, ("$or", "filter object")),
        ({"$orderby": {"amount": "sideways"}}, ("asc", "desc")),
        ({"$orderby": {"colour": "asc"}}, ("unknown field",)),
        ({"$orderby": []}, ("$orderby",)),
        ({"$or": [{"$orderby": {"amount": "asc"}}]}, ("top level",)),
    ],
)
def test_refusals_name_the_problem(q: Any, names: tuple[str, ...]) -> None:
    message, errors = refusal(q)
    assert all(name in message for name in names), message
    assert all(key.startswith("q") for key in errors)


def test_huge_filters_are_refused() -> None:
    refusal({"amount": {"$in": list(range(2000))}})
    refusal("x" * 30_000)
    refusal({"$or": [{"amount": n} for n in range(600)]})
    refusal('{"$and":[' * 400 + '{"amount":1}' + "]}" * 400)
    deep: dict[str, Any] = {"amount": 1}
    for _ in range(30):
        deep = {"$and": [deep]}
    assert parse(deep).where is not None
    refusal({"$or": [deep, {"$and": [{"$or": [deep]}]}]})


# ----------------------------------------------------------------------------- over HTTP


async def _data(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> tuple[MerchantAccess, dict[str, str], list[dict[str, Any]]]:
    merchant = await make_merchant()
    made = []
    for amount, card, extra in (
        (1000, "4111111111111111", {"order_id": "A-1", "custom_01": "red"}),
        (2500, "5454545454545454", {"order_id": "A-2", "custom_01": "blue"}),
        (4000, "371449635398431", {"order_id": "B-3", "name": "Ann Smith"}),
        (7550, "6011000990139424", {"order_id": "B-4", "invoice_id": "INV-9"}),
        (9999, "4111111111111111", {"order_id": "C-5", "expiration": "0131"}),
    ):
        answer = await charge(client, merchant, amount=amount, account_token=card, **extra)
        assert answer.json()["result"] == "A", answer.text
        made.append(answer.json())
    headers = await bearer(client, await make_client(client, merchant.mid))
    return merchant, headers, made


async def _ids(client: httpx.AsyncClient, headers: dict[str, str], q: Any) -> list[str]:
    answer = await client.get(
        f"{API}/transactions", headers=headers, params={"q": orjson.dumps(q).decode()}
    )
    assert answer.status_code == 200, answer.text
    return [item["trans_id"] for item in answer.json()["items"]]


async def test_filters_select_the_right_rows(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    merchant, headers, made = await _data(client, make_merchant)
    t = [m["trans_id"] for m in made]
    trans_date = made[0]["trans_date"]
    cases: list[tuple[Any, list[str]]] = [
        ({}, t),
        ({"mid": merchant.mid}, t),
        ({"amount": 25}, [t[1]]),
        ({"amount": {"$eq": "40.00"}}, [t[2]]),
        ({"amount": {"$gt": 25}}, t[2:]),
        ({"amount": {"$gte": 25, "$lt": 99.99}}, t[1:4]),
        ({"amount": {"$lte": 25}}, t[:2]),
        ({"amount": {"$ne": 10}}, t[1:]),
        ({"amount": {"$between": [25, 75.5]}}, t[1:4]),
        ({"amount": {"$between": [None, 25]}}, t[:2]),
        ({"amount": {"$in": [10, 99.99]}}, [t[0], t[4]]),
        ({"card_brand_id": 1}, [t[0], t[4]]),
        ({"card_brand_id": {"$in": [2, 3]}}, t[1:3]),
        ({"card_brand_id": {"$gt": 2}}, t[2:4]),
        ({"card_brand": "discover"}, [t[3]]),
        ({"card_number": "**** **** **** 8431"}, [t[2]]),
        ({"expiration": "01/31"}, [t[4]]),
        ({"order_id": {"$like": "A-%"}}, t[:2]),
        ({"order_id": {"$like": "_-3"}}, [t[2]]),
        ({"order_id": {"$instr": "-4"}}, [t[3]]),
        ({"order_id": {"$ninstr": "B"}}, [t[0], t[1], t[4]]),
        ({"custom_01": "blue"}, [t[1]]),
        ({"custom_01": {"$null": None}}, t[2:]),
        ({"invoice_id": {"$notnull": None}}, [t[3]]),
        ({"name": "Ann Smith"}, [t[2]]),
        ({"trans_id": t[3]}, [t[3]]),
        ({"trans_id": {"$in": [int(t[0]), t[1]]}}, t[:2]),
        ({"trans_type": "sale", "settlement_status": "Pending"}, t),
        ({"settlement_status": "Settled"}, []),
        ({"batch_id": {"$null": None}}, t),
        ({"result": "A", "resp_code": "00"}, t),
        ({"trans_date": {"$gte": {"$date": trans_date}}}, t),
        ({"trans_date": {"$lt": {"$date": "2000-01-01T00:00:00Z"}}}, []),
        ({"trans_date": {"$between": [{"$date": "2000-01-01"}, {"$date": "2999-01-01"}]}}, t),
        ({"$or": [{"amount": 10}, {"order_id": "C-5"}]}, [t[0], t[4]]),
        ({"$or": [{"card_brand_id": 1}, {"amount": {"$gt": 70}}]}, [t[0], t[3], t[4]]),
        ({"$and": [{"card_brand_id": 1}, {"amount": {"$gt": 70}}]}, [t[4]]),
        ({"amount": {"$or": [{"$lt": 11}, {"$gt": 99}]}}, [t[0], t[4]]),
        ({"amount": {"$gt": 10}, "$orderby": {"amount": "desc"}}, list(reversed(t[1:]))),
        ({"$orderby": {"card_brand_id": "asc", "amount": "desc"}}, [t[4], t[0], t[1], t[2], t[3]]),
        ({"$orderby": {"order_id": "desc"}}, list(reversed(t))),
    ]
    for q, expected in cases:
        assert await _ids(client, headers, q) == expected, q


async def test_like_specials_are_literal_in_instr(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    merchant = await make_merchant()
    for order_id in ("50%_off", "500-off"):
        assert (await charge(client, merchant, order_id=order_id)).json()["result"] == "A"
    headers = await bearer(client, await make_client(client, merchant.mid))
    found = await _ids(client, headers, {"order_id": {"$instr": "0%_"}})
    assert len(found) == 1


@pytest.mark.parametrize("endpoint", ["transactions", "deposits", "chargebacks", "adjustments"])
@pytest.mark.parametrize(
    ("q", "problem"),
    [
        ("{oops", "not valid JSON"),
        ('{"no_such_field": 1}', "unknown field"),
        ('{"mid": {"$regex": "x"}}', "unknown operator"),
        ('{"amount": "lots"}', "amount"),
    ],
)
async def test_bad_q_is_a_400_naming_the_problem(
    client: httpx.AsyncClient, merchant: MerchantAccess, endpoint: str, q: str, problem: str
) -> None:
    headers = await bearer(client, await make_client(client, merchant.mid))
    answer = await client.get(f"{API}/{endpoint}", headers=headers, params={"q": q})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert set(body) == {"error", "message", "error_description", "code", "errors"}
    assert body["code"] == "invalid_request"
    assert problem in body["message"] and body["error"] == body["message"]
    assert all(key.startswith("q") for key in body["errors"])
