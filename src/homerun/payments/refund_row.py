"""The row of a refund: a transaction of its own, pointing at what it refunds."""

from __future__ import annotations

from datetime import datetime

from homerun.kit.money import AmountForm
from homerun.payments.codes import APPROVAL, Answer
from homerun.payments.models import Transaction
from homerun.payments.state import State


def refund_row(
    txn: Transaction,
    amount: int,
    fee: int,
    form: AmountForm,
    auth_code: str | None,
    now: datetime,
    *,
    state: State = State.CAPTURED,
    answer: Answer = APPROVAL,
) -> Transaction:
    """A refund's own row, the original's card (or bank account) and references copied: a
    card refund is captured at once; an ACH refund, a credit, is accepted for origination."""
    return Transaction(
        merchant_id=txn.merchant_id,
        kind="refund",
        state=state.value,
        parent_id=txn.id,
        currency=txn.currency,
        amount_form=form.value,
        amount_requested=amount,
        amount_authorized=amount,
        amount_captured=amount,
        amount_refunded=0,
        fee_rate_bps=txn.fee_rate_bps,
        fee_amount=fee,
        fee_refunded=0,
        result=answer.result,
        resp_code=answer.resp_code,
        resp_text=answer.resp_text,
        resp_proc=txn.resp_proc,
        auth_code=auth_code,
        avs_resp="",
        cvv_resp="",
        comm_card=txn.comm_card,
        card_brand=txn.card_brand,
        card_funding=txn.card_funding,
        bin=txn.bin,
        last_four=txn.last_four,
        account_token=txn.account_token,
        expiration=txn.expiration,
        order_id=txn.order_id,
        invoice_id=txn.invoice_id,
        user_identifier=txn.user_identifier,
        holder=txn.holder,
        custom=txn.custom,
        extra={},
        payment_method=txn.payment_method,
        ach_account_type=txn.ach_account_type,
        ach_routing_number=txn.ach_routing_number,
        ach_entry_class=txn.ach_entry_class,
        created_at=now,
        updated_at=now,
    )
