"""All SQL for settlement's own tables (batches, deposits, chargebacks, adjustments) and
the reads settlement makes of others.

Writes to other packages' tables go through their owners, still one set-based statement
each: transactions settle and lapse in payments.settlement_marks, a slot's fan-out jobs
are inserted by worker.repository from the query written here, month-end fee journals
by ledger.repository. Nothing that touches many rows is loaded into memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Select,
    String,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.db.base import UTCDateTime
from homerun.ledger.models import LedgerEntry
from homerun.ledger.repository import UNFUNDED
from homerun.merchants.models import Merchant
from homerun.merchants.state import MerchantStatus
from homerun.payments.models import Transaction
from homerun.payments.settlement_marks import OPEN_TRANSACTION
from homerun.payments.state import PaymentMethod, State
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit
from homerun.worker import repository as jobs

# ---------------------------------------------------------------- merchants


async def cutoff_zones(session: AsyncSession) -> list[tuple[str, str]]:
    stmt = select(Merchant.batch_cutoff, Merchant.timezone).distinct()
    return [(c, z) for c, z in (await session.execute(stmt)).all()]


async def slot_in_use(session: AsyncSession, cutoff: str | None, timezone: str) -> bool:
    stmt = select(Merchant.id).where(Merchant.timezone == timezone).limit(1)
    if cutoff is not None:
        stmt = stmt.where(Merchant.batch_cutoff == cutoff)
    return (await session.scalar(stmt)) is not None


async def merchant(session: AsyncSession, merchant_id: int) -> Merchant | None:
    return await session.get(Merchant, merchant_id)


# ---------------------------------------------------------------- batches


async def open_captured_net(session: AsyncSession, merchant_id: int) -> int:
    """Captured sales minus captured refunds not yet in a batch (gross)."""
    gross = Transaction.amount_captured + Transaction.fee_amount
    signed = case((Transaction.kind == "refund", -gross), else_=gross)
    stmt = select(func.coalesce(func.sum(signed), 0)).where(
        OPEN_TRANSACTION,
        Transaction.merchant_id == merchant_id,
        Transaction.state == State.CAPTURED.value,
    )
    return int(await session.scalar(stmt) or 0)


@dataclass(frozen=True, slots=True)
class BatchTotals:
    sale_count: int
    sale_amount: int
    refund_count: int
    refund_amount: int
    processing_fee: int


async def batch_totals(
    session: AsyncSession, batch_id: str, rate_bps: int, fixed_fee: int
) -> BatchTotals:
    """Gross sales and refunds of a batch, and its processing fee: per sale, the rate on
    the gross rounded half up to the cent, plus the fixed fee."""
    gross = Transaction.amount_captured + Transaction.fee_amount
    is_refund = Transaction.kind == "refund"
    fee_each = (gross * rate_bps + 5000) // 10000 + fixed_fee
    stmt = select(
        func.coalesce(func.sum(case((is_refund, 0), else_=1)), 0),
        func.coalesce(func.sum(case((is_refund, 0), else_=gross)), 0),
        func.coalesce(func.sum(case((is_refund, 1), else_=0)), 0),
        func.coalesce(func.sum(case((is_refund, gross), else_=0)), 0),
        func.coalesce(func.sum(case((is_refund, 0), else_=fee_each)), 0),
    ).where(Transaction.batch_id == batch_id)
    row = (await session.execute(stmt)).one()
    return BatchTotals(*(int(value) for value in row))


async def chargeback_plans(session: AsyncSession, batch_id: str) -> list[int]:
    """The distinct delays (days) of the simulator's planned chargebacks in a batch."""
    stmt = (
        select(Transaction.chargeback_after_days)
        .where(
            Transaction.batch_id == batch_id,
            Transaction.chargeback_after_days.is_not(None),
            Transaction.kind != "refund",
        )
        .distinct()
    )
    return sorted(int(d) for d in (await session.execute(stmt)).scalars() if d is not None)


