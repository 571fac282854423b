"""Bulk SQL for `homerun seed`: id blocks, COPY (PostgreSQL) or multi-row INSERTs (SQLite).

Rows arrive as dicts in bounded batches; each column a row leaves out gets the model's
scalar default (or NULL), so the statements stay valid when a model gains a column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from homerun.merchants.models import Merchant

JSON_TYPES = ("JSON", "JSONB")


def _defaults(table: Table) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        arg = getattr(default, "arg", None) if default is not None else None
        if default is not None and getattr(default, "is_scalar", False):
            out[column.name] = arg
        elif default is not None and getattr(default, "is_callable", False):
            # dict / list factories of JSON columns: call with no context.
            try:
                out[column.name] = arg(None) if callable(arg) else None
            except TypeError:
                out[column.name] = None
        else:
            out[column.name] = None
    return out


async def reserve_ids(
    connection: AsyncConnection, table: Table, count: int, above: int = 0
) -> list[int]:
    """`count` fresh primary keys for `table`, never handed to anyone else.

    PostgreSQL takes them from the table's sequence. SQLite has none: the keys start above
    both the table's largest and `above` (the caller's last reserved key, not yet written).
    """
    if count <= 0:
        return []
    if connection.dialect.name == "postgresql":
        rows = await connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table.name, "count": count},
        )
        return [int(r[0]) for r in rows]
    # SQLite: the caller's transaction holds the write lock (BEGIN IMMEDIATE).
    top = await connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    start = max(int(top or 0), above) + 1
    return list(range(start, start + count))


async def insert_rows(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    if not rows:
        return
    defaults = _defaults(table)
    names = [c.name for c in table.columns]
    if connection.dialect.name == "postgresql":
        json_columns = {c.name for c in table.columns if type(c.type).__name__ in JSON_TYPES}
        import orjson

        def value(row: dict[str, Any], name: str) -> Any:
            v = row[name] if name in row else defaults[name]
            if name in json_columns and v is not None:
                return orjson.dumps(v).decode()
            return v

        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.copy_records_to_table(
            table.name,
            records=[tuple(value(row, n) for n in names) for row in rows],
            columns=names,
        )
        return
    full = [{n: (row[n] if n in row else defaults[n]) for n in names} for row in rows]
    await connection.execute(table.insert(), full)


async def update_rows(
    connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """UPDATE table SET <keys> WHERE id = row["id"], for each row (executemany)."""
    if not rows:
        return
    stmt = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({k: bindparam(f"new_{k}") for k in keys})
    )
    params = [{"row_id": r["id"], **{f"new_{k}": r[k] for k in keys}} for r in rows]
    await connection.execute(stmt, params)


async def existing_mids(connection: AsyncConnection) -> set[str]:
    return set((await connection.execute(select(Merchant.mid))).scalars())


async def analyze(connection: AsyncConnection) -> None:
    """Fresh planner statistics after a large load."""
    await connection.execute(text("ANALYZE"))
