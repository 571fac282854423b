"""The `q` filter of Reporting and Boarding collections (ruling R9), built without hand-made JSON.

    from runpayments.query import Q, between, gt, like
    Q(mid="800000001780", amount=gt(Decimal("500")), order_id=like("WEB-%"))
    Q(result="C") | Q(avs_resp=in_(["N", "A"]))
    Q(trans_date=between(datetime(2026, 1, 1, tzinfo=UTC), None)).order_by(trans_date="desc")

Money goes as its decimal text (never a float), datetimes and dates as {"$date": ISO-8601}.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Literal

Direction = Literal["asc", "desc"]


def _value(value: object) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("a datetime in q needs a time zone")
        return {"$date": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Cond):
        raise TypeError("a condition cannot be an operand")
    return value


class Cond:
    """Operators on one field; `a & b` ANDs two conditions on the same field."""

    def __init__(self, ops: Mapping[str, Any]) -> None:
        self.ops = dict(ops)

    def __and__(self, other: Cond) -> Cond:
        if self.ops.keys() & other.ops.keys():
            return Cond({"$and": [self.ops, other.ops]})
        return Cond({**self.ops, **other.ops})

    def __or__(self, other: Cond) -> Cond:
        return Cond({"$or": [self.ops, other.ops]})

    def __repr__(self) -> str:
        return f"Cond({self.ops!r})"


def eq(value: object) -> Cond:
    return Cond({"$eq": _value(value)})


def ne(value: object) -> Cond:
    return Cond({"$ne": _value(value)})


def lt(value: object) -> Cond:
    return Cond({"$lt": _value(value)})


def lte(value: object) -> Cond:
    return Cond({"$lte": _value(value)})


def gt(value: object) -> Cond:
    return Cond({"$gt": _value(value)})


def gte(value: object) -> Cond:
    return Cond({"$gte": _value(value)})


def between(low: object, high: object) -> Cond:
    """Inclusive; None leaves that end open."""
    return Cond({"$between": [_value(low), _value(high)]})


def in_(values: Iterable[object]) -> Cond:
    return Cond({"$in": [_value(v) for v in values]})


def like(pattern: str) -> Cond:
    """SQL LIKE: % any run, _ one character."""
    return Cond({"$like": pattern})


def instr(text: str) -> Cond:
    return Cond({"$instr": text})


def ninstr(text: str) -> Cond:
    return Cond({"$ninstr": text})


def null() -> Cond:
    return Cond({"$null": None})


def notnull() -> Cond:
    return Cond({"$notnull": None})


class Q:
    """A filter: keyword members are ANDed; `&` and `|` combine whole filters."""

    def __init__(self, **fields: object) -> None:
        self._members: dict[str, Any] = {
            name: value.ops if isinstance(value, Cond) else _value(value)
            for name, value in fields.items()
        }
        self._order: dict[str, Direction] = {}

    @classmethod
    def _raw(cls, members: dict[str, Any], order: Mapping[str, Direction]) -> Q:
        made = cls()
        made._members, made._order = members, dict(order)
        return made

    def __and__(self, other: Q) -> Q:
        return Q._raw({"$and": [self._members, other._members]}, {**self._order, **other._order})

    def __or__(self, other: Q) -> Q:
        return Q._raw({"$or": [self._members, other._members]}, {**self._order, **other._order})

    def order_by(self, **directions: Direction) -> Q:
        """Sort by these fields in the order given ("asc" or "desc")."""
        return Q._raw(dict(self._members), {**self._order, **directions})

    def to_dict(self) -> dict[str, Any]:
        if not self._order:
            return dict(self._members)
        return {**self._members, "$orderby": dict(self._order)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    def __repr__(self) -> str:
        return f"Q({self.to_json()})"
