"""The payments list as CSV: the same search as the list, every match, streamed.

The rows are read a keyset page at a time, each page in a short transaction of its own,
newest first: nothing holds the table (or a transaction, or SQLite's write lock) while a
slow client downloads, and memory stays that of one page whatever the result holds.
Money is in the wire form (dollar strings, "12.34"); a cell a spreadsheet would read as a
formula is neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC
from typing import Any

from sqlalchemy import Row

from homerun.kit.db.engine import Database
from homerun.kit.money import to_dollars
from homerun.payments import lookup
from homerun.payments.lookup import Search

PAGE_ROWS = 500
HEADER = (
    "trans_id",
    "created_at",
    "kind",
    "status",
    "currency",
    "amount_requested",
    "amount_authorized",
    "amount_captured",
    "amount_refunded",
    "surcharge",
    "card_brand",
    "last_four",
    "order_id",
    "invoice_id",
    "customer",
    "name",
    "email",
    "auth_code",
    "resp_code",
    "resp_text",
    "batch_id",
    "refund_of",
)
# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: str) -> str:
    """The cell as text a spreadsheet will not evaluate: a leading ' when it could be."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _cells(row: Row[Any]) -> list[str]:
    holder = row.holder or {}
    values: list[object] = [
        row.id,
        row.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),  # the wire's trans_date
        row.kind.value,
        row.state.value,
        row.currency,
        to_dollars(row.amount_requested),
        to_dollars(row.amount_authorized),
        to_dollars(row.amount_captured),
        to_dollars(row.amount_refunded),
        to_dollars(row.fee_amount),
        row.card_brand,
        row.last_four,
        row.order_id,
        row.invoice_id,
        row.vault_holder_id,
        holder.get("name"),
        holder.get("email"),
        row.auth_code,
        row.resp_code,
        row.resp_text,
        row.batch_id,
        row.parent_id,
    ]
    return [safe("" if v is None else str(v)) for v in values]


def _encoded(rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


async def lines(db: Database, merchant_id: int, wanted: Search) -> AsyncIterator[bytes]:
    """The header, then one chunk of CSV per page of matching payments (from the newest,
    whatever page of the list the export was asked from)."""
    yield _encoded([HEADER])
    page = replace(wanted, before=None)
    while True:
        async with db.transaction() as session:
            rows = await lookup.export_page(session, merchant_id, page, PAGE_ROWS)
        if rows:
            yield _encoded([_cells(row) for row in rows])
        if len(rows) < PAGE_ROWS:
            return
        page = replace(page, before=(rows[-1].created_at, rows[-1].id))
