"""The Reporting API's endpoints as SQL sources: one `Source` per endpoint.

A Source names, for its endpoint, the columns `q` may filter and sort on (the whitelist), the
columns an item is built from, the merchant column that tenancy scopes, and the default order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    FromClause,
    SQLColumnExpression,
    case,
    func,
    null,
    outerjoin,
    select,
)

from homerun.kit.cards import BRAND_IDS
from homerun.payments.models import Transaction
from homerun.payments.schemas import CUSTOM_FIELDS
from homerun.payments.state import SETTLEMENT_STATUS
from homerun.reporting import schemas
from homerun.reporting.q import (
    EQUALITY,
    NULLS,
    Domain,
    Field,
    Kind,
)
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit

BRANDS = Domain(tuple((number, brand) for brand, number in BRAND_IDS.items()))
SETTLEMENT = Domain(tuple((wire, state) for state, wire in SETTLEMENT_STATUS.items()))


@dataclass(frozen=True)
class Source:
    """One reporting endpoint's table, as `q` and the item builder see it."""

    name: str
    table: FromClause
    merchant_column: SQLColumnExpression[int]
    fields: Mapping[str, Field]
    columns: Mapping[str, SQLColumnExpression[Any]]  # q field -> SQL expression
    selected: Sequence[SQLColumnExpression[Any]]  # labelled columns an item is built from
    time_field: str  # the q field of the default order: pages walk (merchant, time, id)
    default_order: Any  # the column of that time (a mapped attribute)
    tie_breaker: Any  # the primary key: unique, last in every order
    domains: Mapping[str, Domain] = field(default_factory=dict)
    build: Callable[[Mapping[Any, Any], str], dict[str, Any]] = schemas.transaction_item


def _text(name: str, **kw: Any) -> Field:
    return Field(name, Kind.TEXT, **kw)


def _fields(*specs: Field) -> dict[str, Field]:
    return {spec.name: spec for spec in specs}


_EQUALITY_ONLY = frozenset((*EQUALITY, *NULLS))

# --------------------------------------------------------------------------- transactions

