"""What moves ACH payments along their lifecycle, besides the payer's requests: origination
of a merchant's accepted payments into an ACH batch, settlement, and what the payer's bank
sends back (returns and notifications of change). docs/ach.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ach.returns import is_change, is_return, reason_of
from homerun.errors import Conflict, NotFound, ValidationFailed
from homerun.merchants.models import Merchant
from homerun.payments import ach_calendar, ach_marks, events, repository
from homerun.payments.models import Transaction
from homerun.payments.state import ACH_TRANSITIONS as ACH_RETURNABLE
from homerun.payments.state import Event, PaymentMethod, State, apply_ach
from homerun.runtime import Runtime

# A notification of change is about a payment the bank received.
_SENT = frozenset(
    {State.ORIGINATED, State.SETTLED, State.PARTIALLY_REFUNDED, State.REFUNDED, State.RETURNED}
)


@dataclass(frozen=True, slots=True)
class Originated:
    batch_id: str | None  # None when nothing was waiting
    count: int


async def originate_now(session: AsyncSession, runtime: Runtime, merchant: Merchant) -> Originated:
    """Originate every accepted ACH payment of the merchant now (what its cut-off does)."""
    now = runtime.clock.now()
    business_date = now.astimezone(ZoneInfo(merchant.timezone)).date()
    batch_id = ach_marks.new_ach_batch_id(business_date)
    count = await ach_marks.originate(session, merchant.id, batch_id, now)
    return Originated(batch_id if count else None, count)


async def settle_now(session: AsyncSession, runtime: Runtime, merchant: Merchant) -> int:
    """Settle every originated ACH payment of the merchant now (the bank's settlement day
    come early: an admin's shortcut for tests and demos)."""
    now = runtime.clock.now()
    return await ach_marks.settle_originated(session, merchant.id, now, now)


async def bank_answer(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    trans_id: str,
    code: str,
    reason: str | None = None,
) -> Transaction:
    """What the payer's bank sent back about an ACH payment: a return (R01..R85) marks it
    returned and emits `transaction.returned`; a notification of change (C01..) is recorded
    and emitted as `transaction.noc`, and moves no money."""
    code = code.strip().upper()
    if not (is_return(code) or is_change(code)):
        raise ValidationFailed.field(
            "return_code", "must be a return code R01..R85 or a change code such as C01"
        )
    txn = await repository.get_for_update(session, merchant.id, trans_id)
    if txn is None:
        raise NotFound(f"transaction {trans_id} not found for merchant {merchant.mid}")
    if txn.payment_method is not PaymentMethod.ACH or txn.kind != "sale":
        raise Conflict(f"transaction {trans_id} is not an ACH payment")
    now = runtime.clock.now()
    text = reason or reason_of(code)
    if is_change(code):
        if txn.state not in _SENT:
            raise Conflict(f"a {txn.state} ACH payment never reached the bank")
        txn.ach_change_code = code
        txn.updated_at = now
        events.ach_change(session, txn, merchant.mid, now, reason_of(code))
        return txn
    if (txn.state, Event.RETURN) not in ACH_RETURNABLE:
        raise Conflict(f"a {txn.state} ACH payment cannot be returned")
    txn.state = apply_ach(txn.state, Event.RETURN)
    txn.ach_return_code, txn.ach_return_reason = code, text
    txn.updated_at = now
    events.ach_returned(session, txn, merchant.mid, now)
    return txn


@dataclass(frozen=True, slots=True)
class CutoffDone:
    settled: int
    originated: Originated
    answered: list[int]  # trans_ids the bank sent back (returns and changes)


async def cutoff(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, cutoff_at: datetime
) -> CutoffDone:
    """A merchant's ACH at its cut-off on a banking day: what was originated on an earlier
    banking day settles; what the test accounts' banks send back and is due arrives; what
    was accepted before the cut-off is originated."""
    zone = merchant.timezone
    settled = await ach_marks.settle_originated(session, merchant.id, cutoff_at, cutoff_at)
    today = ach_calendar.local_date(cutoff_at, zone)
    answered = []
    for planned in await ach_marks.planned_returns(session, merchant.id):
        settled_on = ach_calendar.local_date(planned.settled_at, zone)
        if ach_calendar.add_banking_days(settled_on, planned.after_days) <= today:
            await bank_answer(session, runtime, merchant, str(planned.trans_id), planned.code)
            answered.append(planned.trans_id)
    batch_id = ach_marks.new_ach_batch_id(today)
    count = await ach_marks.originate(session, merchant.id, batch_id, cutoff_at, cutoff_at)
    return CutoffDone(settled, Originated(batch_id if count else None, count), answered)
