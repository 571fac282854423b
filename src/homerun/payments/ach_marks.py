"""The set-based moves of ACH payments through their lifecycle (ruling R15), owned here
with the rest of the transactions table: origination of a merchant's accepted payments
(and refund credits) into an ACH batch, and their settlement. Each is one UPDATE over the
merchant's rows, however many a batch holds; what to do and when is the caller's (the
admin actions today, the clock's jobs at the merchant's cut-off next)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.payments.models import Transaction
from homerun.payments.state import Event, PaymentMethod, State, apply_ach

ORIGINATED = apply_ach(State.ACCEPTED, Event.ORIGINATE)
SETTLED = apply_ach(State.ORIGINATED, Event.SETTLE)


def new_ach_batch_id(business_date: date) -> str:
    """An ACH batch's id: its date and a random tail, as card batches have, with a prefix
    that tells the two apart."""
    return f"ACH{business_date:%Y%m%d}{secrets.token_hex(4).upper()}"


async def originate(
    session: AsyncSession,
    merchant_id: int,
    batch_id: str,
    now: datetime,
    made_by: datetime | None = None,
) -> int:
    """Every accepted ACH payment and refund credit of the merchant (made by `made_by`,
    when given: a cut-off takes what came before it) joins the batch."""
    made_in_time = Transaction.created_at <= made_by if made_by is not None else true()
    result = await session.execute(
        update(Transaction)
        .where(
            Transaction.merchant_id == merchant_id,
            Transaction.payment_method == PaymentMethod.ACH.value,
            Transaction.state == State.ACCEPTED.value,
            made_in_time,
        )
        .values(state=ORIGINATED.value, batch_id=batch_id, ach_originated_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def settle_originated(
    session: AsyncSession, merchant_id: int, originated_before: datetime, now: datetime
) -> int:
    """Every ACH payment of the merchant originated before `originated_before` settles."""
    result = await session.execute(
        update(Transaction)
        .where(
            Transaction.merchant_id == merchant_id,
            Transaction.payment_method == PaymentMethod.ACH.value,
            Transaction.state == State.ORIGINATED.value,
            Transaction.ach_originated_at < originated_before,
        )
        .values(state=SETTLED.value, settled_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class PlannedReturn:
    trans_id: int
    code: str
    after_days: int
    settled_at: datetime


_SENT_AND_SETTLED = (
    State.SETTLED.value,
    State.PARTIALLY_REFUNDED.value,
    State.REFUNDED.value,
)


async def planned_returns(session: AsyncSession, merchant_id: int) -> list[PlannedReturn]:
    """The merchant's settled ACH payments whose bank has yet to send back what the
    simulator's test account says it will."""
    rows = await session.execute(
        select(
            Transaction.id,
            Transaction.ach_planned_return,
            Transaction.ach_return_after_days,
            Transaction.settled_at,
        ).where(
            Transaction.merchant_id == merchant_id,
            Transaction.payment_method == PaymentMethod.ACH.value,
            Transaction.ach_planned_return.is_not(None),
            Transaction.state.in_(_SENT_AND_SETTLED),
            Transaction.ach_change_code.is_(None),
            Transaction.settled_at.is_not(None),
        )
    )
    return [
        PlannedReturn(trans_id, code, after_days or 0, settled_at)
        for trans_id, code, after_days, settled_at in rows
        if code is not None and settled_at is not None  # as the query says
    ]
