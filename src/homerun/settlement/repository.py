"""All SQL for settlement: batch close, funding, chargebacks, adjustments, fan-outs.

Work that touches many rows is one set-based statement each (nothing is loaded into
memory): settling a batch, totalling it, fanning a slot out to merchants, charging
month-end fees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    String,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from homerun.kit.db.base import UTCDateTime
from homerun.ledger.accounts import Account, Kind
from homerun.ledger.models import LedgerEntry
from homerun.ledger.repository import UNFUNDED
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.payments.state import Event, State, apply
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit
from homerun.worker.models import Job
from homerun.worker.repository import READY, insert_for

# Written as the partial index ix_transactions_open states it, so both databases use it.
OPEN_TRANSACTION: TextClause = text("transactions.state IN ('authorized', 'captured')")

SETTLED = apply(State.CAPTURED, Event.SETTLE).value
EXPIRED = apply(State.AUTHORIZED, Event.EXPIRE).value


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


async def settle_captured(
    session: AsyncSession, merchant_id: int, batch_id: str, now: datetime
) -> int:
    """Every captured sale and refund of the merchant joins the batch and is settled."""
    result = await session.execute(
        update(Transaction)
        .where(
            OPEN_TRANSACTION,
            Transaction.merchant_id == merchant_id,
            Transaction.state == State.CAPTURED.value,
        )
        .values(state=SETTLED, batch_id=batch_id, settled_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def expire_authorizations(session: AsyncSession, merchant_id: int, now: datetime) -> int:
    """Authorizations past their expiry that were never captured lapse."""
    result = await session.execute(
        update(Transaction)
        .where(
            OPEN_TRANSACTION,
            Transaction.merchant_id == merchant_id,
            Transaction.state == State.AUTHORIZED.value,
            Transaction.authorization_expires_at <= now,
        )
        .values(state=EXPIRED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


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


JOB_COLUMNS = [
    "kind", "key", "merchant_id", "payload", "due_at", "state", "attempts", "created_at",
    "updated_at",
]  # fmt: skip


def _job_constants(
    kind: str, payload: dict[str, Any], due: datetime, now: datetime
) -> dict[str, Any]:
    return {
        "kind": literal(kind, String),
        "payload": literal(payload, Job.__table__.c.payload.type),
        "due_at": literal(due, UTCDateTime()),
        "state": literal(READY, String),
        "attempts": literal(0),
        "now": literal(now, UTCDateTime()),
    }


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
    c = _job_constants(kind, {"cutoff_at": cutoff_at.isoformat()}, cutoff_at, now)
    key = literal("close|") + cast(Transaction.merchant_id, String) + f"|{cutoff_at.isoformat()}"
    due_work = (Transaction.state == State.CAPTURED.value) | (
        (Transaction.state == State.AUTHORIZED.value)
        & (Transaction.authorization_expires_at <= now)
    )
    source = (
        select(
            c["kind"],
            key,
            Transaction.merchant_id,
            c["payload"],
            c["due_at"],
            c["state"],
            c["attempts"],
            c["now"],
            c["now"],
        )
        .join(Merchant, Merchant.id == Transaction.merchant_id)
        .where(
            OPEN_TRANSACTION,
            due_work,
            Merchant.batch_cutoff == cutoff,
            Merchant.timezone == timezone,
        )
        .distinct()
    )
    return await _insert_jobs(session, source)


async def schedule_fundings(
    session: AsyncSession, timezone: str, day: date, due: datetime, now: datetime, kind: str
) -> int:
    """One funding job per merchant of the zone with payable lines fundable by `day`."""
    c = _job_constants(kind, {"day": day.isoformat()}, due, now)
    key = literal("fund|") + cast(LedgerEntry.merchant_id, String) + f"|{day.isoformat()}"
    source = (
        select(
            c["kind"],
            key,
            LedgerEntry.merchant_id,
            c["payload"],
            c["due_at"],
            c["state"],
            c["attempts"],
            c["now"],
            c["now"],
        )
        .join(Merchant, Merchant.id == LedgerEntry.merchant_id)
        .where(UNFUNDED, LedgerEntry.available_on <= day, Merchant.timezone == timezone)
        .distinct()
    )
    return await _insert_jobs(session, source)


async def _insert_jobs(session: AsyncSession, source: Any) -> int:
    insert = insert_for(session)
    stmt = (
        insert(Job).from_select(JOB_COLUMNS, source).on_conflict_do_nothing(index_elements=["key"])
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


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
        Merchant.status == "active",
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
    result = await session.execute(insert_for(session)(Adjustment).from_select(columns, source))
    return int(getattr(result, "rowcount", 0) or 0)


async def funding_delays(session: AsyncSession, timezone: str) -> list[int]:
    stmt = select(Merchant.funding_delay_days).where(Merchant.timezone == timezone).distinct()
    return [int(d) for d in (await session.execute(stmt)).scalars()]


async def post_monthly_fees(
    session: AsyncSession,
    *,
    timezone: str,
    delay: int,
    reference: str,
    at: datetime,
    available_on: date,
) -> None:
    """The two ledger lines of each month-end fee just made (set-based, balanced by
    construction: the payable line is minus the income line)."""
    for account, sign, available in (
        (Account.MERCHANT_PAYABLE, -1, literal(available_on, Date())),
        (Account.PROCESSOR_INCOME, 1, cast(null(), Date())),
    ):
        source = (
            select(
                Adjustment.merchant_id,
                Adjustment.currency,
                literal("adjustment:") + cast(Adjustment.id, String),
                literal(Kind.ADJUSTMENT.value, String),
                literal(account.value, String),
                Adjustment.amount * sign,
                literal(at, UTCDateTime()),
                available,
                Adjustment.id,
            )
            .join(Merchant, Merchant.id == Adjustment.merchant_id)
            .where(
                Adjustment.reference == reference,
                Adjustment.adjustment_date == literal(at, UTCDateTime()),
                Merchant.timezone == timezone,
                Merchant.funding_delay_days == delay,
            )
        )
        columns = [
            "merchant_id",
            "currency",
            "journal",
            "kind",
            "account",
            "amount",
            "posted_at",
            "available_on",
            "adjustment_id",
        ]
        await session.execute(insert_for(session)(LedgerEntry).from_select(columns, source))


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
