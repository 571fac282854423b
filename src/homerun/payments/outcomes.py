"""What the payment rules answer, and the rules every kind of move shares.

Outcomes are results (a transaction carrying result/resp_code/resp_text); exceptions
are only for request-level faults. Every change goes through the lifecycle table in
state.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from homerun.errors import Forbidden
from homerun.kit.money import AmountForm, apply_rate_bps
from homerun.merchants.models import Merchant
from homerun.merchants.service import faults_of
from homerun.payments import codes
from homerun.payments.codes import Answer
from homerun.payments.models import Transaction
from homerun.payments.row import AnyTransaction
from homerun.payments.state import Event, Result, apply
from homerun.processors.base import Outcome, Processor, ProcessorResult
from homerun.processors.registry import processor_for
from homerun.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Refusal:
    """A transaction-level refusal that changed nothing (no row was written)."""

    answer: Answer
    trans_id: str | None
    amount_form: AmountForm
    amount: int | None
    detail: str
    original: Transaction | None = None


@dataclass(frozen=True, slots=True)
class Reversal:
    """A successful void (same row) or refund (a new refund row)."""

    txn: Transaction  # the voided transaction, or the new refund row
    original: Transaction
    kind: str  # "void" | "refund"
    amount: int  # base amount reversed
    fee: int  # surcharge reversed with it
    form: AmountForm


@dataclass(frozen=True, slots=True)
class RefundShare:
    """How much of a payment one refund gives back, and the move it makes."""

    amount: int
    event: Event  # REFUND_REST when it gives back all that remains, else REFUND_PART


def refund_share(txn: Transaction, wanted: int, form: AmountForm) -> RefundShare | Refusal:
    """The refund amount rule of cards and ACH alike: `wanted` (0 asks for all that
    remains), never more than was captured and not yet refunded."""
    remaining = txn.amount_captured - txn.amount_refunded
    amount = wanted or remaining
    if amount > remaining:
        return Refusal(
            codes.INVALID_AMOUNT,
            str(txn.id),
            form,
            wanted,
            "refund amount is more than what remains to refund",
            txn,
        )
    return RefundShare(amount, Event.REFUND_REST if amount == remaining else Event.REFUND_PART)


def processor_of(merchant: Merchant) -> Processor:
    """The merchant's processor, with the merchant's sandbox faults if any."""
    return processor_for(merchant.processor, faults_of(merchant))


def processor_reference(txn: Transaction) -> str:
    """How the processor knows the transaction (rows from before gateway references
    were drawn carry the trans_id's form)."""
    return txn.processor_ref or str(txn.id)


def require_own_mid(merchant: Merchant, mid: str) -> None:
    if mid != merchant.mid:
        raise Forbidden("mid: this credential does not belong to that merchant")


def apply_authorization(
    txn: AnyTransaction,
    result: ProcessorResult,
    runtime: Runtime,
    *,
    is_verify: bool,
    capture: bool,
) -> None:
    """The processor's answer to an authorization, onto its transaction."""
    txn.resp_code, txn.resp_text = result.resp_code, result.resp_text
    txn.auth_code = result.auth_code
    txn.avs_resp, txn.cvv_resp = result.avs_resp, result.cvv_resp
    if result.outcome is Outcome.UNKNOWN:
        txn.state = apply(txn.state, Event.TIME_OUT)
        txn.result = Result.RETRY
        return
    if result.outcome is Outcome.DECLINED:
        txn.state = apply(txn.state, Event.DECLINE)
        txn.result = Result.DECLINED
        return
    if result.outcome is Outcome.UNAVAILABLE:  # nothing happened; the client may retry
        txn.state = apply(txn.state, Event.DECLINE)
        txn.result = Result.RETRY
        return
    approve(txn, runtime, is_verify=is_verify, capture=capture)
    if result.chargeback is not None:
        txn.chargeback_after_days = result.chargeback.after_days
        txn.chargeback_reason = result.chargeback.reason_code


def approve(txn: AnyTransaction, runtime: Runtime, *, is_verify: bool, capture: bool) -> None:
    txn.result = Result.APPROVED
    txn.amount_authorized = txn.amount_requested
    if is_verify:
        txn.state = apply(txn.state, Event.APPROVE_VERIFY)
    elif capture:
        txn.state = apply(txn.state, Event.APPROVE_SALE)
        txn.amount_captured = txn.amount_requested
        txn.fee_amount = apply_rate_bps(txn.amount_captured, txn.fee_rate_bps)
    else:
        txn.state = apply(txn.state, Event.APPROVE_AUTH)
        ttl = timedelta(days=runtime.settings.authorization_ttl_days)
        txn.authorization_expires_at = txn.created_at + ttl