_T = Transaction
_AMOUNT = func.coalesce(
    func.nullif(_T.amount_captured, 0), func.nullif(_T.amount_authorized, 0), _T.amount_requested
)
_FUNDED_BATCH = case((Batch.funding_master_id.is_not(None), Batch.batch_id), else_=null())
_TXN_COLUMNS: dict[str, SQLColumnExpression[Any]] = {
    "trans_id": _T.id,
    "mid": _T.merchant_id,
    "trans_date": _T.created_at,
    "trans_type": _T.kind,
    "settle_date": _T.settled_at,
    "settlement_status": _T.state,
    "amount": _AMOUNT,
    "amount_refunded": _T.amount_refunded,
    "fee_amount": _T.fee_amount,
    "currency": _T.currency,
    "result": _T.result,
    "resp_code": _T.resp_code,
    "resp_text": _T.resp_text,
    "resp_proc": _T.resp_proc,
    "auth_code": _T.auth_code,
    "avs_resp": _T.avs_resp,
    "cvv_resp": _T.cvv_resp,
    "card_brand": _T.card_brand,
    "card_brand_id": _T.card_brand,
    "card_number": _T.last_four,
    "expiration": _T.expiration,
    "account_token": _T.account_token,
    "batch_id": _T.batch_id,
    "order_id": _T.order_id,
    "invoice_id": _T.invoice_id,
    "user_identifier": _T.user_identifier,
    "original_trans_id": _T.parent_id,
    "vault_id": _T.vault_id,
    "funded_batch_id": _FUNDED_BATCH,
    "funding_master_id": Batch.funding_master_id,
    "funding_date": Batch.deposit_date,
    "name": _T.holder["name"].as_string(),
    **{name: _T.custom[name].as_string() for name in CUSTOM_FIELDS},
    "payment_method": _T.payment_method,
    "account_type": _T.ach_account_type,
    "entry_class": _T.ach_entry_class,
    "return_code": _T.ach_return_code,
    "return_reason": _T.ach_return_reason,
}
_TXN_FIELDS = _fields(
    Field("trans_id", Kind.INTEGER),
    Field("mid", Kind.MAPPED),
    Field("trans_date", Kind.DATETIME),
    _text("trans_type"),
    Field("settle_date", Kind.DATETIME),
    Field("settlement_status", Kind.MAPPED),
    Field("amount", Kind.MONEY),
    Field("amount_refunded", Kind.MONEY),
    Field("fee_amount", Kind.MONEY),
    _text("currency"),
    _text("result"),
    _text("resp_code"),
    _text("resp_text"),
    _text("resp_proc"),
    _text("auth_code"),
    _text("avs_resp"),
    _text("cvv_resp"),
    _text("card_brand", convert=str.upper),
    Field("card_brand_id", Kind.MAPPED, wire_type="integer"),
    _text("card_number", ops=_EQUALITY_ONLY, convert=schemas.masked_to_last_four),
    _text("expiration", ops=_EQUALITY_ONLY, convert=schemas.expiry_to_stored),
    _text("account_token"),
    _text("batch_id"),
    _text("order_id"),
    _text("invoice_id"),
    _text("user_identifier"),
    Field("original_trans_id", Kind.INTEGER),
    _text("vault_id"),
    _text("funded_batch_id"),
    _text("funding_master_id"),
    Field("funding_date", Kind.DATE),
    _text("name"),
    *(_text(name) for name in CUSTOM_FIELDS),
    _text("payment_method"),
    _text("account_type"),
    _text("entry_class"),
    _text("return_code"),
    _text("return_reason"),
)
_TXN_SELECTED: list[SQLColumnExpression[Any]] = [
    _T.id,
    _T.merchant_id,
    _T.kind,
    _T.state,
    _T.parent_id,
    _T.currency,
    _AMOUNT.label("amount"),
    _T.amount_refunded,
    _T.fee_amount,
    _T.result,
    _T.resp_code,
    _T.resp_text,
    _T.resp_proc,
    _T.auth_code,
    _T.avs_resp,
    _T.cvv_resp,
    _T.card_brand,
    _T.comm_card,
    _T.last_four,
    _T.account_token,
    _T.expiration,
    _T.order_id,
    _T.invoice_id,
    _T.user_identifier,
    _T.vault_id,
    _T.holder,
    _T.custom,
    _T.batch_id,
    _T.settled_at,
    _T.created_at,
    _T.payment_method,
    _T.ach_account_type,
    _T.ach_entry_class,
    _T.ach_return_code,
    _T.ach_return_reason,
    _FUNDED_BATCH.label("funded_batch_id"),
    Batch.funding_master_id,
    Batch.deposit_date.label("funding_date"),
]

TRANSACTIONS = Source(
    name="transactions",
    table=outerjoin(Transaction, Batch, Batch.batch_id == Transaction.batch_id),
    merchant_column=_T.merchant_id,
    fields=_TXN_FIELDS,
    columns=_TXN_COLUMNS,
    selected=_TXN_SELECTED,
    time_field="trans_date",
    default_order=_T.created_at,
    tie_breaker=_T.id,
    domains={"card_brand_id": BRANDS, "settlement_status": SETTLEMENT},
    build=schemas.transaction_item,
)

# --------------------------------------------------------------------------- deposits

