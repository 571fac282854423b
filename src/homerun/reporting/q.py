"""The ORDS `q` filter (ruling R9): parse, check against a field whitelist, compile to SQL.

Two stages, so that a bad `q` is refused before any database work:

1. `parse(text, fields)` reads the JSON, checks every field name against the endpoint's
   whitelist and every operator and value against the field's kind, and converts wire values
   (dollars, `{"$date": ...}`, masked card numbers, ...) to stored values. The result is a small
   tree of `Cond`/`And`/`Or` nodes plus the `$orderby` list.
2. `compile_filter(tree, columns, domains)` turns the tree into one SQLAlchemy expression over
   the endpoint's columns.

Grammar (ORDS filter objects):

    q        := { member, ... }                      members are ANDed
    member   := field: value                         equality
              | field: { op: operand, ... }           operators on one field, ANDed
              | field: { "$and" | "$or": [ { op: operand, ... }, ... ] }
              | "$and" | "$or": [ q, ... ]
              | "$orderby": { field: "asc" | "desc", ... }
    op       := $eq $ne $lt $lte $gt $gte $like $instr $ninstr $between $in $null $notnull
    value    := string | number | {"$date": "<ISO-8601>"}

Every fault raises ValidationFailed naming the field and what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import ColumnElement, SQLColumnExpression, and_, case, false, not_, or_, true

from homerun.errors import ValidationFailed

MAX_Q_CHARS = 20_000
MAX_NODES = 500
MAX_DEPTH = 32
MAX_IN_VALUES = 1_000
MAX_INTEGER = 2**63 - 1
MAX_DOLLARS = Decimal(10**15)


class Kind(StrEnum):
    TEXT = "text"  # strings; numbers are accepted and compared as their text
    INTEGER = "integer"  # stored integer; JSON integers or digit strings on the wire
    MONEY = "money"  # stored minor units; JSON numbers (or strings) in dollars on the wire
    DATETIME = "datetime"  # stored UTC timestamp; {"$date": ISO} or an ISO string
    DATE = "date"  # stored calendar date; {"$date": ISO} or "YYYY-MM-DD"
    MAPPED = "mapped"  # a wire value stands for a set of stored values (enums, MIDs)


ORDERING = ("$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$between", "$in")
NULLS = ("$null", "$notnull")
TEXTUAL = ("$like", "$instr", "$ninstr")
EQUALITY = ("$eq", "$ne", "$in")
OPERATORS = frozenset((*ORDERING, *NULLS, *TEXTUAL))
LOGICAL = ("$and", "$or")


@dataclass(frozen=True)
class Field:
    """One filterable field of an endpoint as the wire names it.

    `wire_type` is what the field holds on the wire (for MAPPED fields: "string" or
    "integer"); `convert` turns a checked wire value into the stored value (e.g. a masked card
    number into its last four digits); `ops` narrows the operators the field accepts.
    """

    name: str
    kind: Kind
    wire_type: str = "string"
    ops: frozenset[str] = OPERATORS
    convert: Callable[[Any], Any] | None = None
    sortable: bool = True


@dataclass(frozen=True)
class Cond:
    field: str
    op: str
    value: Any = None  # converted: a scalar, a (low, high) pair, or a tuple for $in


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


Node = Cond | And | Or


@dataclass(frozen=True)
class Query:
    where: Node | None = None
    order_by: tuple[tuple[str, bool], ...] = ()  # (field, descending)


def _fail(where: str, problem: str) -> ValidationFailed:
    name = f"q.{where}" if where else "q"
    return ValidationFailed(f"{name}: {problem}", {name: [problem]})


# ---------------------------------------------------------------------------- parsing


class _Parser:
    def __init__(self, fields: Mapping[str, Field]) -> None:
        self.fields = fields
        self.nodes = 0
        self.depth = 0

    def _nest(self, where: str) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _fail(where, f"$and/$or nest more than {MAX_DEPTH} levels deep")

    def _count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _fail("", f"the filter is too large (more than {MAX_NODES} conditions)")

    def field_of(self, name: str) -> Field:
        spec = self.fields.get(name) or self.fields.get(name.lower())
        if spec is None:
            known = ", ".join(sorted(self.fields))
            raise _fail(name, f"unknown field {name!r}; the fields here are: {known}")
        return spec

    def query(self, data: Any) -> Query:
        if not isinstance(data, dict):
            raise _fail("", 'must be a JSON object such as {"mid":"800000001780"}')
        order: tuple[tuple[str, bool], ...] = ()
        members = dict(data)
        if "$orderby" in members:
            order = self.orderby(members.pop("$orderby"))
        where = self.object(members)
        return Query(where, order)

    def object(self, data: dict[str, Any], where: str = "") -> Node | None:
        parts: list[Node] = []
        for key, value in data.items():
            if key in LOGICAL:
                parts.append(self.logical(key, value, where))
            elif key == "$orderby":
                raise _fail(where or key, "$orderby is only allowed at the top level of q")
            elif key.startswith("$"):
                raise _fail(
                    where or key,
                    f"unknown operator {key}; expected a field name, $and, $or or $orderby",
                )
            else:
                parts.append(self.member(self.field_of(key), value))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def logical(self, op: str, value: Any, where: str) -> Node:
        self._count()
        label = op if not where or len(where) > 60 else f"{where}.{op}"
        if not isinstance(value, list) or not value:
            raise _fail(label, f"{op} needs a non-empty array of filter objects")
        parts: list[Node] = []
        self._nest(op)
        for item in value:
            if not isinstance(item, dict):
                raise _fail(label, f"every element of {op} must be a filter object")
            node = self.object(item, label)
            parts.append(node if node is not None else And(()))
        self.depth -= 1
        return And(tuple(parts)) if op == "$and" else Or(tuple(parts))

    def member(self, spec: Field, value: Any) -> Node:
        if isinstance(value, dict) and not _is_date_literal(value):
            return self.operators(spec, value)
        return self.cond(spec, "$eq", value)

    def operators(self, spec: Field, ops: dict[str, Any]) -> Node:
        if not ops:
            raise _fail(spec.name, 'an empty operator object; expected e.g. {"$eq": ...}')
        parts: list[Node] = []
        for op, operand in ops.items():
            if op in LOGICAL:
                self._count()
                if not isinstance(operand, list) or not operand:
                    raise _fail(spec.name, f"{op} needs a non-empty array of operator objects")
                inner: list[Node] = []
                self._nest(spec.name)
                for item in operand:
                    if not isinstance(item, dict) or _is_date_literal(item):
                        raise _fail(spec.name, f"every element of {op} must be an operator object")
                    inner.append(self.operators(spec, item))
                self.depth -= 1
                parts.append(And(tuple(inner)) if op == "$and" else Or(tuple(inner)))
            elif op not in OPERATORS:
                raise _fail(
                    spec.name,
                    f"unknown operator {op}; the operators are "
                    + ", ".join(sorted(OPERATORS | set(LOGICAL))),
                )
            else:
                parts.append(self.cond(spec, op, operand))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def cond(self, spec: Field, op: str, operand: Any) -> Cond:
        self._count()
        if op not in spec.ops:
            allowed = ", ".join(sorted(spec.ops))
            raise _fail(spec.name, f"operator {op} does not apply to {spec.name} (use {allowed})")
        if op in NULLS:
            return Cond(spec.name, op)
        if op in TEXTUAL:
            if spec.kind not in (Kind.TEXT, Kind.MAPPED) or spec.wire_type != "string":
                raise _fail(spec.name, f"{op} applies to text fields only")
            if isinstance(operand, bool) or not isinstance(operand, str | int):
                raise _fail(spec.name, f"{op} needs a string")
            return Cond(spec.name, op, str(operand))
        if op == "$between":
            if not isinstance(operand, list) or len(operand) != 2:
                raise _fail(spec.name, "$between needs an array of two values [low, high]")
            low, high = (None if v is None else self.value(spec, op, v) for v in operand)
            if low is None and high is None:
                raise _fail(spec.name, "$between needs at least one bound")
            return Cond(spec.name, op, (low, high))
        if op == "$in":
            if not isinstance(operand, list):
                raise _fail(spec.name, "$in needs an array of values")
            if len(operand) > MAX_IN_VALUES:
                raise _fail(spec.name, f"$in takes at most {MAX_IN_VALUES} values")
            return Cond(spec.name, op, tuple(self.value(spec, op, v) for v in operand))
        return Cond(spec.name, op, self.value(spec, op, operand))

    def value(self, spec: Field, op: str, raw: Any) -> Any:
        try:
            checked = _check(spec, raw)
        except ValueError as problem:
            raise _fail(spec.name, f"{op} {problem}") from None
        return spec.convert(checked) if spec.convert else checked

    def orderby(self, value: Any) -> tuple[tuple[str, bool], ...]:
        if not isinstance(value, dict) or not value:
            raise _fail("$orderby", 'must be an object such as {"trans_date": "desc"}')
        order: list[tuple[str, bool]] = []
        for name, direction in value.items():
            spec = self.field_of(name)
            if not spec.sortable:
                raise _fail("$orderby", f"{spec.name} cannot be sorted on")
            text = str(direction).strip().lower() if not isinstance(direction, bool) else ""
            if text in ("asc", "1"):
                order.append((spec.name, False))
            elif text in ("desc", "-1"):
                order.append((spec.name, True))
            else:
                raise _fail("$orderby", f'{spec.name}: the direction must be "asc" or "desc"')
        return tuple(order)


def _is_date_literal(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and "$date" in value


def _check(spec: Field, raw: Any) -> Any:
    """The wire value as the field's Python type; ValueError says what was expected."""
    kind = spec.kind
    if (isinstance(raw, dict) and not _is_date_literal(raw)) or isinstance(raw, list):
        raise ValueError("needs a single value, not an object or array")
    if kind in (Kind.DATETIME, Kind.DATE):
        text = raw["$date"] if _is_date_literal(raw) else raw
        if not isinstance(text, str):
            raise ValueError('needs a date such as {"$date": "2026-01-15T00:00:00Z"}')
        return _parse_datetime(text) if kind is Kind.DATETIME else _parse_date(text)
    if _is_date_literal(raw):
        raise ValueError(f"{spec.name} is not a date field")
    if raw is None:
        raise ValueError("needs a value; use $null to match a missing value")
    if isinstance(raw, bool):
        raise ValueError(f"needs a {_expected(spec)}, not true/false")
    wire_integer = kind is Kind.INTEGER or spec.wire_type == "integer"
    if wire_integer:
        number: int | None = None
        if isinstance(raw, int):
            number = raw
        elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
            number = int(raw.strip())
        if number is None:
            raise ValueError(f"needs {_expected(spec)}")
        if not -MAX_INTEGER <= number <= MAX_INTEGER:
            raise ValueError("is out of range")
        return number
    if kind is Kind.MONEY:
        return _parse_money(raw)
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int):
        return str(raw)
    raise ValueError(f"needs {_expected(spec)}")


