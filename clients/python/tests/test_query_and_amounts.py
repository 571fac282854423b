"""The q builder's exact JSON, and the amount forms of ruling R3 read as Decimal dollars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from runpayments._amounts import cents_or_dollars, dollars, to_wire
from runpayments.query import Q, between, gt, gte, in_, instr, like, lt, ne, notnull, null


def test_members_are_anded_with_operators_and_dates() -> None:
    q = Q(
        mid="800000001780",
        amount=gt(Decimal("500")) & lt(Decimal("1000.50")),
        trans_date=between(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None),
        settle_date=gte(dt.date(2026, 2, 1)),
    )
    assert q.to_json() == (
        '{"mid":"800000001780","amount":{"$gt":"500","$lt":"1000.50"},'
        '"trans_date":{"$between":[{"$date":"2026-01-01T00:00:00+00:00"},null]},'
        '"settle_date":{"$gte":{"$date":"2026-02-01"}}}'
    )


def test_or_and_orderby() -> None:
    q = (Q(result="C") | Q(avs_resp=in_(["N", "A"]), order_id=like("WEB-%"))).order_by(
        amount="desc", trans_id="asc"
    )
    assert q.to_dict() == {
        "$or": [{"result": "C"}, {"avs_resp": {"$in": ["N", "A"]}, "order_id": {"$like": "WEB-%"}}],
        "$orderby": {"amount": "desc", "trans_id": "asc"},
    }


def test_null_operators_and_conditions_on_one_field() -> None:
    q = Q(
        custom_01=notnull(),
        custom_02=null(),
        name=instr("Doe") & ne("Jo Doe"),
        city=ne("X") | ne("Y"),
    )
    assert q.to_dict() == {
        "custom_01": {"$notnull": None},
        "custom_02": {"$null": None},
        "name": {"$instr": "Doe", "$ne": "Jo Doe"},
        "city": {"$or": [{"$ne": "X"}, {"$ne": "Y"}]},
    }


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Q(trans_date=gt(dt.datetime(2026, 1, 1)))


@pytest.mark.parametrize(
    ("wire", "read"),
    [
        (1234, "12.34"),
        ("1234", "12.34"),
        ("12.34", "12.34"),
        ("0.00", "0.00"),
        (0, "0.00"),
        ("10", "0.10"),
    ],
)
def test_payments_amounts(wire: object, read: str) -> None:
    assert cents_or_dollars(wire) == Decimal(read)


@pytest.mark.parametrize(
    ("wire", "read"), [(2599.99, "2599.99"), (25, "25"), ("0.06", "0.06"), (0.1, "0.1")]
)
def test_dollar_amounts_never_pass_through_binary_floats(wire: object, read: str) -> None:
    assert dollars(wire) == Decimal(read)


def test_amounts_are_sent_as_two_place_strings() -> None:
    assert [to_wire(Decimal(v)) for v in ("10", "10.5", "0.01")] == ["10.00", "10.50", "0.01"]
    with pytest.raises(ValueError, match="negative"):
        to_wire(Decimal("-1"))
    with pytest.raises(ValueError):
        cents_or_dollars(True)
