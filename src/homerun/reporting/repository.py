"""All SQL of the Reporting API: one paged, streamed query over a `Source` (sources.py).

Tenancy: every page is scoped to the merchant ids that `merchant_ids_of` (the one tenancy
filter, in the OAuth package) yields for the client, read in the page's own transaction and
written into the query as literal ids. Literal ids let PostgreSQL estimate the rows exactly and
walk the (merchant_id, time, id) index in order for one merchant; the subquery itself, beside
them, made it misjudge multi-merchant pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from sqlalchemy import RowMapping, Select, select
from sqlalchemy.ext.asyncio import AsyncResult, AsyncSession

from homerun.merchants.models import Merchant
from homerun.oauth.repository import merchant_ids_of
from homerun.reporting.q import NULLS, And, Cond, Domain, Query, compile_filter, python_test
from homerun.reporting.q import order_columns as q_order_columns
from homerun.reporting.sources import Source

STREAM_PARTITION = 500


# --------------------------------------------------------------------------- the query


def _merchant_ids(query: Query, merchants: Mapping[str, int]) -> list[int]:
    """The client's merchant ids, narrowed by the `mid` conditions that AND the whole filter."""
    ids = set(merchants.values())
    where = query.where
    conditions = where.parts if isinstance(where, And) else (where,) if where else ()
    domain = Domain(tuple(merchants.items()))
    for cond in conditions:
        if isinstance(cond, Cond) and cond.field == "mid" and cond.op not in NULLS:
            ids &= set(domain.stored_where(python_test(cond.op, cond.value)))
    return sorted(ids)


def _index_order(source: Source, query: Query) -> bool | None:
    """Whether the page walks the (merchant, time, id) index: None if not, else descending."""
    if not query.order_by:
        return False
    if len(query.order_by) == 1 and query.order_by[0][0] == source.time_field:
        return query.order_by[0][1]
    return None


def page_statement(
    source: Source,
    query: Query,
    merchants: Mapping[str, int],
    limit: int,
    offset: int,
) -> Select[Any] | None:
    """The page (limit + 1 rows, so that hasMore needs no count), or None if it must be empty.

    In the default order (time, id), or by the time field alone either way, a page for one
    merchant is one range scan of the (merchant_id, time, id) index, and a page over many
    merchants walks the (time, id) index of transactions keeping the client's rows (or, when
    the client's rows are few, the planner reads them all by merchant and sorts them): either
    way a fixed page reads about offset + limit rows whatever the table holds.
    """
    domains = {**source.domains, "mid": Domain(tuple(merchants.items()))}
    ids = _merchant_ids(query, merchants)
    if not ids:
        return None
    scope = source.merchant_column
    where = (compile_filter(query.where, source.columns, domains),)
    descending = _index_order(source, query)
    if descending is None:
        order = q_order_columns(query.order_by, source.columns, domains)
        last = query.order_by[-1][1]
        order.append(source.tie_breaker.desc() if last else source.tie_breaker.asc())
    else:
        keys = (source.default_order, source.tie_breaker)
        order = [k.desc() if descending else k.asc() for k in keys]
    tenancy = scope == ids[0] if len(ids) == 1 else scope.in_(ids)
    return (
        select(*source.selected)
        .select_from(source.table)
        .where(tenancy, *where)
        .order_by(*order)
        .limit(limit + 1)
        .offset(offset)
    )


async def open_page(
    session: AsyncSession, statement: Select[Any], rows: int
) -> Sequence[RowMapping] | AsyncResult[Any]:
    """Run the page's query. A page of up to STREAM_PARTITION rows is read at once; a larger
    one comes back as an open result read a partition at a time, never all at once."""
    if rows <= STREAM_PARTITION:
        page: Sequence[RowMapping] = (await session.execute(statement)).mappings().all()
        return page
    result: AsyncResult[Any] = await session.stream(
        statement.execution_options(yield_per=STREAM_PARTITION)
    )
    return result


async def partitions(
    opened: Sequence[RowMapping] | AsyncResult[Any],
) -> AsyncIterator[Sequence[RowMapping]]:
    if not isinstance(opened, AsyncResult):
        yield opened
        return
    try:
        async for partition in opened.mappings().partitions():
            yield partition
    finally:
        await opened.close()


async def client_merchants(session: AsyncSession, client_pk: int) -> dict[str, int]:
    """mid -> merchant id of every merchant the client is bound to: the page's tenancy."""
    stmt = select(Merchant.mid, Merchant.id).where(Merchant.id.in_(merchant_ids_of(client_pk)))
    return {mid: pk for mid, pk in (await session.execute(stmt)).all()}