_D = Deposit
# Columns of other tables come as correlated subqueries rather than joins: PostgreSQL then
# sorts and limits the base table first and looks them up for the page's rows only.
_BATCH_DATE = select(Batch.business_date).where(Batch.batch_id == _D.batch_id).scalar_subquery()
_DEP_COLUMNS: dict[str, SQLColumnExpression[Any]] = {
    "id": _D.id,
    "funding_master_id": _D.funding_master_id,
    "mid": _D.merchant_id,
    "currency": _D.currency,
    "batch_id": _D.batch_id,
    "batch_date": _BATCH_DATE,
    "deposit_date": _D.deposit_date,
    "funded_at": _D.funded_at,
    "amount": _D.amount,
    "sales_count": _D.sales_count,
    "sales_amount": _D.sales_amount,
    "refunds_count": _D.refunds_count,
    "refunds_amount": _D.refunds_amount,
    "fees_amount": _D.fees_amount,
    "chargebacks_amount": _D.chargebacks_amount,
    "reversals_amount": _D.reversals_amount,
    "adjustments_amount": _D.adjustments_amount,
}
DEPOSITS = Source(
    name="deposits",
    table=Deposit.__table__,
    merchant_column=_D.merchant_id,
    fields=_fields(
        Field("id", Kind.INTEGER),
        _text("funding_master_id"),
        Field("mid", Kind.MAPPED),
        _text("currency"),
        _text("batch_id"),
        Field("batch_date", Kind.DATE),
        Field("deposit_date", Kind.DATE),
        Field("funded_at", Kind.DATETIME),
        Field("amount", Kind.MONEY),
        Field("sales_count", Kind.INTEGER),
        Field("sales_amount", Kind.MONEY),
        Field("refunds_count", Kind.INTEGER),
        Field("refunds_amount", Kind.MONEY),
        Field("fees_amount", Kind.MONEY),
        Field("chargebacks_amount", Kind.MONEY),
        Field("reversals_amount", Kind.MONEY),
        Field("adjustments_amount", Kind.MONEY),
    ),
    columns=_DEP_COLUMNS,
    selected=[
        _D.id,
        _D.merchant_id,
        _D.funding_master_id,
        _D.currency,
        _D.batch_id,
        _BATCH_DATE.label("batch_date"),
        _D.deposit_date,
        _D.funded_at,
        _D.amount,
        _D.sales_count,
        _D.sales_amount,
        _D.refunds_count,
        _D.refunds_amount,
        _D.fees_amount,
        _D.chargebacks_amount,
        _D.reversals_amount,
        _D.adjustments_amount,
    ],
    time_field="deposit_date",
    default_order=_D.deposit_date,
    tie_breaker=_D.id,
    build=schemas.deposit_item,
)

# --------------------------------------------------------------------------- chargebacks

_C = Chargeback


def _of_sale(column: Any) -> Any:
    """A column of the disputed sale, for the page's rows only (see _BATCH_DATE)."""
    return select(column).where(_T.id == _C.transaction_id).scalar_subquery()


_SALE_DATE = _of_sale(_T.created_at)
_SALE_AMOUNT = _of_sale(_AMOUNT)
_SALE_ORDER = _of_sale(_T.order_id)
_SALE_INVOICE = _of_sale(_T.invoice_id)
_SALE_AUTH = _of_sale(_T.auth_code)
_CB_COLUMNS: dict[str, SQLColumnExpression[Any]] = {
    "id": _C.id,
    "case_number": _C.case_number,
    "mid": _C.merchant_id,
    "trans_id": _C.transaction_id,
    "trans_date": _SALE_DATE,
    "trans_amount": _SALE_AMOUNT,
    "order_id": _SALE_ORDER,
    "invoice_id": _SALE_INVOICE,
    "auth_code": _SALE_AUTH,
    "batch_id": _C.batch_id,
    "currency": _C.currency,
    "amount": _C.amount,
    "fee_amount": _C.fee_amount,
    "reason_code": _C.reason_code,
    "reason_text": _C.reason_text,
    "card_brand": _C.card_brand,
    "card_brand_id": _C.card_brand,
    "card_number": _C.last_four,
    "status": _C.state,
    "source": _C.source,
    "chargeback_date": _C.opened_at,
    "respond_by": _C.respond_by,
    "decided_at": _C.decided_at,
    "decided_by": _C.decided_by,
    "funding_master_id": _C.funding_master_id,
    "reversal_funding_master_id": _C.reversal_funding_master_id,
}
CHARGEBACKS = Source(
    name="chargebacks",
    table=Chargeback.__table__,
    merchant_column=_C.merchant_id,
    fields=_fields(
        Field("id", Kind.INTEGER),
        _text("case_number"),
        Field("mid", Kind.MAPPED),
        Field("trans_id", Kind.INTEGER),
        Field("trans_date", Kind.DATETIME),
        Field("trans_amount", Kind.MONEY),
        _text("order_id"),
        _text("invoice_id"),
        _text("auth_code"),
        _text("batch_id"),
        _text("currency"),
        Field("amount", Kind.MONEY),
        Field("fee_amount", Kind.MONEY),
        _text("reason_code"),
        _text("reason_text"),
        _text("card_brand", convert=str.upper),
        Field("card_brand_id", Kind.MAPPED, wire_type="integer"),
        _text("card_number", ops=_EQUALITY_ONLY, convert=schemas.masked_to_last_four),
        _text("status"),
        _text("source"),
        Field("chargeback_date", Kind.DATETIME),
        Field("respond_by", Kind.DATETIME),
        Field("decided_at", Kind.DATETIME),
        _text("decided_by"),
        _text("funding_master_id"),
        _text("reversal_funding_master_id"),
    ),
    columns=_CB_COLUMNS,
    selected=[
        _C.id,
        _C.merchant_id,
        _C.case_number,
        _C.transaction_id,
        _SALE_DATE.label("trans_date"),
        _SALE_AMOUNT.label("trans_amount"),
        _SALE_ORDER.label("order_id"),
        _SALE_INVOICE.label("invoice_id"),
        _SALE_AUTH.label("auth_code"),
        _C.batch_id,
        _C.currency,
        _C.amount,
        _C.fee_amount,
        _C.reason_code,
        _C.reason_text,
        _C.card_brand,
        _C.last_four,
        _C.state,
        _C.source,
        _C.opened_at,
        _C.respond_by,
        _C.decided_at,
        _C.decided_by,
        _C.funding_master_id,
        _C.reversal_funding_master_id,
    ],
    time_field="chargeback_date",
    default_order=_C.opened_at,
    tie_breaker=_C.id,
    domains={"card_brand_id": BRANDS},
    build=schemas.chargeback_item,
)

