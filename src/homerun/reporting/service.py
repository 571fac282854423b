"""The Reporting API's rules: check the request, scope it to the client, stream its items.

`prepare` runs before any database work, so a bad `limit`, `offset` or `q` costs nothing;
`items` then yields the page's items in partitions for the envelope to encode.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import ValidationFailed
from homerun.reporting import q as qfilter
from homerun.reporting import repository
from homerun.reporting.envelope import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from homerun.reporting.sources import SOURCES, Source

MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Prepared:
    source: Source
    page: PageRequest
    query: qfilter.Query

    @property
    def streamed(self) -> bool:
        """Whether the page is read from the database a partition at a time."""
        return self.page.limit + 1 > repository.STREAM_PARTITION


def _whole(name: str, text: str | None, default: int, most: int) -> int:
    if text is None or not text.strip():
        return default
    value = text.strip()
    if not (value.isascii() and value.isdigit()):
        raise ValidationFailed.field(name, "must be a whole number, 0 or more")
    return min(int(value[:12]), most)


def prepare(endpoint: str, q: str | None, limit: str | None, offset: str | None) -> Prepared:
    """The checked request; a larger limit than 10,000 is read as 10,000 (R9)."""
    source = SOURCES[endpoint]
    page = PageRequest(
        limit=_whole("limit", limit, DEFAULT_LIMIT, MAX_LIMIT),
        offset=_whole("offset", offset, 0, MAX_OFFSET),
        q=q if q and q.strip() else None,
    )
    return Prepared(source, page, qfilter.parse(q, source.fields))


@dataclass(frozen=True)
class Page:
    """The page's items in partitions; `streamed` when they are still being read."""

    chunks: AsyncIterator[list[dict[str, Any]]]
    streamed: bool


async def _nothing() -> AsyncIterator[list[dict[str, Any]]]:
    none: tuple[list[dict[str, Any]], ...] = ()
    for chunk in none:  # an async generator that yields nothing
        yield chunk


async def items(session: AsyncSession, client_pk: int, prepared: Prepared) -> Page:
    """The page's items (limit + 1 at most); only the client's merchants' rows."""
    merchants = await repository.client_merchants(session, client_pk)
    statement = (
        repository.page_statement(
            prepared.source,
            prepared.query,
            merchants,
            prepared.page.limit,
            prepared.page.offset,
        )
        if merchants
        else None
    )
    if statement is None:
        return Page(_nothing(), False)
    mid_of: Mapping[int, str] = {pk: mid for mid, pk in merchants.items()}
    build = prepared.source.build
    opened = await repository.open_page(session, statement, prepared.page.limit + 1)
    rows = repository.partitions(opened)

    async def built() -> AsyncIterator[list[dict[str, Any]]]:
        async for partition in rows:
            yield [build(row, mid_of[row["merchant_id"]]) for row in partition]

    return Page(built(), prepared.streamed)
