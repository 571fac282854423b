"""A `StrEnum` stored as its plain string value.

The column stays the VARCHAR it has always been (no database enum, no CHECK constraint, so
the schema and the stored values do not change); Python sees the enum's members. Writing a
value that is not a member fails before it reaches the database.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import String, TypeDecorator
from sqlalchemy.engine import Dialect

E = TypeVar("E", bound=StrEnum)


class StrEnumColumn(TypeDecorator[E]):
    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum
        # A dict look-up rather than enum(value): Reporting reads these columns by the
        # thousand per page, and calling the enum class costs several times more.
        self._members: dict[str, E] = {member.value: member for member in enum}

    def _member(self, value: Any) -> E:
        member = self._members.get(value)
        if member is None:
            raise ValueError(f"{value!r} is not a valid {self.enum.__name__}")
        return member

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self._member(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self._member(value)

    def process_literal_param(self, value: Any, dialect: Dialect) -> str:
        return repr(self._member(value).value)
