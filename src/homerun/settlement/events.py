"""The domain events settlement appends to the outbox (ruling R13, spec §10).

`chargeback.entered` and `funding.entered` are Run's; `chargeback.won` and
`chargeback.lost` are Homerun's additions. Payloads carry ids, dollar-string
amounts and ISO dates, so a receiver needs no follow-up call to reconcile.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.cards import mask
from homerun.kit.money import to_dollars
from homerun.merchants.models import Merchant
from homerun.outbox import repository as outbox
from homerun.payments.models import Transaction
from homerun.settlement.models import Batch, Chargeback, Deposit


def chargeback_payload(cb: Chargeback, txn: Transaction, mid: str) -> dict[str, Any]:
    return {
        "chargeback_id": cb.id,
        "case_number": cb.case_number,
        "mid": mid,
        "trans_id": str(cb.transaction_id),
        "order_id": txn.order_id,
        "invoice_id": txn.invoice_id,
        "batch_id": cb.batch_id,
        "amount": to_dollars(cb.amount),
        "fee_amount": to_dollars(cb.fee_amount),
        "currency": cb.currency,
        "reason_code": cb.reason_code,
        "reason_text": cb.reason_text,
        "card_brand": cb.card_brand,
        "card_number": mask(cb.last_four),
        "state": cb.state,
        "source": cb.source,
        "chargeback_date": cb.opened_at.isoformat(),
        "respond_by": cb.respond_by.isoformat(),
        "decided_at": cb.decided_at.isoformat() if cb.decided_at else None,
        "decided_by": cb.decided_by,
    }


def chargeback_event(
    session: AsyncSession,
    event_type: str,
    cb: Chargeback,
    txn: Transaction,
    mid: str,
    at: datetime,
) -> None:
    outbox.record(
        session,
        merchant_id=cb.merchant_id,
        event_type=event_type,
        source_id=str(cb.id),
        payload=chargeback_payload(cb, txn, mid),
        at=at,
    )


def funding_payload(deposit: Deposit, merchant: Merchant, batch: Batch | None) -> dict[str, Any]:
    return {
        "funding_master_id": deposit.funding_master_id,
        "mid": merchant.mid,
        "batch_id": deposit.batch_id,
        "batch_date": batch.business_date.isoformat() if batch else None,
        "deposit_date": deposit.deposit_date.isoformat(),
        "funded_at": deposit.funded_at.isoformat(),
        "currency": deposit.currency,
        "amount": to_dollars(deposit.amount),
        "sales_count": deposit.sales_count,
        "sales_amount": to_dollars(deposit.sales_amount),
        "refunds_count": deposit.refunds_count,
        "refunds_amount": to_dollars(deposit.refunds_amount),
        "fees_amount": to_dollars(deposit.fees_amount),
        "chargebacks_amount": to_dollars(deposit.chargebacks_amount),
        "reversals_amount": to_dollars(deposit.reversals_amount),
        "adjustments_amount": to_dollars(deposit.adjustments_amount),
    }


def funding_entered(
    session: AsyncSession,
    deposit: Deposit,
    merchant: Merchant,
    batch: Batch | None,
    carried: dict[str, list[int]],
) -> None:
    payload = funding_payload(deposit, merchant, batch)
    payload["chargeback_ids"] = carried.get("chargebacks", [])
    payload["reversal_chargeback_ids"] = carried.get("reversals", [])
    payload["adjustment_ids"] = carried.get("adjustments", [])
    outbox.record(
        session,
        merchant_id=merchant.id,
        event_type="funding.entered",
        source_id=deposit.funding_master_id,
        payload=payload,
        at=deposit.funded_at,
    )
