"""Reporting API items (spec §6): amounts are Decimal dollars, times ISO-8601 strings."""

from __future__ import annotations

from .._amounts import Dollars
from ._base import Answer


class Link(Answer):
    rel: str
    href: str


class TransactionItem(Answer):
    trans_id: str
    mid: str
    result: str
    resp_code: str
    resp_text: str
    resp_proc: str
    trans_type: str
    trans_date: str
    settlement_status: str
    currency: str
    comm_card: str
    order_id: str
    amount: Dollars | None = None
    amount_refunded: Dollars | None = None
    fee_amount: Dollars | None = None
    account_token: str | None = None
    auth_code: str | None = None
    avs_resp: str | None = None
    cvv_resp: str | None = None
    batch_id: str | None = None
    card_brand: str | None = None
    card_brand_id: int | None = None
    card_number: str | None = None
    expiration: str | None = None
    funded_batch_id: str | None = None
    funding_date: str | None = None
    funding_master_id: str | None = None
    invoice_id: str | None = None
    name: str | None = None
    original_trans_id: str | None = None
    settle_date: str | None = None
    user_identifier: str | None = None
    vault_id: str | None = None
    custom_01: str | None = None
    custom_02: str | None = None
    custom_03: str | None = None
    custom_04: str | None = None
    custom_05: str | None = None
    custom_06: str | None = None
    custom_07: str | None = None
    custom_08: str | None = None
    custom_09: str | None = None
    custom_10: str | None = None
    # ACH (bank-account) payments: "card" or "ach", and the ACH fields, None for cards.
    payment_method: str = "card"
    account_type: str | None = None
    entry_class: str | None = None
    return_code: str | None = None
    return_reason: str | None = None


class DepositItem(Answer):
    id: int
    mid: str
    funding_master_id: str
    deposit_date: str
    funded_at: str
    currency: str
    amount: Dollars
    sales_amount: Dollars
    sales_count: int
    refunds_amount: Dollars
    refunds_count: int
    fees_amount: Dollars
    chargebacks_amount: Dollars
    reversals_amount: Dollars
    adjustments_amount: Dollars
    batch_date: str | None = None
    batch_id: str | None = None


class ChargebackItem(Answer):
    id: int
    mid: str
    trans_id: str
    case_number: str
    chargeback_date: str
    respond_by: str
    reason_code: str
    reason_text: str
    status: str
    source: str
    currency: str
    amount: Dollars
    fee_amount: Dollars
    trans_amount: Dollars | None = None
    trans_date: str | None = None
    auth_code: str | None = None
    batch_id: str | None = None
    card_brand: str | None = None
    card_brand_id: int | None = None
    card_number: str | None = None
    decided_at: str | None = None
    decided_by: str | None = None
    funding_master_id: str | None = None
    reversal_funding_master_id: str | None = None
    invoice_id: str | None = None
    order_id: str | None = None


class AdjustmentItem(Answer):
    id: int
    mid: str
    adjustment_date: str
    adjustment_type: str
    adjustment_reason: str
    amount: Dollars
    currency: str
    case_number: str | None = None
    chargeback_id: int | None = None
    funding_date: str | None = None
    funding_master_id: str | None = None
