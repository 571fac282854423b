"""Read-only look-ups of a merchant's transactions for people (the dashboard): one
aggregate for the home page's figures, and a keyset-paged search.

Every query is scoped to one merchant and walks an index led by merchant_id:
(merchant_id, created_at, id) for time ranges and paging, and one per exact search people
make: (merchant_id, order_id), (merchant_id, invoice_id), (merchant_id, last_four,
created_at, id), (merchant_id, amount_requested, created_at, id) and (merchant_id,
vault_holder_id, created_at, id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from homerun.payments.models import Transaction
from homerun.payments.state import Kind, Result, State

_PAYMENT_KINDS = (Kind.SALE, Kind.AUTH)


@dataclass(frozen=True, slots=True)
class Figures:
    """Money in minor units; counts of approved and of answered (approved or declined)."""

    today_volume: int
    today_count: int
    month_volume: int
    month_count: int  # approved payments
    month_answered: int
    month_refunds: int
    month_refund_count: int


async def figures(
    session: AsyncSession, merchant_id: int, day_start: datetime, month_start: datetime
) -> Figures:
    """Today's and this month's volume, approvals and refunds: one pass over the month's
    rows (`day_start` is within the month, or the month began today)."""
    t = Transaction
    payment = t.kind.in_(_PAYMENT_KINDS)
    approved = and_(payment, t.result == Result.APPROVED)
    today = t.created_at >= day_start
    refund = and_(t.kind == Kind.REFUND, t.result == Result.APPROVED)

    def total(
        condition: ColumnElement[bool], value: ColumnElement[int] | InstrumentedAttribute[int]
    ) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return total(condition, literal(1))

    start = min(day_start, month_start)
    row = (
        await session.execute(
            select(
                total(and_(approved, today), t.amount_captured),
                count(and_(approved, today)),
                total(approved, t.amount_captured),
                count(approved),
                count(and_(payment, t.result.in_((Result.APPROVED, Result.DECLINED)))),
                total(refund, t.amount_captured),
                count(refund),
            ).where(t.merchant_id == merchant_id, t.created_at >= start)
        )
    ).one()
    values = [int(v) for v in row]
    return Figures(*values)


@dataclass(frozen=True, slots=True)
class Search:
    last_four: str | None = None
    order_id: str | None = None
    invoice_id: str | None = None
    vault_holder_id: str | None = None  # the customer: a vault holder's id
    amount: int | None = None  # minor units, the amount asked for (amount_requested)
    states: tuple[State, ...] = ()
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    # The keyset: rows strictly older than this (created_at, id), newest first.
    before: tuple[datetime, int] | None = None


async def search(
    session: AsyncSession, merchant_id: int, wanted: Search, limit: int
) -> Sequence[Transaction]:
    """A page of the merchant's transactions, newest first; ask for one more than a page to
    know whether another follows."""
    query = select(Transaction).where(*_conditions(merchant_id, wanted))
    return (await session.scalars(_newest_first(query, limit))).all()


def _conditions(merchant_id: int, wanted: Search) -> list[ColumnElement[bool]]:
    t = Transaction
    found: list[ColumnElement[bool]] = [t.merchant_id == merchant_id]
    for column, value in (
        (t.last_four, wanted.last_four),
        (t.order_id, wanted.order_id),
        (t.invoice_id, wanted.invoice_id),
        (t.vault_holder_id, wanted.vault_holder_id),
    ):
        if value:
            found.append(column == value)
    if wanted.amount is not None:
        found.append(t.amount_requested == wanted.amount)
    if wanted.states:
        found.append(t.state.in_(wanted.states))
    if wanted.since is not None:
        found.append(t.created_at >= wanted.since)
    if wanted.until is not None:
        found.append(t.created_at < wanted.until)
    if wanted.before is not None:
        at, key = wanted.before
        # The first bound is implied by the second, and is what lets both planners start
        # the index scan at the cursor: without it they walk from the newest row and
        # filter (a page a million rows deep took seconds).
        found.append(t.created_at <= at)
        found.append(or_(t.created_at < at, and_(t.created_at == at, t.id < key)))
    return found


def _newest_first(query: Select[Any], limit: int) -> Select[Any]:
    t = Transaction
    return query.order_by(t.created_at.desc(), t.id.desc()).limit(limit)


# What an export writes of each payment: plain columns read as tuples (no ORM objects).
EXPORT_COLUMNS = (
    Transaction.id,
    Transaction.created_at,
    Transaction.kind,
    Transaction.state,
    Transaction.currency,
    Transaction.amount_requested,
    Transaction.amount_authorized,
    Transaction.amount_captured,
    Transaction.amount_refunded,
    Transaction.fee_amount,
    Transaction.card_brand,
    Transaction.last_four,
    Transaction.order_id,
    Transaction.invoice_id,
    Transaction.vault_holder_id,
    Transaction.holder,
    Transaction.auth_code,
    Transaction.resp_code,
    Transaction.resp_text,
    Transaction.batch_id,
    Transaction.parent_id,
)


async def export_page(
    session: AsyncSession, merchant_id: int, wanted: Search, limit: int
) -> Sequence[Row[Any]]:
    """Up to `limit` rows of EXPORT_COLUMNS, newest first, on the same keyset as `search`:
    an export walks the whole result a page at a time, each page its own short query."""
    query = select(*EXPORT_COLUMNS).where(*_conditions(merchant_id, wanted))
    rows: Sequence[Row[Any]] = (await session.execute(_newest_first(query, limit))).all()
    return rows


async def refunds_of(
    session: AsyncSession, merchant_id: int, parent_id: int
) -> Sequence[Transaction]:
    t = Transaction
    query = (
        select(t)
        .where(t.merchant_id == merchant_id, t.parent_id == parent_id)
        .order_by(t.created_at, t.id)
    )
    return (await session.scalars(query)).all()


async def in_batch(session: AsyncSession, merchant_id: int, batch_id: str) -> Sequence[Transaction]:
    """The sales and refunds a settlement batch closed (on the batch_id index), in order."""
    t = Transaction
    query = select(t).where(t.batch_id == batch_id, t.merchant_id == merchant_id).order_by(t.id)
    return (await session.scalars(query)).all()


async def volume_by_merchant(
    session: AsyncSession, merchant_ids: Sequence[int], since: datetime
) -> dict[int, tuple[int, int]]:
    """Approved payments' volume and count since `since`, per merchant: one grouped query
    (a partner's merchants page); a merchant without any is left out."""
    if not merchant_ids:
        return {}
    t = Transaction
    rows = await session.execute(
        select(t.merchant_id, func.coalesce(func.sum(t.amount_captured), 0), func.count(t.id))
        .where(
            t.merchant_id.in_(list(merchant_ids)),
            t.created_at >= since,
            t.kind.in_(_PAYMENT_KINDS),
            t.result == Result.APPROVED,
        )
        .group_by(t.merchant_id)
    )
    return {int(m): (int(volume), int(count)) for m, volume, count in rows}
