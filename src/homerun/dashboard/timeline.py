"""A payment's life in time order, as its page shows it.

Each entry comes from the row that recorded the step, read through its owner: the
transaction itself (the authorization or sale), its refund rows, settlement's batch,
deposits and chargeback, and the outbox's events for the steps that change a row in
place (a capture, a void, an ACH return or notification of change) with the webhook
deliveries made for every event about the payment. Events are kept for
HOMERUN_RETENTION_DAYS once delivered, so older steps of that last kind drop off the
timeline; the rows' own steps never do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homerun.kit.money import to_dollars
from homerun.payments.models import Transaction
from homerun.payments.state import Kind, Result
from homerun.settlement.service import PaymentSettlement
from homerun.webhooks.service import Sent


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    title: str
    detail: str
    tone: str = ""  # "good", "bad" or "" (a badge's colour on the page)


def _dollars(minor: int, currency: str) -> str:
    return f"{to_dollars(minor)} {currency}"


def _opened(txn: Transaction) -> Entry:
    amount = _dollars(txn.amount_authorized or txn.amount_requested, txn.currency)
    answer = f"{txn.resp_code} {txn.resp_text}"
    if txn.result is not Result.APPROVED:
        return Entry(txn.created_at, "Declined", f"{amount}: {answer}", "bad")
    code = f", authorization code {txn.auth_code}" if txn.auth_code else ""
    titles = {
        Kind.SALE: "Authorized and captured",
        Kind.AUTH: "Authorized",
        Kind.REFUND: "Refund made",
    }
    return Entry(txn.created_at, titles.get(txn.kind, "Verified"), f"{amount}{code}", "good")


def _refund(refund: Transaction) -> Entry:
    amount = _dollars(refund.amount_captured or refund.amount_requested, refund.currency)
    if refund.result is not Result.APPROVED:
        return Entry(refund.created_at, "Refund declined", amount, "bad")
    return Entry(refund.created_at, "Refunded", f"{amount}, refund {refund.id}")


def _event(sent: Sent, currency: str) -> Entry | None:
    """The step an event records when no row of its own does."""
    e = sent.event
    payload: dict[str, Any] = e.payload
    if e.event_type == "transaction.capture":
        return Entry(e.occurred_at, "Captured", f"{payload.get('amount')} {currency}", "good")
    if e.event_type == "transaction.void":
        return Entry(e.occurred_at, "Voided", f"{payload.get('amount')} {currency}")
    if e.event_type == "transaction.returned":
        reason = f"{payload.get('return_code')} {payload.get('return_reason')}"
        return Entry(e.occurred_at, "Returned by the bank", reason, "bad")
    if e.event_type == "transaction.noc":
        change = f"{payload.get('change_code')} {payload.get('change_reason')}"
        return Entry(e.occurred_at, "Notification of change", change)
    return None


def _webhooks(sent: Sent) -> list[Entry]:
    entries = []
    for d, url in sent.deliveries:
        at = d.delivered_at or d.failed_at or d.last_attempt_at or d.occurred_at
        answer = f"HTTP {d.last_status}" if d.last_status is not None else "no answer yet"
        attempts = f"{d.attempts} attempt" + ("" if d.attempts == 1 else "s")
        tone = {"delivered": "good", "failed": "bad"}.get(d.state.value, "")
        detail = f"{d.event_type} to {url}: {d.state.value}, {answer}, {attempts}"
        entries.append(Entry(at, "Webhook", detail, tone))
    return entries


def _settlement(found: PaymentSettlement, currency: str) -> list[Entry]:
    entries = []
    batch, cb = found.batch, found.chargeback
    if batch is not None:
        entries.append(Entry(batch.closed_at, "Settled", f"Batch {batch.batch_id}"))
        paid = found.deposits.get(batch.funding_master_id or "")
        if paid is not None:
            detail = f"Deposit {paid.funding_master_id} of {paid.deposit_date.isoformat()}"
            entries.append(Entry(paid.funded_at, "Paid out", detail, "good"))
    if cb is not None:
        detail = f"Case {cb.case_number}, {cb.reason_code} {cb.reason_text}: " + _dollars(
            cb.amount, currency
        )
        entries.append(Entry(cb.opened_at, "Chargeback opened", detail, "bad"))
        debit = found.deposits.get(cb.funding_master_id or "")
        if debit is not None:
            detail = f"Deposit {debit.funding_master_id}: -{_dollars(cb.amount, currency)}"
            entries.append(Entry(debit.funded_at, "Chargeback debited", detail, "bad"))
        if cb.decided_at is not None:
            title = f"Chargeback {cb.state.value}"
            entries.append(Entry(cb.decided_at, title, f"Decided by {cb.decided_by}"))
        back = found.deposits.get(cb.reversal_funding_master_id or "")
        if back is not None:
            detail = f"Deposit {back.funding_master_id}: {_dollars(cb.amount, currency)}"
            entries.append(Entry(back.funded_at, "Chargeback credited back", detail, "good"))
    return entries


def of_payment(
    txn: Transaction,
    refunds: Sequence[Transaction],
    settled: PaymentSettlement,
    sent: Sequence[Sent],
) -> list[Entry]:
    """Every step, oldest first; steps at the same moment keep the order of a payment's
    life (the row, its changes, settlement, then the webhooks that told of them)."""
    entries = [_opened(txn)]
    entries += [e for s in sent if (e := _event(s, txn.currency)) is not None]
    entries += [_refund(r) for r in refunds]
    entries += _settlement(settled, txn.currency)
    entries += [w for s in sent for w in _webhooks(s)]
    return sorted(entries, key=lambda e: e.at)  # stable: ties keep the order above


def about(
    txn: Transaction, refunds: Sequence[Transaction], chargeback_id: int | None
) -> list[tuple[str, str]]:
    """What the outbox's events about this payment name: (event type prefix, source id)."""
    found: list[tuple[str, str]] = [("transaction.", str(txn.id))]
    found += [("transaction.", str(r.id)) for r in refunds]
    if chargeback_id is not None:
        found.append(("chargeback.", str(chargeback_id)))
    return found
