"""Response bodies of the transaction endpoints, built from rows and results."""

from __future__ import annotations

from typing import Any

from homerun.ach.bank_accounts import mask_account
from homerun.ach.returns import reason_of
from homerun.kit.cards import mask
from homerun.kit.flags import yn
from homerun.kit.money import AmountForm, echo, to_dollars
from homerun.payments.codes import GATEWAY_PROC
from homerun.payments.row import AnyTransaction
from homerun.payments.schemas import CUSTOM_FIELDS, HOLDER_FIELDS
from homerun.payments.service import Refusal, Reversal
from homerun.payments.state import SETTLEMENT_STATUS, PaymentMethod, State
from homerun.payments.surcharge import fee_held


def _card_fields(txn: AnyTransaction) -> dict[str, Any]:
    if txn.payment_method is PaymentMethod.ACH:
        return _bank_fields(txn)
    masked = mask(txn.last_four)
    return {
        "card_number": masked,
        "account": masked,
        "card_type": txn.card_brand,
        "card_brand": txn.card_brand,
        "card_funding": txn.card_funding,
        "account_token": txn.account_token,
        "expiration": txn.expiration,
        "comm_card": yn(txn.comm_card),
    }


def _bank_fields(txn: AnyTransaction) -> dict[str, Any]:
    """A bank payment (ruling R15): "ACH" for the brand, the account masked to its last
    four, no expiry, and what the payer's bank sent back, if anything."""
    masked = mask_account(txn.last_four)
    return {
        "card_number": masked,
        "account": masked,
        "card_type": txn.card_brand,
        "card_brand": txn.card_brand,
        "card_funding": None,
        "account_token": txn.account_token,
        "expiration": None,
        "comm_card": "N",
        "payment_method": txn.payment_method.value,
        "account_type": txn.ach_account_type,
        "routing_number": txn.ach_routing_number,
        "entry_class": txn.ach_entry_class,
        "return_code": txn.ach_return_code,
        "return_reason": txn.ach_return_reason,
        "change_code": txn.ach_change_code,
        "change_reason": reason_of(txn.ach_change_code) if txn.ach_change_code else None,
    }


def _base(txn: AnyTransaction, mid: str, amount: int, form: AmountForm) -> dict[str, Any]:
    return {
        "result": txn.result,
        "resp_code": txn.resp_code,
        "resp_text": txn.resp_text,
        "resp_proc": txn.resp_proc,
        "trans_id": str(txn.id),
        "mid": mid,
        "amount": echo(amount, form),
        "currency": txn.currency,
        "order_id": txn.order_id,
        "invoice_id": txn.invoice_id,
        "auth_code": txn.auth_code,
        "authcode": txn.auth_code,
        "user_identifier": txn.user_identifier,
    }


def transaction(
    txn: AnyTransaction, mid: str, *, amount: int | None = None, form: AmountForm | None = None
) -> dict[str, Any]:
    """The full field set of a charge-like answer."""
    form = form or AmountForm(txn.amount_form)
    shown = (
        amount
        if amount is not None
        else (txn.amount_captured or txn.amount_authorized or txn.amount_requested)
    )
    body = _base(txn, mid, shown, form)
    body.update(
        trans_date=txn.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        trans_type=txn.kind,
        avs_resp=txn.avs_resp,
        cvv_resp=txn.cvv_resp,
        fee_amount=to_dollars(fee_held(txn)),
        fee_rate=txn.fee_rate_bps,
        cof=txn.cof,
        cof_sched=txn.cof_sched,
        cof_perm=txn.cof_perm,
        vault=yn(txn.vaulted),
        vault_id=txn.vault_id,
        vault_holder_id=txn.vault_holder_id,
        batch_id=txn.batch_id,
        settlement_status=SETTLEMENT_STATUS[State(txn.state)],
        **_card_fields(txn),
    )
    for field in HOLDER_FIELDS:
        body[field] = txn.holder.get(field)
    for field in CUSTOM_FIELDS:
        body[field] = txn.custom.get(field)
    return body


def reversal(rev: Reversal, mid: str) -> dict[str, Any]:
    body = transaction(rev.txn, mid, amount=rev.amount, form=rev.form)
    body.update(
        trans_type=rev.kind,
        fee_amount=to_dollars(rev.fee),
        original_trans_id=str(rev.original.id),
        amount_refunded=echo(rev.original.amount_refunded, rev.form),
    )
    return body


def refusal(ref: Refusal, mid: str) -> dict[str, Any]:
    """An illegal or impossible move: PPS code, nothing changed."""
    body: dict[str, Any]
    if ref.original is not None:
        body = transaction(ref.original, mid, amount=ref.amount or None, form=ref.amount_form)
    else:
        body = {
            "trans_id": ref.trans_id,
            "mid": mid,
            "amount": echo(ref.amount, ref.amount_form) if ref.amount is not None else None,
            "currency": None,
            "order_id": None,
            "auth_code": None,
            "user_identifier": None,
        }
    body.update(
        result=ref.answer.result,
        resp_code=ref.answer.resp_code,
        resp_text=ref.answer.resp_text,
        resp_proc=GATEWAY_PROC,
        reason=ref.detail,
    )
    return body