def _expected(spec: Field) -> str:
    if spec.kind is Kind.MONEY:
        return "an amount in dollars such as 25.99"
    if spec.kind is Kind.INTEGER or spec.wire_type == "integer":
        return "an integer"
    return "a string"


def _parse_money(raw: Any) -> int:
    try:
        amount = Decimal(str(raw).strip()) if isinstance(raw, int | float | str) else None
        if amount is None or not amount.is_finite() or abs(amount) > MAX_DOLLARS:
            raise ValueError("needs an amount in dollars such as 25.99")
        cents = amount * 100
    except ArithmeticError:
        raise ValueError("needs an amount in dollars such as 25.99") from None
    if cents != cents.to_integral_value():
        raise ValueError("needs dollars with at most 2 decimals")
    return int(cents)


def _parse_datetime(text: str) -> datetime:
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            f'needs an ISO-8601 date-time such as "2026-01-15T09:30:00Z", not {text[:40]!r}'
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_date(text: str) -> date:
    value = text.strip()
    if len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return _parse_datetime(value).date()


def parse(text: str | None, fields: Mapping[str, Field]) -> Query:
    """`q` as a checked tree; None or blank is no filter."""
    if text is None or not text.strip():
        return Query()
    if len(text) > MAX_Q_CHARS:
        raise _fail("", f"is longer than {MAX_Q_CHARS} characters")
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as problem:
        raise _fail("", f"is not valid JSON ({problem})") from None
    return _Parser(fields).query(data)


