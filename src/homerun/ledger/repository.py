"""All SQL for ledger entries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    String,
    and_,
    cast,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.db.base import UTCDateTime
from homerun.ledger.accounts import Account, Kind
from homerun.ledger.models import LedgerEntry

# The unfunded merchant_payable lines, written exactly as the partial index
# ix_ledger_entries_unfunded states it (literals, not parameters) so that both
# databases use that index.
UNFUNDED: ColumnElement[bool] = and_(
    LedgerEntry.deposit_id.is_(None),
    LedgerEntry.account == literal_column(f"'{Account.MERCHANT_PAYABLE.value}'"),
)


def add_entries(session: AsyncSession, entries: Iterable[LedgerEntry]) -> None:
    session.add_all(list(entries))


async def post_adjustments(
    session: AsyncSession,
    source: Select[int, int, str, int],
    *,
    posted_at: datetime,
    available_on: date,
) -> None:
    """The journal of each adjustment row (id, merchant_id, currency, amount) of `source`,
    set-based: two INSERT ... SELECT, balanced by construction (the payable line is minus
    the income line), however many merchants a month-end run charges."""
    rows = source.subquery("adjustment")
    adjustment_id, merchant_id, currency, amount = rows.c
    for account, sign, available in (
        (Account.MERCHANT_PAYABLE, -1, literal(available_on, Date())),
        (Account.PROCESSOR_INCOME, 1, cast(null(), Date())),
    ):
        lines = select(
            merchant_id,
            currency,
            literal("adjustment:") + cast(adjustment_id, String),
            literal(Kind.ADJUSTMENT.value, String),
            literal(account.value, String),
            amount * sign,
            literal(posted_at, UTCDateTime()),
            available,
            adjustment_id,
        ).where(true())
        columns = [
            "merchant_id", "currency", "journal", "kind", "account", "amount", "posted_at",
            "available_on", "adjustment_id",
        ]  # fmt: skip
        await session.execute(insert(LedgerEntry).from_select(columns, lines))


async def sweep(
    session: AsyncSession,
    merchant_id: int,
    deposit_id: int,
    *,
    batch_id: str | None = None,
    loose_posted_by: datetime | None = None,
    loose_available_by: date | None = None,
) -> int:
    """Mark a merchant's unfunded payable lines as paid by a deposit; returns how many.

    With `batch_id`: that batch's lines. Otherwise the lines of no batch (chargebacks,
    reversals, adjustments) posted by a moment, or available for funding by a date.
    """
    where = [UNFUNDED, LedgerEntry.merchant_id == merchant_id]
    if batch_id is not None:
        where.append(LedgerEntry.batch_id == batch_id)
    else:
        where.append(LedgerEntry.batch_id.is_(None))
        if loose_posted_by is not None:
            where.append(LedgerEntry.posted_at <= loose_posted_by)
        if loose_available_by is not None:
            where.append(LedgerEntry.available_on <= loose_available_by)
    result = await session.execute(
        update(LedgerEntry)
        .where(*where)
        .values(deposit_id=deposit_id)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def has_loose_unfunded(session: AsyncSession, merchant_id: int, available_by: date) -> bool:
    stmt = (
        select(LedgerEntry.id)
        .where(
            UNFUNDED,
            LedgerEntry.merchant_id == merchant_id,
            LedgerEntry.batch_id.is_(None),
            LedgerEntry.available_on <= available_by,
        )
        .limit(1)
    )
    return (await session.scalar(stmt)) is not None


async def payable_by_kind(session: AsyncSession, deposit_id: int) -> dict[str, int]:
    """Sum of the payable lines a deposit swept, per movement kind (debit positive)."""
    stmt = (
        select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount), 0))
        .where(
            LedgerEntry.deposit_id == deposit_id,
            LedgerEntry.account == Account.MERCHANT_PAYABLE.value,
            LedgerEntry.kind != Kind.DEPOSIT.value,
        )
        .group_by(LedgerEntry.kind)
    )
    return {kind: int(total) for kind, total in (await session.execute(stmt)).all()}


async def swept_sources(session: AsyncSession, deposit_id: int) -> list[tuple[str, int | None]]:
    """(kind, chargeback_id or adjustment_id) of the loose lines a deposit swept."""
    stmt = select(
        LedgerEntry.kind, func.coalesce(LedgerEntry.chargeback_id, LedgerEntry.adjustment_id)
    ).where(
        LedgerEntry.deposit_id == deposit_id,
        LedgerEntry.batch_id.is_(None),
        LedgerEntry.kind != Kind.DEPOSIT.value,
    )
    return [(kind, source) for kind, source in (await session.execute(stmt)).all()]


async def totals(session: AsyncSession, merchant_id: int) -> dict[tuple[str, str], int]:
    """Sum of a merchant's lines per (kind, account)."""
    stmt = (
        select(LedgerEntry.kind, LedgerEntry.account, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.merchant_id == merchant_id)
        .group_by(LedgerEntry.kind, LedgerEntry.account)
    )
    return {(k, a): int(t) for k, a, t in (await session.execute(stmt)).all()}


async def unbalanced_journals(session: AsyncSession, merchant_id: int) -> list[str]:
    stmt = (
        select(LedgerEntry.journal)
        .where(LedgerEntry.merchant_id == merchant_id)
        .group_by(LedgerEntry.journal, LedgerEntry.currency)
        .having(func.sum(LedgerEntry.amount) != 0)
    )
    return list((await session.execute(stmt)).scalars())
