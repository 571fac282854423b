"""Void or refund of an ACH payment (ruling R15), under the row lock changes.py took.

A void is allowed until the payment is originated, and is whole (the bank was never asked
for anything). Once originated the payment can be neither voided (`27` Txn Batched) nor
refunded until it settles (`28` Txn not settled). A refund is an ACH credit to the same
account: a row of its own, accepted for origination, partial allowed, never above what
settled and was not refunded; a returned payment has nothing left to refund.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.money import AmountForm
from homerun.merchants.models import Merchant
from homerun.payments import codes, events, repository
from homerun.payments.codes import Answer
from homerun.payments.models import Transaction
from homerun.payments.outcomes import Refusal, Reversal, refund_share
from homerun.payments.refund_row import refund_row
from homerun.payments.state import Event, State, apply_ach

ACCEPTED = Answer(codes.APPROVAL.result, "00", "Accepted")


async def void_or_refund_ach(
    session: AsyncSession,
    merchant: Merchant,
    txn: Transaction,
    action: str | None,
    wanted: int,
    form: AmountForm,
    now: datetime,
) -> Reversal | Refusal:
    def refuse(answer: Answer, detail: str) -> Refusal:
        return Refusal(answer, str(txn.id), form, wanted, detail, txn)

    state = txn.state
    if txn.kind == "refund":
        return refuse(codes.NO_ACTION, "an ACH refund cannot be voided or refunded")
    if state is State.ACCEPTED:
        if action == "refund":
            return refuse(codes.TXN_NOT_SETTLED, "the ACH payment is not settled yet; void it")
        if wanted and wanted != txn.amount_captured:
            return refuse(codes.INVALID_AMOUNT, "an ACH payment is voided whole")
        return _void(session, merchant, txn, form, now)
    if state is State.ORIGINATED:
        if action == "void":
            return refuse(
                codes.TXN_BATCHED, "the ACH payment was originated; refund it once settled"
            )
        return refuse(
            codes.TXN_NOT_SETTLED, "the ACH payment was originated and is not settled yet"
        )
    if state in (State.SETTLED, State.PARTIALLY_REFUNDED):
        if action == "void":
            return refuse(codes.TXN_BATCHED, "the ACH payment is settled; refund it instead")
        return await _refund(session, merchant, txn, wanted, form, now)
    return refuse(codes.NO_ACTION, f"a {state} ACH payment cannot be voided or refunded")


def _void(
    session: AsyncSession, merchant: Merchant, txn: Transaction, form: AmountForm, now: datetime
) -> Reversal:
    amount = txn.amount_captured
    txn.state = apply_ach(txn.state, Event.VOID)
    txn.updated_at = now
    reversal = Reversal(txn, txn, "void", amount, 0, form)
    events.reversed_(session, reversal, merchant.mid, now)
    return reversal


async def _refund(
    session: AsyncSession,
    merchant: Merchant,
    txn: Transaction,
    wanted: int,
    form: AmountForm,
    now: datetime,
) -> Reversal | Refusal:
    share = refund_share(txn, wanted, form)
    if isinstance(share, Refusal):
        return share
    amount = share.amount
    credit = refund_row(txn, amount, 0, form, None, now, state=State.PENDING, answer=ACCEPTED)
    credit.state = apply_ach(State.PENDING, Event.ACCEPT)
    await repository.add(session, credit)
    txn.state = apply_ach(txn.state, share.event)
    txn.amount_refunded += amount
    txn.updated_at = now
    reversal = Reversal(credit, txn, "refund", amount, 0, form)
    events.reversed_(session, reversal, merchant.mid, now)
    return reversal
