"""The set-based moves of ACH payments through their lifecycle (ruling R15), owned here
with the rest of the transactions table: origination of a merchant's accepted payments
(and refund credits) into an ACH batch, and their settlement. Each is one UPDATE over the
merchant's rows, however many a batch holds; what to do and when is the caller's (the
admin actions today, the clock's jobs at the merchant's cut-off next)."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.payments.models import Transaction
from homerun.payments.state import Event, PaymentMethod, State, apply_ach

ORIGINATED = apply_ach(State.ACCEPTED, Event.ORIGINATE)
SETTLED = apply_ach(State.ORIGINATED, Event.SETTLE)


def new_ach_batch_id(business_date: date) -> str:
    """An ACH batch's id: its date and a random tail, as card batches have, with a prefix
    that tells the two apart."""
    return f"ACH{business_date:%Y%m%d}{secrets.token_hex(4).upper()}"


async def originate(session: AsyncSession, merchant_id: int, batch_id: str, now: datetime) -> int:
    """Every accepted ACH payment and refund credit of the merchant joins the batch."""
    result = await session.execute(
        update(Transaction)
        .where(
            Transaction.merchant_id == merchant_id,
            Transaction.payment_method == PaymentMethod.ACH.value,
            Transaction.state == State.ACCEPTED.value,
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
