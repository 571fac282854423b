"""What the Chargebacks pages ask of settlement and payments, for one merchant.

No money moves here: accepting or challenging is `settlement.responses.respond`, the
sandbox network's answer to a merchant, which decides the chargeback through the same
`chargebacks.decide` as the admin API and the clock. This module scopes every read to
the user's own merchant and records what people did in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.kit.money import to_dollars
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.payments.repository import get as get_transaction
from homerun.runtime import Runtime
from homerun.settlement import chargeback_reads, responses
from homerun.settlement.models import Adjustment, Chargeback
from homerun.settlement.responses import Response

PAGE_SIZE = 25
AUDITED = {
    Response.ACCEPT: AuditAction.CHARGEBACK_ACCEPTED,
    Response.CHALLENGE: AuditAction.CHARGEBACK_CHALLENGED,
}


@dataclass(frozen=True, slots=True)
class ChargebackPage:
    rows: Sequence[Chargeback]
    next_before: tuple[datetime, int] | None  # the cursor of the page after, if any


def cursor_text(before: tuple[datetime, int]) -> str:
    at, key = before
    return f"{int(at.timestamp() * 1_000_000)}-{key}"


def read_cursor(text: str) -> tuple[datetime, int] | None:
    """`<microseconds since 1970>-<id>`, as `cursor_text` writes it; None if it is not."""
    micros, _, key = text.partition("-")
    digits = micros.isascii() and micros.isdigit() and key.isascii() and key.isdigit()
    if not digits or len(micros) > 17 or len(key) > 18:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros)), int(key)


async def recent(
    session: AsyncSession, merchant: Merchant, before: tuple[datetime, int] | None
) -> ChargebackPage:
    rows = await chargeback_reads.newest(session, merchant.id, before, PAGE_SIZE + 1)
    if len(rows) <= PAGE_SIZE:
        return ChargebackPage(rows, None)
    last = rows[PAGE_SIZE - 1]
    return ChargebackPage(rows[:PAGE_SIZE], (last.opened_at, last.id))


@dataclass(frozen=True, slots=True)
class ChargebackDetail:
    chargeback: Chargeback
    payment: Transaction | None  # the disputed sale
    fees: Sequence[Adjustment]  # the chargeback fee charged with it


async def detail(
    session: AsyncSession, merchant: Merchant, chargeback_id: int
) -> ChargebackDetail | None:
    cb = await chargeback_reads.one(session, merchant.id, chargeback_id)
    if cb is None:
        return None
    payment = await get_transaction(session, merchant.id, str(cb.transaction_id))
    return ChargebackDetail(cb, payment, await chargeback_reads.fees(session, merchant.id, cb.id))


async def respond(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    chargeback_id: int,
    response: Response,
) -> Chargeback:
    """Accept or challenge; NotFound or Conflict (nothing changed) pass to the caller."""
    cb = await responses.respond(session, runtime, merchant, chargeback_id, response)
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AUDITED[response],
        merchant_id=merchant.id,
        chargeback_id=cb.id,
        case_number=cb.case_number,
        outcome=cb.state.value,
        amount=to_dollars(cb.amount),
        currency=cb.currency,
    )
    return cb
