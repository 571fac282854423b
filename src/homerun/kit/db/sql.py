"""Small SQL expressions the repositories share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession


def ids_match(session: AsyncSession, column: Any, ids: list[int]) -> Any:
    """column IN ids, as `= ANY($1)` on PostgreSQL: one statement text for any number of
    ids, so its prepared statement and plan are reused."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(BigInteger)))
    return column.in_(ids)
