"""Moves on a transaction that exists: capture, void or refund, and reconciliation of an
outcome the processor never gave.

Every change is made under a row lock (repository.get_for_update) and through the
lifecycle table in state.py; a move that cannot be made is a Refusal that changed
nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.money import AmountForm, apply_rate_bps, proportion
from homerun.merchants.models import Merchant
from homerun.payments import codes, events, repository
from homerun.payments.ach_changes import void_or_refund_ach
from homerun.payments.codes import Answer
from homerun.payments.models import Transaction
from homerun.payments.outcomes import (
    Refusal,
    Reversal,
    approve,
    processor_of,
    processor_reference,
    refund_share,
    require_own_mid,
)
from homerun.payments.refund_row import refund_row
from homerun.payments.schemas import CaptureRequest, VoidOrRefundRequest
from homerun.payments.state import SETTLED_STATES, Event, PaymentMethod, Result, State, apply
from homerun.payments.surcharge import fee_held
from homerun.processors.base import Outcome
from homerun.runtime import Runtime

# ---------------------------------------------------------------- capture


async def capture(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: CaptureRequest
) -> Transaction | Refusal:
    require_own_mid(merchant, request.mid)
    txn = await repository.get_for_update(session, merchant.id, request.trans_id)
    if txn is None:
        return _not_found(request)
    now = runtime.clock.now()
    _expire_if_due(txn, now)
    form = _form(request, txn)
    amount = request.amount.minor if request.amount else txn.amount_authorized
    if txn.state is not State.AUTHORIZED:
        return Refusal(
            codes.NO_ACTION,
            str(txn.id),
            form,
            amount,
            f"a {txn.state} transaction cannot be captured",
            txn,
        )
    if amount <= 0 or amount > txn.amount_authorized:
        return Refusal(
            codes.INVALID_AMOUNT,
            str(txn.id),
            form,
            amount,
            "capture amount must be more than 0 and at most the authorized amount",
            txn,
        )
    fee = apply_rate_bps(amount, txn.fee_rate_bps)
    # The processor authorized amount + surcharge; it captures the same way.
    result = await processor_of(merchant).capture(processor_reference(txn), amount + fee)
    if result.outcome is not Outcome.APPROVED:
        return Refusal(
            Answer(Result.DECLINED, result.resp_code, result.resp_text),
            str(txn.id),
            form,
            amount,
            "the processor refused the capture",
            txn,
        )
    txn.state = apply(State.AUTHORIZED, Event.CAPTURE)
    txn.amount_captured = amount
    txn.fee_amount = fee
    txn.holder = {**txn.holder, **request.holder()}
    txn.extra = {**txn.extra, **request.level3()}
    if request.invoice_id:
        txn.invoice_id = request.invoice_id
    if request.user_identifier:
        txn.user_identifier = request.user_identifier
    approval = codes.APPROVAL
    txn.result, txn.resp_code, txn.resp_text = (
        approval.result,
        approval.resp_code,
        approval.resp_text,
    )
    txn.updated_at = now
    events.captured(session, txn, merchant.mid, now)
    return txn


def _expire_if_due(txn: Transaction, now: datetime) -> None:
    """Authorizations lapse after the configured days; this applies it lazily."""
    expires = txn.authorization_expires_at
    if txn.state is State.AUTHORIZED and expires is not None and now >= expires:
        txn.state = apply(State.AUTHORIZED, Event.EXPIRE)
        txn.updated_at = now


def _form(request: CaptureRequest | VoidOrRefundRequest, txn: Transaction) -> AmountForm:
    return request.amount.form if request.amount else AmountForm(txn.amount_form)


def _not_found(request: CaptureRequest | VoidOrRefundRequest) -> Refusal:
    form = request.amount.form if request.amount else AmountForm.CENTS
    amount = request.amount.minor if request.amount else None
    return Refusal(codes.TXN_NOT_FOUND, request.trans_id, form, amount, "no such transaction")


# ---------------------------------------------------------------- void or refund


async def void_or_refund(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: VoidOrRefundRequest
) -> Reversal | Refusal:
    require_own_mid(merchant, request.mid)
    txn = await repository.get_for_update(session, merchant.id, request.trans_id)
    if txn is None:
        return _not_found(request)
    now = runtime.clock.now()
    _expire_if_due(txn, now)
    form = _form(request, txn)
    state = txn.state
    action = request.action.lower() if request.action else None
    wanted = request.amount.minor if request.amount else 0
    if txn.payment_method is PaymentMethod.ACH:
        outcome = await void_or_refund_ach(session, merchant, txn, action, wanted, form, now)
        return _initiated_by(outcome, request)

    if txn.kind != "refund" and state in (State.AUTHORIZED, State.CAPTURED):
        if action == "refund":
            return Refusal(
                codes.TXN_NOT_SETTLED,
                str(txn.id),
                form,
                wanted,
                "the transaction is not settled yet; void it instead",
                txn,
            )
        return _initiated_by(await _void(session, merchant, txn, wanted, form, now), request)
    if txn.kind != "refund" and state in SETTLED_STATES:
        # A void asked for after settlement is "Txn Batched" (ruling R5), even once
        # everything has been refunded; a refund of nothing left is "No action" below.
        if action == "void":
            return Refusal(
                codes.TXN_BATCHED,
                str(txn.id),
                form,
                wanted,
                "the transaction is settled; refund it instead",
                txn,
            )
        if state is not State.REFUNDED:
            outcome = await _refund(session, merchant, txn, wanted, form, now)
            return _initiated_by(outcome, request)
    return Refusal(
        codes.NO_ACTION,
        str(txn.id),
        form,
        wanted,
        f"a {txn.state} {txn.kind} cannot be voided or refunded",
        txn,
    )


def _initiated_by(outcome: Reversal | Refusal, request: VoidOrRefundRequest) -> Reversal | Refusal:
    """A void or refund records, and answers with, the user_identifier that asked for it."""
    if isinstance(outcome, Reversal) and request.user_identifier:
        outcome.txn.user_identifier = request.user_identifier
    return outcome


async def _void(
    session: AsyncSession,
    merchant: Merchant,
    txn: Transaction,
    wanted: int,
    form: AmountForm,
    now: datetime,
) -> Reversal | Refusal:
    state = txn.state
    current = txn.amount_captured if state is State.CAPTURED else txn.amount_authorized
    amount = wanted or current
    if amount > current:
        return Refusal(
            codes.INVALID_AMOUNT,
            str(txn.id),
            form,
            wanted,
            "void amount is more than the transaction's amount",
            txn,
        )
    remaining = current - amount
    # The surcharge goes with the amount: the fee on what is left stays, the rest is
    # released. An authorization holds its fee on the authorized amount (the processor
    # authorized amount + fee); a capture holds it in fee_amount.
    old_fee = fee_held(txn)
    new_fee = apply_rate_bps(remaining, txn.fee_rate_bps)
    fee = old_fee - new_fee
    result = await processor_of(merchant).void(processor_reference(txn), amount + fee)
    if result.outcome is not Outcome.APPROVED:
        return Refusal(
            Answer(Result.DECLINED, result.resp_code, result.resp_text),
            str(txn.id),
            form,
            wanted,
            "the processor refused the void",
            txn,
        )
    if remaining == 0:
        txn.state = apply(state, Event.VOID)
    else:
        txn.state = apply(state, Event.PARTIAL_VOID)
    if state is State.CAPTURED:
        txn.amount_captured = remaining
        txn.fee_amount = new_fee
    txn.amount_authorized = remaining if remaining else txn.amount_authorized
    txn.updated_at = now
    reversal = Reversal(txn, txn, "void", amount, fee, form)
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
    # The surcharge is refunded in proportion (spec §12.6). The share is worked out on
    # the running total, not per refund, so that rounding never gives back more fee
    # than was charged (each refund rounded up on its own could) and the last refund
    # gives back exactly what is left of it.
    fee = max(
        0,
        proportion(txn.amount_refunded + amount, txn.amount_captured, txn.fee_amount)
        - txn.fee_refunded,
    )
    result = await processor_of(merchant).refund(processor_reference(txn), amount + fee)
    if result.outcome is not Outcome.APPROVED:
        return Refusal(
            Answer(Result.DECLINED, result.resp_code, result.resp_text),
            str(txn.id),
            form,
            wanted,
            "the processor refused the refund",
            txn,
        )
    refund = refund_row(txn, amount, fee, form, result.auth_code, now)
    await repository.add(session, refund)
    txn.state = apply(txn.state, share.event)
    txn.amount_refunded += amount
    txn.fee_refunded += fee
    txn.updated_at = now
    reversal = Reversal(refund, txn, "refund", amount, fee, form)
    events.reversed_(session, reversal, merchant.mid, now)
    return reversal


# ---------------------------------------------------------------- reconciliation


async def reconcile(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, trans_id: str
) -> Transaction | Refusal:
    """Ask the processor what became of an `unknown` transaction and record the answer."""
    txn = await repository.get_for_update(session, merchant.id, trans_id)
    if txn is None:
        return Refusal(codes.TXN_NOT_FOUND, trans_id, AmountForm.CENTS, None, "no such transaction")
    if txn.state not in (State.UNKNOWN, State.PENDING):
        return Refusal(
            codes.NO_ACTION,
            str(txn.id),
            AmountForm(txn.amount_form),
            None,
            f"a {txn.state} transaction needs no reconciliation",
            txn,
        )
    now = runtime.clock.now()
    result = await processor_of(merchant).inquire(processor_reference(txn))
    if result.outcome in (Outcome.UNKNOWN, Outcome.UNAVAILABLE):
        if txn.state is State.PENDING:  # an attempt whose request never finished
            txn.state = apply(State.PENDING, Event.TIME_OUT)
            txn.result, txn.updated_at = Result.RETRY, now
        return txn  # still unknown: try again later
    txn.resp_code, txn.resp_text = result.resp_code, result.resp_text
    txn.auth_code = result.auth_code
    txn.cvv_resp = result.cvv_resp or txn.cvv_resp
    txn.processor_ref = result.processor_ref or txn.processor_ref
    if result.outcome is Outcome.DECLINED:
        txn.state = apply(txn.state, Event.DECLINE)
        txn.result = Result.DECLINED
    else:
        approve(txn, runtime, is_verify=txn.kind == "verify", capture=txn.kind == "sale")
    txn.updated_at = now
    events.transaction_outcome(session, txn, merchant.mid, now)
    return txn
