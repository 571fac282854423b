"""Reporting item shapes: rows (minor units, stored codes) to wire items (dollars, R3/R11).

Every amount leaves here as a JSON number in dollars, every time as ISO-8601 UTC with a `Z`,
every calendar date as `YYYY-MM-DD`, the card expiry as `MM/YY`, the card number masked.
Keys are written in alphabetical order, as the Run reference lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Field as PField

from homerun.ach.bank_accounts import mask_account
from homerun.kit.cards import BRAND_IDS, mask
from homerun.kit.clock import as_utc
from homerun.kit.flags import yn
from homerun.payments.schemas import CUSTOM_FIELDS
from homerun.payments.state import SETTLEMENT_STATUS


def dollars(minor: int | None) -> float | None:
    """Minor units as a JSON number in dollars (R3). Dividing two integers is correctly
    rounded, so minor / 100 is the double nearest the exact amount, the same number
    kit.money.to_dollar_number makes through Decimal, at a fraction of the cost."""
    return None if minor is None else int(minor) / 100


def timestamp(value: datetime | None) -> str | None:
    """ISO-8601 UTC to the second with a Z: "2026-01-15T09:30:00Z"."""
    if value is None:
        return None
    if value.utcoffset():
        value = as_utc(value)
    return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value).date().isoformat()
    return value.isoformat()


def expiry(mmyy: str | None) -> str | None:
    """Stored MMYY as Reporting shows it: "12/26" (ruling R11)."""
    if not mmyy or len(mmyy) != 4:
        return None
    return f"{mmyy[:2]}/{mmyy[2:]}"


def expiry_to_stored(wire: str) -> str:
    """A `q` value for expiration ("12/26", "1226", "12/2026") as stored (MMYY)."""
    text = wire.strip()
    month, sep, year = text.partition("/")
    if sep and month.isdigit() and year.isdigit():
        return f"{int(month):02d}{year[-2:]}"
    return text


def masked_to_last_four(wire: str) -> str:
    """A `q` value for card_number ("**** **** **** 1234" or "1234") as stored (last four)."""
    digits = "".join(c for c in wire if c.isdigit())
    return digits[-4:] if len(digits) >= 4 else wire.strip()


def brand_id(brand: str | None) -> int | None:
    return None if brand is None else BRAND_IDS.get(brand.upper())


def _custom(values: Mapping[str, Any] | None) -> dict[str, Any]:
    values = values or {}
    return {name: values.get(name) for name in CUSTOM_FIELDS}


def transaction_item(row: Mapping[Any, Any], mid: str) -> dict[str, Any]:
    holder = row["holder"] or {}
    # Alphabetical, as the reference lists them. The ACH fields (docs/ach.md) are null on
    # card payments, but payment_method.
    item: dict[str, Any] = {
        "account_token": row["account_token"],
        "account_type": row["ach_account_type"],
        "amount": dollars(row["amount"]),
        "amount_refunded": dollars(row["amount_refunded"]),
        "auth_code": row["auth_code"],
        "avs_resp": row["avs_resp"] or None,
        "batch_id": row["batch_id"],
        "card_brand": row["card_brand"],
        "card_brand_id": brand_id(row["card_brand"]),
        "card_number": _masked(row),
        "comm_card": yn(row["comm_card"]),
        "currency": row["currency"],
        **_custom(row["custom"]),
        "cvv_resp": row["cvv_resp"] or None,
        "entry_class": row["ach_entry_class"],
        "expiration": expiry(row["expiration"]),
        "fee_amount": dollars(row["fee_amount"]),
        "funded_batch_id": row["funded_batch_id"],
        "funding_date": day(row["funding_date"]),
        "funding_master_id": row["funding_master_id"],
        "invoice_id": row["invoice_id"],
        "mid": mid,
        "name": holder.get("name"),
        "order_id": row["order_id"],
        "original_trans_id": None if row["parent_id"] is None else str(row["parent_id"]),
        "payment_method": row["payment_method"],
        "resp_code": row["resp_code"],
        "resp_proc": row["resp_proc"],
        "resp_text": row["resp_text"],
        "result": row["result"],
        "return_code": row["ach_return_code"],
        "return_reason": row["ach_return_reason"],
        "settle_date": timestamp(row["settled_at"]),
        "settlement_status": SETTLEMENT_STATUS.get(row["state"], row["state"]),
        "trans_date": timestamp(row["created_at"]),
        "trans_id": str(row["id"]),
        "trans_type": row["kind"],
        "user_identifier": row["user_identifier"],
        "vault_id": row["vault_id"],
    }
    return item


def _masked(row: Mapping[Any, Any]) -> str | None:
    if row["payment_method"] == "ach":
        return mask_account(row["last_four"])
    return mask(row["last_four"])


def deposit_item(row: Mapping[Any, Any], mid: str) -> dict[str, Any]:
    return {
        "adjustments_amount": dollars(row["adjustments_amount"]),
        "amount": dollars(row["amount"]),
        "batch_date": day(row["batch_date"]),
        "batch_id": row["batch_id"],
        "chargebacks_amount": dollars(row["chargebacks_amount"]),
        "currency": row["currency"],
        "deposit_date": day(row["deposit_date"]),
        "fees_amount": dollars(row["fees_amount"]),
        "funded_at": timestamp(row["funded_at"]),
        "funding_master_id": row["funding_master_id"],
        "id": row["id"],
        "mid": mid,
        "refunds_amount": dollars(row["refunds_amount"]),
        "refunds_count": row["refunds_count"],
        "reversals_amount": dollars(row["reversals_amount"]),
        "sales_amount": dollars(row["sales_amount"]),
        "sales_count": row["sales_count"],
    }


def chargeback_item(row: Mapping[Any, Any], mid: str) -> dict[str, Any]:
    return {
        "amount": dollars(row["amount"]),
        "auth_code": row["auth_code"],
        "batch_id": row["batch_id"],
        "card_brand": row["card_brand"],
        "card_brand_id": brand_id(row["card_brand"]),
        "card_number": mask(row["last_four"]),
        "case_number": row["case_number"],
        "chargeback_date": timestamp(row["opened_at"]),
        "currency": row["currency"],
        "decided_at": timestamp(row["decided_at"]),
        "decided_by": row["decided_by"],
        "fee_amount": dollars(row["fee_amount"]),
        "funding_master_id": row["funding_master_id"],
        "id": row["id"],
        "invoice_id": row["invoice_id"],
        "mid": mid,
        "order_id": row["order_id"],
        "reason_code": row["reason_code"],
        "reason_text": row["reason_text"],
        "respond_by": timestamp(row["respond_by"]),
        "reversal_funding_master_id": row["reversal_funding_master_id"],
        "source": row["source"],
        "status": row["state"],
        "trans_amount": dollars(row["trans_amount"]),
        "trans_date": timestamp(row["trans_date"]),
        "trans_id": str(row["transaction_id"]),
    }


def adjustment_item(row: Mapping[Any, Any], mid: str) -> dict[str, Any]:
    return {
        "adjustment_date": timestamp(row["adjustment_date"]),
        "adjustment_reason": row["adjustment_reason"],
        "adjustment_type": row["adjustment_type"],
        "amount": dollars(row["amount"]),
        "case_number": row["case_number"],
        "chargeback_id": row["chargeback_id"],
        "currency": row["currency"],
        "funding_date": day(row["funding_date"]),
        "funding_master_id": row["funding_master_id"],
        "id": row["id"],
        "mid": mid,
    }


# --------------------------------------------------------------------------- documentation
# The models below only describe the wire for OpenAPI; items are built by the functions above.

Text = str | None
Money = float | None


class Link(BaseModel):
    rel: str = PField(description="self, first, next or prev")
    href: str


class TransactionItem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"description": "One transaction (docs/reporting.md lists every field)"}
    )

    account_token: Text = PField(description="Token of the card (16 digits, starts with 9)")
    account_type: Text = PField(description="ACH: checking or savings")
    amount: Money = PField(description="Amount in dollars: captured, else authorized, else asked")
    amount_refunded: Money = PField(description="Dollars refunded against this sale so far")
    auth_code: Text
    avs_resp: Text = PField(description="AVS result code")
    batch_id: Text = PField(description="Settlement batch; null until the batch closes")
    card_brand: Text = PField(description="VISA, MASTERCARD, AMEX or DISCOVER")
    card_brand_id: int | None = PField(description="1 Visa, 2 Mastercard, 3 Amex, 4 Discover")
    card_number: Text = PField(description='Masked: "**** **** **** 1234"')
    comm_card: str = PField(description="Y for a commercial card")
    currency: str
    custom_01: Text = None
    custom_02: Text = None
    custom_03: Text = None
    custom_04: Text = None
    custom_05: Text = None
    custom_06: Text = None
    custom_07: Text = None
    custom_08: Text = None
    custom_09: Text = None
    custom_10: Text = None
    cvv_resp: Text = PField(description="CVV result code")
    entry_class: Text = PField(description="ACH: WEB, PPD, CCD or TEL")
    expiration: Text = PField(description='Card expiry "MM/YY"')
    fee_amount: Money = PField(description="Surcharge collected, in dollars")
    funded_batch_id: Text = PField(description="The batch a deposit funded this in")
    funding_date: Text = PField(description="Date of that deposit, YYYY-MM-DD")
    funding_master_id: Text = PField(description="Id of that deposit")
    invoice_id: Text
    mid: str = PField(description="12-digit MID")
    name: Text = PField(description="Cardholder name")
    order_id: str
    original_trans_id: Text = PField(description="For a refund: the sale it refunds")
    payment_method: str = PField(description="card, or ach for a bank account")
    resp_code: str
    resp_proc: str
    resp_text: str
    result: str = PField(description="A approved, B retry, C declined")
    return_code: Text = PField(description="ACH: the return code (R01..R85) once returned")
    return_reason: Text = PField(description="ACH: the return's reason")
    settle_date: Text = PField(description="When the batch closed (ISO-8601 UTC)")
    settlement_status: str
    trans_date: str = PField(description="When the transaction was made (ISO-8601 UTC)")
    trans_id: str
    trans_type: str = PField(description="sale, auth, verify or refund")
    user_identifier: Text
    vault_id: Text = PField(description="The vaulted account charged or stored (uuid)")


class DepositItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": "One deposit (funding)"})

    adjustments_amount: float = PField(description="Adjustments netted in, signed")
    amount: float = PField(description="Net paid to the merchant (negative: a debit)")
    batch_date: Text = PField(description="Business date of the funded batch, YYYY-MM-DD")
    batch_id: Text = PField(description="The batch funded; null for a deposit of adjustments")
    chargebacks_amount: float = PField(description="Chargebacks taken (positive)")
    currency: str
    deposit_date: str = PField(description="Date the money lands, YYYY-MM-DD")
    fees_amount: float = PField(description="Processing fees taken (positive)")
    funded_at: str = PField(description="When the deposit was made (ISO-8601 UTC)")
    funding_master_id: str = PField(description='Funding id, e.g. "F1000042"')
    id: int
    mid: str
    refunds_amount: float
    refunds_count: int
    reversals_amount: float = PField(description="Won chargebacks credited back")
    sales_amount: float
    sales_count: int


class ChargebackItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": "One chargeback"})

    amount: float = PField(description="Debited from the merchant, in dollars")
    auth_code: Text
    batch_id: Text = PField(description="The batch that settled the disputed sale")
    card_brand: Text
    card_brand_id: int | None
    card_number: Text
    case_number: str
    chargeback_date: str = PField(description="When it was opened (ISO-8601 UTC)")
    currency: str
    decided_at: Text
    decided_by: Text = PField(description="admin or clock")
    fee_amount: float = PField(description="Chargeback fee charged with it")
    funding_master_id: Text = PField(description="Deposit that carried the debit")
    id: int
    invoice_id: Text
    mid: str
    order_id: Text
    reason_code: str = PField(description='Card network reason code, e.g. "10.4"')
    reason_text: str
    respond_by: str
    reversal_funding_master_id: Text = PField(description="Deposit that credited it back")
    source: str = PField(description="simulator or manual")
    status: str = PField(description="open, won or lost")
    trans_amount: Money = PField(description="Amount of the disputed sale")
    trans_date: Text
    trans_id: str


class AdjustmentItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": "One adjustment"})

    adjustment_date: str = PField(description="When it was made (ISO-8601 UTC)")
    adjustment_reason: str
    adjustment_type: str = PField(description="chargeback_fee, monthly_fee, manual, ...")
    amount: float = PField(description="Signed: negative is a debit from the merchant")
    case_number: Text = PField(description="Chargeback case of a chargeback fee")
    chargeback_id: int | None
    currency: str
    funding_date: Text = PField(description="Date of the deposit that carried it")
    funding_master_id: Text
    id: int
    mid: str


def _page_model(name: str, item: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        name,
        items=(list[item], ...),  # type: ignore[valid-type]
        hasMore=(bool, ...),
        limit=(int, ...),
        offset=(int, ...),
        count=(int, ...),
        links=(list[Link], ...),
    )


PAGE_MODELS: dict[str, type[BaseModel]] = {
    "transactions": _page_model("TransactionsPage", TransactionItem),
    "deposits": _page_model("DepositsPage", DepositItem),
    "chargebacks": _page_model("ChargebacksPage", ChargebackItem),
    "adjustments": _page_model("AdjustmentsPage", AdjustmentItem),
}