async def planned_chargebacks(
    session: AsyncSession, batch_id: str, days: int, after_id: int, limit: int
) -> list[int]:
    """A page of the batch's transactions due to draw a chargeback after `days` days."""
    stmt = (
        select(Transaction.id)
        .where(
            Transaction.batch_id == batch_id,
            Transaction.chargeback_after_days == days,
            Transaction.kind != "refund",
            Transaction.id > after_id,
            ~exists(select(Chargeback.id).where(Chargeback.transaction_id == Transaction.id)),
        )
        .order_by(Transaction.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def transaction_for_update(session: AsyncSession, txn_id: int) -> Transaction | None:
    stmt = select(Transaction).where(Transaction.id == txn_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def unfunded_batches(session: AsyncSession, merchant_id: int, day: date) -> Sequence[Batch]:
    stmt = (
        select(Batch)
        .where(
            Batch.merchant_id == merchant_id,
            Batch.funding_master_id.is_(None),
            Batch.deposit_date <= day,
        )
        .order_by(Batch.closed_at, Batch.id)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalars().all()


# ---------------------------------------------------------------- fan-outs


async def schedule_closes(
    session: AsyncSession,
    cutoff: str,
    timezone: str,
    cutoff_at: datetime,
    now: datetime,
    kind: str,
) -> int:
    """One close job per merchant of the slot that has captured transactions or
    authorizations past their expiry."""
    key = literal("close|") + cast(Transaction.merchant_id, String) + f"|{cutoff_at.isoformat()}"
    due_work = (Transaction.state == State.CAPTURED.value) | (
        (Transaction.state == State.AUTHORIZED.value)
        & (Transaction.authorization_expires_at <= now)
    )
    source = (
        select(Transaction.merchant_id, key.label("key"))
        .join(Merchant, Merchant.id == Transaction.merchant_id)
        .where(
            OPEN_TRANSACTION,
            due_work,
            Merchant.batch_cutoff == cutoff,
            Merchant.timezone == timezone,
        )
        .distinct()
    )
    payload = {"cutoff_at": cutoff_at.isoformat()}
    return await jobs.add_per_row(
        session, source, kind=kind, payload=payload, due_at=cutoff_at, now=now
    )


async def schedule_fundings(
    session: AsyncSession, timezone: str, day: date, due: datetime, now: datetime, kind: str
) -> int:
    """One funding job per merchant of the zone with payable lines fundable by `day`."""
    key = literal("fund|") + cast(LedgerEntry.merchant_id, String) + f"|{day.isoformat()}"
    source = (
        select(LedgerEntry.merchant_id, key.label("key"))
        .join(Merchant, Merchant.id == LedgerEntry.merchant_id)
        .where(UNFUNDED, LedgerEntry.available_on <= day, Merchant.timezone == timezone)
        .distinct()
    )
    payload = {"day": day.isoformat()}
    return await jobs.add_per_row(session, source, kind=kind, payload=payload, due_at=due, now=now)


# ---------------------------------------------------------------- adjustments


async def monthly_fees(
    session: AsyncSession,
    *,
    timezone: str,
    reference: str,
    reason: str,
    at: datetime,
    period_end: datetime,
) -> int:
    """The month's account fee for every active merchant of the zone, once each."""
    already = exists(
        select(Adjustment.id).where(
            Adjustment.merchant_id == Merchant.id, Adjustment.reference == reference
        )
    )
    when = literal(at, UTCDateTime())
    source = select(
        Merchant.id,
        Merchant.currency,
        -Merchant.monthly_fee,
        literal("monthly_fee", String),
        literal(reason, String),
        when,
        literal(reference, String),
        literal("system", String),
        when,
    ).where(
        Merchant.timezone == timezone,
        Merchant.status == MerchantStatus.ACTIVE,
        Merchant.monthly_fee > 0,
        Merchant.created_at < period_end,
        ~already,
    )
    columns = [
        "merchant_id",
        "currency",
        "amount",
        "adjustment_type",
        "adjustment_reason",
        "adjustment_date",
        "reference",
        "created_by",
        "created_at",
    ]
    result = await session.execute(insert(Adjustment).from_select(columns, source))
    return int(getattr(result, "rowcount", 0) or 0)


async def funding_delays(session: AsyncSession, timezone: str) -> list[int]:
    stmt = select(Merchant.funding_delay_days).where(Merchant.timezone == timezone).distinct()
    return [int(d) for d in (await session.execute(stmt)).scalars()]


def monthly_fees_made(
    timezone: str, delay: int, reference: str, at: datetime
) -> Select[int, int, str, int]:
    """The month-end fees just made for the zone's merchants of one funding delay, as
    (id, merchant_id, currency, amount): what the ledger posts (ledger.repository)."""
    return (
        select(Adjustment.id, Adjustment.merchant_id, Adjustment.currency, Adjustment.amount)
        .join(Merchant, Merchant.id == Adjustment.merchant_id)
        .where(
            Adjustment.reference == reference,
            Adjustment.adjustment_date == literal(at, UTCDateTime()),
            Merchant.timezone == timezone,
            Merchant.funding_delay_days == delay,
        )
    )


# ---------------------------------------------------------------- funding ids


async def mark_funded(
    session: AsyncSession,
    *,
    funding_master_id: str,
    funded_at: datetime,
    batch_id: str | None,
    adjustment_ids: list[int],
    chargeback_ids: list[int],
    reversal_ids: list[int],
) -> None:
    """Copy a deposit's funding id onto what it carried (lists are a deposit's few items)."""
    if batch_id is not None:
        await session.execute(
            update(Batch)
            .where(Batch.batch_id == batch_id)
            .values(funding_master_id=funding_master_id, funded_at=funded_at)
            .execution_options(synchronize_session=False)
        )
    if adjustment_ids:
        await session.execute(
            update(Adjustment)
            .where(Adjustment.id.in_(adjustment_ids))
            .values(funding_master_id=funding_master_id)
            .execution_options(synchronize_session=False)
        )
    if chargeback_ids:
        await session.execute(
            update(Chargeback)
            .where(Chargeback.id.in_(chargeback_ids))
            .values(funding_master_id=funding_master_id)
            .execution_options(synchronize_session=False)
        )
    if reversal_ids:
        await session.execute(
            update(Chargeback)
            .where(Chargeback.id.in_(reversal_ids))
            .values(reversal_funding_master_id=funding_master_id)
            .execution_options(synchronize_session=False)
        )


# ---------------------------------------------------------------- chargebacks


async def chargeback_for_update(session: AsyncSession, chargeback_id: int) -> Chargeback | None:
    stmt = select(Chargeback).where(Chargeback.id == chargeback_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def chargeback_of(session: AsyncSession, txn_id: int) -> Chargeback | None:
    stmt = select(Chargeback).where(Chargeback.transaction_id == txn_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def case_number_exists(session: AsyncSession, case_number: str) -> bool:
    stmt = select(Chargeback.id).where(Chargeback.case_number == case_number)
    return (await session.scalar(stmt)) is not None


# ---------------------------------------------------------------- admin pages


async def page_of(
    session: AsyncSession, model: Any, merchant_id: int, after_id: int, limit: int
) -> Sequence[Any]:
    stmt = (
        select(model)
        .where(model.merchant_id == merchant_id, model.id > after_id)
        .order_by(model.id)
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def add(session: AsyncSession, row: Batch | Deposit | Chargeback | Adjustment) -> None:
    session.add(row)
    await session.flush()


# ---------------------------------------------------------------- a merchant's deposits


async def deposits_newest(
    session: AsyncSession, merchant_id: int, before_id: int | None, limit: int
) -> Sequence[Deposit]:
    stmt = select(Deposit).where(Deposit.merchant_id == merchant_id)
    if before_id is not None:
        stmt = stmt.where(Deposit.id < before_id)
    return (await session.execute(stmt.order_by(Deposit.id.desc()).limit(limit))).scalars().all()


async def deposit_of(
    session: AsyncSession, merchant_id: int, funding_master_id: str
) -> Deposit | None:
    stmt = select(Deposit).where(
        Deposit.merchant_id == merchant_id, Deposit.funding_master_id == funding_master_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def chargebacks_funded_by(
    session: AsyncSession, merchant_id: int, funding_master_id: str
) -> Sequence[Chargeback]:
    """Chargebacks whose debit, or whose credit back when won, a deposit carried."""
    stmt = (
        select(Chargeback)
        .where(
            Chargeback.merchant_id == merchant_id,
            (Chargeback.funding_master_id == funding_master_id)
            | (Chargeback.reversal_funding_master_id == funding_master_id),
        )
        .order_by(Chargeback.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def adjustments_funded_by(
    session: AsyncSession, merchant_id: int, funding_master_id: str
) -> Sequence[Adjustment]:
    stmt = (
        select(Adjustment)
        .where(
            Adjustment.merchant_id == merchant_id,
            Adjustment.funding_master_id == funding_master_id,
        )
        .order_by(Adjustment.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def batch_of(session: AsyncSession, merchant_id: int, batch_id: str) -> Batch | None:
    stmt = select(Batch).where(Batch.batch_id == batch_id, Batch.merchant_id == merchant_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def deposits_by_id(
    session: AsyncSession, merchant_id: int, funding_master_ids: Sequence[str]
) -> dict[str, Deposit]:
    if not funding_master_ids:
        return {}
    stmt = select(Deposit).where(
        Deposit.merchant_id == merchant_id, Deposit.funding_master_id.in_(funding_master_ids)
    )
    return {d.funding_master_id: d for d in (await session.execute(stmt)).scalars()}


# ---------------------------------------------------------------- ACH in the books


def _booked_batches(merchant_id: int) -> Select[str]:
    return select(Batch.batch_id).where(Batch.merchant_id == merchant_id)


async def ach_batches_to_post(
    session: AsyncSession, merchant_id: int
) -> list[tuple[str, datetime | None]]:
    """The merchant's ACH batches that the bank is done settling (no payment of theirs is
    still only originated) and that have no settlement batch yet: (batch_id, when the last
    of them settled; None when every one was returned before settling)."""
    still_out = case((Transaction.state == State.ORIGINATED.value, 1), else_=0)
    stmt = (
        select(Transaction.batch_id, func.max(Transaction.settled_at))
        .where(
            Transaction.merchant_id == merchant_id,
            Transaction.payment_method == PaymentMethod.ACH.value,
            Transaction.batch_id.is_not(None),
            Transaction.batch_id.not_in(_booked_batches(merchant_id)),
        )
        .group_by(Transaction.batch_id)
        .having(func.sum(still_out) == 0)
        .order_by(Transaction.batch_id)
    )
    return [(str(b), settled) for b, settled in (await session.execute(stmt)).all()]


@dataclass(frozen=True, slots=True)
class AchReturnToBook:
    trans_id: int
    amount: int
    return_code: str


async def ach_returns_to_book(session: AsyncSession, merchant_id: int) -> list[AchReturnToBook]:
    """The merchant's returned ACH payments whose batch is in the books and whose return
    is not: no ACH_RETURN adjustment names them yet."""
    reference = literal("ACH_RETURN:") + cast(Transaction.id, String)
    booked = exists().where(
        Adjustment.merchant_id == merchant_id, Adjustment.reference == reference
    )
    stmt = (
        select(
            Transaction.id,
            Transaction.amount_captured + Transaction.fee_amount,
            Transaction.ach_return_code,
        )
        .where(
            Transaction.merchant_id == merchant_id,
            Transaction.payment_method == PaymentMethod.ACH.value,
            Transaction.kind == "sale",
            Transaction.state == State.RETURNED.value,
            Transaction.batch_id.in_(_booked_batches(merchant_id)),
            ~booked,
        )
        .order_by(Transaction.id)
    )
    return [
        AchReturnToBook(int(trans_id), int(amount), str(code))
        for trans_id, amount, code in (await session.execute(stmt)).all()
    ]