# ---------------------------------------------------------------------------- compiling


@dataclass(frozen=True)
class Domain:
    """A MAPPED field's values: each wire value with the stored values it stands for."""

    pairs: tuple[tuple[Any, Any], ...]

    def stored_where(self, test: Callable[[Any], bool]) -> list[Any]:
        return [stored for wire, stored in self.pairs if test(wire)]

    def order_key(self, column: SQLColumnExpression[Any]) -> SQLColumnExpression[Any]:
        """Sort a MAPPED column by its wire values, not by what is stored."""
        ranked = sorted({wire for wire, _ in self.pairs}, key=lambda w: (str(type(w)), w))
        rank = {wire: i for i, wire in enumerate(ranked)}
        whens = {stored: rank[wire] for wire, stored in self.pairs}
        if not whens:
            return column
        return case(whens, value=column, else_=len(ranked))


def _like_regex(pattern: str) -> re.Pattern[str]:
    out = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(f"^{out}$", re.DOTALL)


def python_test(op: str, value: Any) -> Callable[[Any], bool]:
    """A MAPPED field's operator, evaluated on a wire value in Python."""
    tests: dict[str, Callable[[Any], bool]] = {
        "$eq": lambda w: bool(w == value),
        "$ne": lambda w: bool(w != value),
        "$lt": lambda w: bool(w < value),
        "$lte": lambda w: bool(w <= value),
        "$gt": lambda w: bool(w > value),
        "$gte": lambda w: bool(w >= value),
        "$in": lambda w: w in value,
    }
    if op in tests:
        return tests[op]
    if op == "$between":
        low, high = value
        return lambda w: (low is None or w >= low) and (high is None or w <= high)
    if op == "$like":
        regex = _like_regex(value)
        return lambda w: regex.match(str(w)) is not None
    if op == "$instr":
        return lambda w: value in str(w)
    if op == "$ninstr":
        return lambda w: value not in str(w)
    raise AssertionError(op)


