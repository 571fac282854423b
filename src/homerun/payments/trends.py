"""Read-only aggregates of a merchant's payments over time, for the dashboard's charts.

Both queries group in the database and return one row per day or per brand, never the
transactions. Days are the caller's (the merchant's local midnights, as UTC instants), so a
day is right across a change of daylight saving time on either database: each row is put
in its day by a CASE over those boundaries, not by a database's time-zone functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from homerun.payments.models import Transaction
from homerun.payments.state import Kind, PaymentMethod, Result

_PAYMENT_KINDS = (Kind.SALE, Kind.AUTH)
ACH = "ach"  # the brand of an ACH payment in `by_brand`


@dataclass(frozen=True, slots=True)
class Day:
    """One day: approved volume (minor units), approved and answered payments."""

    volume: int
    approved: int
    answered: int  # approved or declined


@dataclass(frozen=True, slots=True)
class Brand:
    brand: str  # a card brand as stored ("visa"), "card" when unknown, or "ach"
    volume: int
    count: int


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


async def daily(
    session: AsyncSession, merchant_id: int, boundaries: Sequence[datetime]
) -> list[Day]:
    """One Day per interval between consecutive `boundaries` (ascending instants), in order;
    a day without payments is all zeros."""
    t = Transaction
    if len(boundaries) < 2:
        return []
    whens = [(t.created_at < end, index) for index, end in enumerate(boundaries[1:])]
    answered = t.result.in_((Result.APPROVED, Result.DECLINED))
    approved = t.result == Result.APPROVED
    rows = (
        select(
            case(*whens, else_=literal(-1)).label("day"),
            case((approved, t.amount_captured), else_=0).label("volume"),
            _flag(approved).label("approved"),
            _flag(answered).label("answered"),
        )
        .where(
            t.merchant_id == merchant_id,
            t.created_at >= boundaries[0],
            t.created_at < boundaries[-1],
            t.kind.in_(_PAYMENT_KINDS),
        )
        .subquery()
    )
    grouped = select(
        rows.c.day,
        func.coalesce(func.sum(rows.c.volume), 0),
        func.coalesce(func.sum(rows.c.approved), 0),
        func.coalesce(func.sum(rows.c.answered), 0),
    ).group_by(rows.c.day)
    days = [Day(0, 0, 0) for _ in boundaries[1:]]
    for index, volume, approved_count, answered_count in (await session.execute(grouped)).all():
        if 0 <= index < len(days):
            days[index] = Day(int(volume), int(approved_count), int(answered_count))
    return days


async def by_brand(
    session: AsyncSession, merchant_id: int, since: datetime, until: datetime
) -> list[Brand]:
    """Approved volume per card brand, and ACH, in [since, until): largest first."""
    t = Transaction
    brand = case(
        (t.payment_method == PaymentMethod.ACH, literal(ACH)),
        else_=func.lower(func.coalesce(t.card_brand, literal("card"))),
    ).label("brand")
    rows = (
        select(brand, t.amount_captured.label("volume"))
        .where(
            and_(
                t.merchant_id == merchant_id,
                t.created_at >= since,
                t.created_at < until,
                t.kind.in_(_PAYMENT_KINDS),
                t.result == Result.APPROVED,
            )
        )
        .subquery()
    )
    volume = func.coalesce(func.sum(rows.c.volume), 0)
    grouped = (
        select(rows.c.brand, volume, func.count())
        .group_by(rows.c.brand)
        .order_by(volume.desc(), rows.c.brand)
    )
    return [Brand(str(b), int(v), int(n)) for b, v, n in (await session.execute(grouped)).all()]