# --------------------------------------------------------------------------- adjustments

_A = Adjustment
_CASE = select(Chargeback.case_number).where(Chargeback.id == _A.chargeback_id).scalar_subquery()
_FUNDING_DATE = (
    select(Deposit.deposit_date)
    .where(Deposit.funding_master_id == _A.funding_master_id)
    .scalar_subquery()
)
_ADJ_COLUMNS: dict[str, SQLColumnExpression[Any]] = {
    "id": _A.id,
    "mid": _A.merchant_id,
    "currency": _A.currency,
    "amount": _A.amount,
    "adjustment_type": _A.adjustment_type,
    "adjustment_reason": _A.adjustment_reason,
    "adjustment_date": _A.adjustment_date,
    "chargeback_id": _A.chargeback_id,
    "case_number": _CASE,
    "funding_master_id": _A.funding_master_id,
    "funding_date": _FUNDING_DATE,
}
ADJUSTMENTS = Source(
    name="adjustments",
    table=Adjustment.__table__,
    merchant_column=_A.merchant_id,
    fields=_fields(
        Field("id", Kind.INTEGER),
        Field("mid", Kind.MAPPED),
        _text("currency"),
        Field("amount", Kind.MONEY),
        _text("adjustment_type"),
        _text("adjustment_reason"),
        Field("adjustment_date", Kind.DATETIME),
        Field("chargeback_id", Kind.INTEGER),
        _text("case_number"),
        _text("funding_master_id"),
        Field("funding_date", Kind.DATE),
    ),
    columns=_ADJ_COLUMNS,
    selected=[
        _A.id,
        _A.merchant_id,
        _A.currency,
        _A.amount,
        _A.adjustment_type,
        _A.adjustment_reason,
        _A.adjustment_date,
        _A.chargeback_id,
        _CASE.label("case_number"),
        _A.funding_master_id,
        _FUNDING_DATE.label("funding_date"),
    ],
    time_field="adjustment_date",
    default_order=_A.adjustment_date,
    tie_breaker=_A.id,
    build=schemas.adjustment_item,
)

SOURCES: dict[str, Source] = {
    source.name: source for source in (TRANSACTIONS, DEPOSITS, CHARGEBACKS, ADJUSTMENTS)
}