def _sql(column: SQLColumnExpression[Any], op: str, value: Any) -> ColumnElement[bool]:
    result: ColumnElement[bool]
    if op == "$eq":
        result = column == value
    elif op == "$ne":
        result = column != value
    elif op == "$lt":
        result = column < value
    elif op == "$lte":
        result = column <= value
    elif op == "$gt":
        result = column > value
    elif op == "$gte":
        result = column >= value
    elif op == "$in":
        result = column.in_(list(value)) if value else false()
    elif op == "$between":
        low, high = value
        if low is None:
            result = column <= high
        elif high is None:
            result = column >= low
        else:
            result = column.between(low, high)
    elif op == "$like":
        result = column.like(value)
    elif op == "$instr":
        result = column.contains(value, autoescape=True)
    elif op == "$ninstr":
        result = not_(column.contains(value, autoescape=True))
    elif op == "$null":
        result = column.is_(None)
    elif op == "$notnull":
        result = column.is_not(None)
    else:
        raise AssertionError(op)
    return result


def compile_filter(
    node: Node | None,
    columns: Mapping[str, SQLColumnExpression[Any]],
    domains: Mapping[str, Domain],
) -> ColumnElement[bool]:
    """The tree as one SQL expression (TRUE when there is no filter)."""
    if node is None:
        return true()
    if isinstance(node, And):
        return and_(true(), *(compile_filter(p, columns, domains) for p in node.parts))
    if isinstance(node, Or):
        return or_(false(), *(compile_filter(p, columns, domains) for p in node.parts))
    column = columns[node.field]
    domain = domains.get(node.field)
    if domain is None or node.op in NULLS:
        return _sql(column, node.op, node.value)
    stored = domain.stored_where(python_test(node.op, node.value))
    return _sql(column, "$eq", stored[0]) if len(stored) == 1 else _sql(column, "$in", stored)


def order_columns(
    order_by: Sequence[tuple[str, bool]],
    columns: Mapping[str, SQLColumnExpression[Any]],
    domains: Mapping[str, Domain],
) -> list[SQLColumnExpression[Any]]:
    out: list[SQLColumnExpression[Any]] = []
    for name, descending in order_by:
        column = columns[name]
        domain = domains.get(name)
        key = domain.order_key(column) if domain is not None else column
        out.append(key.desc() if descending else key.asc())
    return out
