"""The writes settlement makes to transactions, owned here with the rest of the table.

Settlement decides when a batch closes and when an authorization lapses; the statements
that move the rows live with their table. Each is one set-based UPDATE over a merchant's
open rows (nothing is loaded into memory), however many rows a batch holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from homerun.payments.models import Transaction
from homerun.payments.state import Event, State, apply

# Written as the partial index ix_transactions_open states it, so both databases use it.
OPEN_TRANSACTION: TextClause = text("transactions.state IN ('authorized', 'captured')")

SETTLED = apply(State.CAPTURED, Event.SETTLE).value
EXPIRED = apply(State.AUTHORIZED, Event.EXPIRE).value


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
