"""Wire shapes of Homerun's settlement administration (/homerun/v1).

Amounts go out as dollar strings ("12.34", negative with a leading "-"), dates as
ISO-8601; the Reporting API (src/homerun/reporting/) has its own shapes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from homerun.kit.decimal_schema import DOLLARS, SIGNED_DOLLARS, decimal_string_or_number
from homerun.kit.money import AmountError, parse_dollars, to_dollars
from homerun.ledger.service import Position
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit


def _dollars(value: object) -> int:
    try:
        return parse_dollars(value)
    except AmountError as problem:
        raise ValueError(str(problem)) from None


def _signed_dollars(value: object) -> int:
    """ "-25.00", -25, "10.5", 10 -> signed minor units."""
    negative = False
    if isinstance(value, str) and value.strip().startswith("-"):
        negative, value = True, value.strip()[1:]
    elif isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        negative, value = True, -value
    minor = _dollars(value)
    return -minor if negative else minor


Dollars = Annotated[
    int, BeforeValidator(_dollars), decimal_string_or_number(DOLLARS, "25.00", "Dollars")
]
SignedDollars = Annotated[
    int,
    BeforeValidator(_signed_dollars),
    decimal_string_or_number(
        SIGNED_DOLLARS, "-25.00", "Dollars; negative debits the merchant, positive credits"
    ),
]


class ChargebackOpen(BaseModel):
    """Open a chargeback on a settled sale (default: all that remains, the network's
    usual fraud reason code)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    mid: Annotated[str, Field(pattern=r"^\d{12}$")]
    trans_id: Annotated[str, Field(min_length=1, max_length=20)]
    amount: Dollars | None = None
    reason_code: Annotated[str, Field(min_length=1, max_length=8)] | None = None


class AdjustmentCreate(BaseModel):
    """A manual adjustment: a negative amount debits the merchant, a positive one credits."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    mid: Annotated[str, Field(pattern=r"^\d{12}$")]
    amount: SignedDollars
    adjustment_type: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")] = "manual"
    adjustment_reason: Annotated[str, Field(min_length=1, max_length=255)]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def batch_out(batch: Batch) -> dict[str, Any]:
    return {
        "batch_id": batch.batch_id,
        "business_date": _day(batch.business_date),
        "closed_at": _moment(batch.closed_at),
        "currency": batch.currency,
        "transaction_count": batch.transaction_count,
        "sale_count": batch.sale_count,
        "sale_amount": to_dollars(batch.sale_amount),
        "refund_count": batch.refund_count,
        "refund_amount": to_dollars(batch.refund_amount),
        "net_amount": to_dollars(batch.net_amount),
        "processing_fee": to_dollars(batch.processing_fee),
        "deposit_date": _day(batch.deposit_date),
        "funding_master_id": batch.funding_master_id,
        "funded_at": _moment(batch.funded_at),
    }


def deposit_out(deposit: Deposit) -> dict[str, Any]:
    return {
        "funding_master_id": deposit.funding_master_id,
        "batch_id": deposit.batch_id,
        "deposit_date": _day(deposit.deposit_date),
        "funded_at": _moment(deposit.funded_at),
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


def chargeback_out(cb: Chargeback, mid: str) -> dict[str, Any]:
    return {
        "chargeback_id": cb.id,
        "case_number": cb.case_number,
        "mid": mid,
        "trans_id": str(cb.transaction_id),
        "batch_id": cb.batch_id,
        "currency": cb.currency,
        "amount": to_dollars(cb.amount),
        "fee_amount": to_dollars(cb.fee_amount),
        "reason_code": cb.reason_code,
        "reason_text": cb.reason_text,
        "card_brand": cb.card_brand,
        "last_four": cb.last_four,
        "state": cb.state,
        "source": cb.source,
        "opened_at": _moment(cb.opened_at),
        "respond_by": _moment(cb.respond_by),
        "decided_at": _moment(cb.decided_at),
        "decided_by": cb.decided_by,
        "funding_master_id": cb.funding_master_id,
        "reversal_funding_master_id": cb.reversal_funding_master_id,
    }


def adjustment_out(adj: Adjustment, mid: str) -> dict[str, Any]:
    return {
        "id": adj.id,
        "mid": mid,
        "currency": adj.currency,
        "amount": to_dollars(adj.amount),
        "adjustment_type": adj.adjustment_type,
        "adjustment_reason": adj.adjustment_reason,
        "adjustment_date": _moment(adj.adjustment_date),
        "chargeback_id": adj.chargeback_id,
        "created_by": adj.created_by,
        "funding_master_id": adj.funding_master_id,
    }


def balance_out(position: Position, pending_settlement: int, currency: str) -> dict[str, Any]:
    """The merchant's money: the identity below holds to the cent at every moment.

    captured - refunded - charged_back + reversed - fees + adjustments
        = deposited + pending_funding + pending_settlement
    """
    return {
        "currency": currency,
        "sales": to_dollars(position.sales),
        "refunds": to_dollars(position.refunds),
        "processing_fees": to_dollars(position.fees),
        "chargebacks": to_dollars(position.chargebacks),
        "reversals": to_dollars(position.reversals),
        "adjustments": to_dollars(position.adjustments),
        "deposited": to_dollars(position.deposited),
        "pending_funding": to_dollars(position.pending),
        "pending_settlement": to_dollars(pending_settlement),
    }
