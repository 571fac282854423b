"""What the dashboard's pages ask of the domains, for one signed-in user.

No money moves here: a refund or a void is `payments.service.void_or_refund`, the very
function the Payments API's /void-or-refund calls, with the same rules and row locks. This
module only scopes every read to the user's own merchant, works out the merchant's day and
month, and records what people did in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.dashboard import timeline
from homerun.merchants.models import Merchant
from homerun.payments import lookup
from homerun.payments import service as payments
from homerun.payments.lookup import Figures, Search
from homerun.payments.models import Transaction
from homerun.payments.repository import get as get_transaction
from homerun.payments.repository import get_for_update as lock_transaction
from homerun.payments.schemas import CaptureRequest, VoidOrRefundRequest
from homerun.runtime import Runtime
from homerun.settlement import service as settlement
from homerun.webhooks import service as webhooks

PAGE_SIZE = 25


def merchant_zone(merchant: Merchant) -> ZoneInfo:
    return ZoneInfo(merchant.timezone)


async def home_figures(session: AsyncSession, runtime: Runtime, merchant: Merchant) -> Figures:
    """Today and this month in the merchant's own time zone, by the instance clock."""
    local = runtime.clock.now().astimezone(merchant_zone(merchant))
    day_start = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
    month_start = day_start.replace(day=1)
    return await lookup.figures(session, merchant.id, day_start, month_start)


@dataclass(frozen=True, slots=True)
class Page:
    rows: Sequence[Transaction]
    next_before: tuple[datetime, int] | None  # the cursor of the page after, if any


async def find_payments(session: AsyncSession, merchant: Merchant, wanted: Search) -> Page:
    rows = await lookup.search(session, merchant.id, wanted, PAGE_SIZE + 1)
    if len(rows) <= PAGE_SIZE:
        return Page(rows, None)
    last = rows[PAGE_SIZE - 1]
    return Page(rows[:PAGE_SIZE], (last.created_at, last.id))


@dataclass(frozen=True, slots=True)
class Payment:
    txn: Transaction
    refunds: Sequence[Transaction]
    parent: Transaction | None  # a refund's original payment
    timeline: Sequence[timeline.Entry]


async def payment(session: AsyncSession, merchant: Merchant, trans_id: str) -> Payment | None:
    """The merchant's own transaction, or None: another merchant's is not found either."""
    txn = await get_transaction(session, merchant.id, trans_id)
    if txn is None:
        return None
    parent = None
    if txn.parent_id is not None:
        parent = await get_transaction(session, merchant.id, str(txn.parent_id))
    refunds = await lookup.refunds_of(session, merchant.id, txn.id)
    settled = await settlement.of_payment(session, merchant, txn.batch_id, txn.id)
    chargeback_id = settled.chargeback.id if settled.chargeback else None
    sent = await webhooks.events_about(
        session, merchant.id, timeline.about(txn, refunds, chargeback_id)
    )
    steps = timeline.of_payment(txn, refunds, settled, sent)
    return Payment(txn, refunds, parent, steps)


def version(txn: Transaction) -> str:
    """What a payment's page showed of its money: a form sends it back, and a reversal is
    made only if the payment still reads the same (see `reverse`)."""
    return f"{txn.state}:{txn.amount_authorized}:{txn.amount_captured}:{txn.amount_refunded}"


class Changed:
    """The payment moved since its page was shown (a second click, another person)."""


class Missing:
    """No such payment of this merchant's."""


async def reverse(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    trans_id: str,
    action: str,
    amount: int | None,
    seen: str,
) -> payments.Reversal | payments.Refusal | Changed | Missing:
    """Void or refund (`action`), all of what is left or `amount` minor units of it.

    The payment is locked first and compared with what its page showed (`seen`): a form
    posted twice, or after someone else refunded, changes nothing. The same transaction
    then calls the payments service, whose own lock it already holds.
    """
    unchanged = await _lock_unchanged(session, merchant, trans_id, seen)
    if unchanged is not None:
        return unchanged
    request = VoidOrRefundRequest.model_validate(
        {
            "trans_id": trans_id,
            "mid": merchant.mid,
            "action": action,
            "user_identifier": actor.label[:64],
            **({"amount": amount} if amount is not None else {}),
        }
    )
    outcome = await payments.void_or_refund(session, runtime, merchant, request)
    if isinstance(outcome, payments.Reversal):
        await audit.record(
            session,
            runtime.clock.now(),
            actor,
            AuditAction.REFUND if outcome.kind == "refund" else AuditAction.VOID,
            merchant_id=merchant.id,
            trans_id=str(outcome.original.id),
            amount=str(outcome.amount),
            currency=outcome.original.currency,
        )
    return outcome


async def capture(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    trans_id: str,
    amount: int | None,
    seen: str,
) -> Transaction | payments.Refusal | Changed | Missing:
    """Capture an authorization, all of it or `amount` minor units, through the payments
    service as POST /api/v1/capture does; locked and compared with its page as `reverse`."""
    unchanged = await _lock_unchanged(session, merchant, trans_id, seen)
    if unchanged is not None:
        return unchanged
    request = CaptureRequest.model_validate(
        {
            "trans_id": trans_id,
            "mid": merchant.mid,
            "user_identifier": actor.label[:64],
            **({"amount": amount} if amount is not None else {}),
        }
    )
    outcome = await payments.capture(session, runtime, merchant, request)
    if isinstance(outcome, Transaction):
        await audit.record(
            session,
            runtime.clock.now(),
            actor,
            AuditAction.CAPTURE,
            merchant_id=merchant.id,
            trans_id=str(outcome.id),
            amount=str(outcome.amount_captured),
            currency=outcome.currency,
        )
    return outcome


async def _lock_unchanged(
    session: AsyncSession, merchant: Merchant, trans_id: str, seen: str
) -> Changed | Missing | None:
    """Lock the payment before anything of it is read in this transaction; None when it
    still reads as its page showed it."""
    locked = await lock_transaction(session, merchant.id, trans_id)
    if locked is None:
        return Missing()
    if version(locked) != seen:
        return Changed()
    return None
