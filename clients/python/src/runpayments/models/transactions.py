"""Payments API transactions: the charge, capture and void-or-refund answers as one value."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator

from .._amounts import Dollars, PaymentsAmount, WireDollars
from ._base import Answer, Request


class Result(StrEnum):
    APPROVED = "A"
    RETRY = "B"
    DECLINED = "C"


_RESULT_WORDS = {"APPROVED": "A", "APPROVAL": "A", "RETRY": "B", "DECLINED": "C"}


def _result(value: object) -> object:
    # Run's capture example answers "Approved" where every other page says "A".
    if isinstance(value, str):
        return _RESULT_WORDS.get(value.upper(), value.upper())
    return value


class Transaction(Answer):
    """What /charge, /capture and /void-or-refund answer, approved or not (ruling R5).

    `result` "A" approved, "B" retry later (the processor did not answer: ask again with a
    new request later, or reconcile; never resend blindly), "C" declined. Gateway refusals
    (capture of a voided transaction, refund beyond the captured amount, ...) come back the
    same way, with `reason` set.
    """

    result: Annotated[Result, BeforeValidator(_result)]
    resp_code: str
    resp_text: str
    resp_proc: str
    mid: str
    trans_id: str | None = None
    amount: PaymentsAmount | None = None
    amount_refunded: PaymentsAmount | None = None
    fee_amount: Dollars | None = None
    fee_rate: int | None = None
    currency: str | None = None
    reason: str | None = None
    original_trans_id: str | None = None
    order_id: str | None = None
    auth_code: str | None = None
    authcode: str | None = None
    invoice_id: str | None = None
    user_identifier: str | None = None
    trans_date: str | None = None
    trans_type: str | None = None
    avs_resp: str | None = None
    cvv_resp: str | None = None
    cof: str | None = None
    cof_sched: str | None = None
    cof_perm: str | None = None
    vault: str | None = None
    vault_id: str | None = None
    vault_holder_id: str | None = None
    batch_id: str | None = None
    settlement_status: str | None = None
    card_number: str | None = None
    account: str | None = None
    card_type: str | None = None
    card_brand: str | None = None
    card_funding: str | None = None
    account_token: str | None = None
    expiration: str | None = None
    comm_card: str | None = None
    name: str | None = None
    company_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    account_zip: str | None = None
    phone: str | None = None
    email: str | None = None
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

    @property
    def approved(self) -> bool:
        return self.result is Result.APPROVED

    @property
    def declined(self) -> bool:
        return self.result is Result.DECLINED

    @property
    def retry_later(self) -> bool:
        """The processor did not answer; the outcome is unknown until reconciled."""
        return self.result is Result.RETRY


class _Holder(Request):
    name: str | None = None
    company_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    account_zip: str | None = None
    phone: str | None = None
    email: str | None = None


class ChargeRequest(_Holder):
    """POST /api/v1/charge. `amount` is dollars (sent as "12.34"); `mid` defaults to the
    client's. Custom and level-2/3 fields may be passed as extra keywords."""

    amount: WireDollars
    mid: str | None = None
    account_token: str | None = None
    expiration: str | None = None
    cvn: str | None = None
    currency: str | None = None
    capture: bool = True
    com_ind: str | None = None
    cof: str | None = None
    cof_perm: str | None = None
    cof_sched: str | None = None
    order_id: str | None = None
    invoice_id: str | None = None
    user_identifier: str | None = None
    vault: bool | None = None
    vault_id: str | int | None = None
    vault_holder_id: str | None = None


class CaptureRequest(Request):
    """POST /api/v1/capture: the whole authorization, or `amount` dollars of it."""

    trans_id: str
    mid: str | None = None
    amount: WireDollars | None = None
    user_identifier: str | None = None
    invoice_id: str | None = None


class VoidOrRefundRequest(Request):
    """POST /api/v1/void-or-refund: void before settlement, refund after; `action` forces."""

    trans_id: str
    mid: str | None = None
    amount: WireDollars | None = None
    action: str | None = None
    user_identifier: str | None = None


class SurchargeRequest(Request):
    """POST /api/v1/surcharge: would a surcharge apply to this card and postal code?"""

    account_token: str
    postal: str
    mid: str | None = None
    amount: WireDollars | None = None


class Surcharge(Answer):
    token: str | None
    postal: str
    fee_amount: Dollars
    fee_rate: int
    messages: list[str]


__all__ = [
    "CaptureRequest",
    "ChargeRequest",
    "Result",
    "Surcharge",
    "SurchargeRequest",
    "Transaction",
    "VoidOrRefundRequest",
]
