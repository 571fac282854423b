"""The domain events a transaction's life appends to the outbox.

Payloads carry what a receiver needs without a follow-up call; amounts are
dollar strings. Event names follow Run's list (spec §10) where it has one;
`transaction.capture` and `transaction.void` are Homerun's additions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.cards import mask
from homerun.kit.money import to_dollars
from homerun.outbox import repository as outbox
from homerun.payments.models import Transaction
from homerun.payments.outcomes import Reversal
from homerun.payments.row import AnyTransaction
from homerun.payments.state import State
from homerun.payments.surcharge import fee_held


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event about a transaction row not written yet: its payload lacks `trans_id`,
    which the row's insert assigns (payments.repository.insert_new adds it)."""

    event_type: str
    payload: dict[str, Any]
    at: datetime


def _payload(txn: AnyTransaction, mid: str, **extra: Any) -> dict[str, Any]:
    return {"trans_id": str(txn.id), **_payload_without_id(txn, mid, **extra)}


def _payload_without_id(txn: AnyTransaction, mid: str, **extra: Any) -> dict[str, Any]:
    return {
        "mid": mid,
        "order_id": txn.order_id,
        "invoice_id": txn.invoice_id,
        "trans_type": txn.kind,
        "state": txn.state,
        "amount": to_dollars(txn.amount_captured or txn.amount_authorized or txn.amount_requested),
        "fee_amount": to_dollars(fee_held(txn)),
        "currency": txn.currency,
        "result": txn.result,
        "resp_code": txn.resp_code,
        "resp_text": txn.resp_text,
        "card_brand": txn.card_brand,
        "card_number": mask(txn.last_four),
        **txn.custom,
        **extra,
    }


def _add(
    session: AsyncSession, txn: Transaction, event_type: str, payload: dict[str, Any], at: datetime
) -> None:
    outbox.record(
        session,
        merchant_id=txn.merchant_id,
        event_type=event_type,
        source_id=str(txn.id),
        payload=payload,
        at=at,
    )


def _outcome_type(txn: AnyTransaction, *, rejected: bool) -> str | None:
    """entered (approved), decline (issuer said no), reject (the gateway refused it)."""
    if txn.state == State.UNKNOWN.value:
        return None  # nothing is known yet; reconciliation records the outcome
    if rejected:
        return "transaction.reject"
    return "transaction.entered" if txn.result == "A" else "transaction.decline"


def new_transaction_outcome(
    txn: AnyTransaction, mid: str, at: datetime, *, rejected: bool = False
) -> PendingEvent | None:
    """The outcome event of a new transaction, written with its row."""
    event_type = _outcome_type(txn, rejected=rejected)
    if event_type is None:
        return None
    return PendingEvent(event_type, _payload_without_id(txn, mid), at)


def transaction_outcome(session: AsyncSession, txn: Transaction, mid: str, at: datetime) -> None:
    """The outcome of a transaction that already has its row (reconciliation)."""
    event_type = _outcome_type(txn, rejected=False)
    if event_type is not None:
        _add(session, txn, event_type, _payload(txn, mid), at)


def captured(session: AsyncSession, txn: Transaction, mid: str, at: datetime) -> None:
    _add(session, txn, "transaction.capture", _payload(txn, mid), at)


def reversed_(session: AsyncSession, reversal: Reversal, mid: str, at: datetime) -> None:
    original = reversal.original
    if reversal.kind == "void":
        event_type = "transaction.void"
    elif original.state == State.REFUNDED.value:
        event_type = "transaction.refund"
    else:
        event_type = "transaction.partialrefund"
    payload = _payload(
        reversal.txn,
        mid,
        original_trans_id=str(original.id),
        reversed_amount=to_dollars(reversal.amount),
        reversed_fee_amount=to_dollars(reversal.fee),
    )
    _add(session, reversal.txn, event_type, payload, at)


def ach_returned(session: AsyncSession, txn: Transaction, mid: str, at: datetime) -> None:
    """The payer's bank returned an ACH payment (ruling R15)."""
    payload = _payload(
        txn,
        mid,
        return_code=txn.ach_return_code,
        return_reason=txn.ach_return_reason,
        returned_amount=to_dollars(txn.amount_captured),
    )
    _add(session, txn, "transaction.returned", payload, at)


def ach_change(
    session: AsyncSession, txn: Transaction, mid: str, at: datetime, reason: str
) -> None:
    """A notification of change about an ACH payment: correct the account before the next."""
    payload = _payload(txn, mid, change_code=txn.ach_change_code, change_reason=reason)
    _add(session, txn, "transaction.noc", payload, at)
