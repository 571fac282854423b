"""Wire shapes of the Payments API transaction endpoints.

Lenient in what is accepted (numbers where strings are documented, every flag
form, unknown fields ignored), exact in what is answered.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from homerun.kit.cards import Expiry, parse_expiry
from homerun.kit.flags import parse_flag
from homerun.kit.money import WireAmount, parse_charge_amount, parse_dollars

Flag = Annotated[bool, BeforeValidator(parse_flag)]
ChargeAmount = Annotated[WireAmount, BeforeValidator(parse_charge_amount)]
DollarAmount = Annotated[int, BeforeValidator(parse_dollars)]
CardExpiry = Annotated[Expiry, BeforeValidator(parse_expiry)]
MID = Annotated[str, Field(min_length=1, max_length=32)]
ShortText = Annotated[str, Field(max_length=255)]

HOLDER_FIELDS = (
    "name",
    "company_name",
    "address1",
    "address2",
    "city",
    "region",
    "country",
    "account_zip",
    "phone",
    "email",
)
CUSTOM_FIELDS = tuple(f"custom_{n:02d}" for n in range(1, 11))
LEVEL3_FIELDS = (
    "po_number",
    "tax_amount",
    "freight_amount",
    "duty_amount",
    "order_date",
    "shipping_zip",
    "origin_zip",
    "shipping_country",
    "terminal_id",
    "customer",
    "card_bin",
    "line_items",
)
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)


class HolderFields(WireModel):
    name: ShortText | None = None
    company_name: ShortText | None = None
    address1: ShortText | None = None
    address2: ShortText | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    country: ShortText | None = None
    account_zip: Annotated[str, Field(max_length=16)] | None = None
    phone: ShortText | None = None
    email: ShortText | None = None
    currency: str | None = None
    invoice_id: ShortText | None = None
    user_identifier: ShortText | None = None
    po_number: ShortText | None = None
    tax_amount: ShortText | None = None
    freight_amount: ShortText | None = None
    duty_amount: ShortText | None = None
    order_date: ShortText | None = None
    shipping_zip: ShortText | None = None
    origin_zip: ShortText | None = None
    shipping_country: ShortText | None = None
    line_items: list[Any] | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not _CURRENCY.match(value):
            raise ValueError("must be a 3-letter currency code such as USD")
        return value.upper()

    def holder(self) -> dict[str, Any]:
        return {k: v for k in HOLDER_FIELDS if (v := getattr(self, k)) is not None}

    def level3(self) -> dict[str, Any]:
        data = self.model_dump(include=set(LEVEL3_FIELDS), exclude_none=True)
        return dict(data)


class ChargeRequest(HolderFields):
    mid: MID
    amount: ChargeAmount
    account_token: Annotated[str, Field(max_length=64)] | None = None
    expiration: CardExpiry | None = None
    cvn: Annotated[str, Field(max_length=8)] | None = None
    capture: Flag = True
    vault: Flag = False
    vault_id: str | None = None
    vault_holder_id: str | None = None
    com_ind: Annotated[str, Field(max_length=1)] | None = None
    cof: Annotated[str, Field(pattern="^[CMcm]$")] | None = None
    cof_sched: Flag | None = None
    cof_perm: Flag | None = None
    order_id: Annotated[str, Field(max_length=64)] | None = None
    auth_code: ShortText | None = None
    terminal_id: ShortText | None = None
    customer: ShortText | None = None
    card_bin: ShortText | None = None
    comm_card: Flag | None = None
    custom_01: ShortText | None = None
    custom_02: ShortText | None = None
    custom_03: ShortText | None = None
    custom_04: ShortText | None = None
    custom_05: ShortText | None = None
    custom_06: ShortText | None = None
    custom_07: ShortText | None = None
    custom_08: ShortText | None = None
    custom_09: ShortText | None = None
    custom_10: ShortText | None = None

    def custom(self) -> dict[str, str]:
        return {k: v for k in CUSTOM_FIELDS if (v := getattr(self, k)) is not None}


class TransactionReference(HolderFields):
    trans_id: Annotated[str, Field(min_length=1, max_length=32)]
    mid: MID
    amount: ChargeAmount | None = None


class CaptureRequest(TransactionReference):
    auth_code: ShortText | None = None
    line_number: ShortText | None = None


class VoidOrRefundRequest(TransactionReference):
    action: Annotated[str, Field(pattern="^(?i:void|refund)$")] | None = None


class SurchargeRequest(WireModel):
    mid: MID
    postal: Annotated[str, Field(min_length=1, max_length=16)]
    account_token: Annotated[str, Field(min_length=1, max_length=64)]
    amount: DollarAmount | None = None


# ----- responses (documented for OpenAPI; built as dicts in the routes) -----


class TransactionAnswer(BaseModel):
    """The fields every transaction endpoint answers with."""

    model_config = ConfigDict(extra="allow")

    result: str = Field(description="A approved, B retry, C declined")
    resp_code: str
    resp_text: str
    resp_proc: str
    trans_id: str | None
    mid: str
    amount: int | str | None = Field(description="Echoes the request's form (ruling R3)")
    currency: str | None = None
    order_id: str | None = None
    auth_code: str | None = None
    user_identifier: str | None = None


class ChargeAnswer(TransactionAnswer):
    authcode: str | None = None
    trans_date: str | None = None
    trans_type: str | None = None
    avs_resp: str | None = None
    cvv_resp: str | None = None
    card_number: str | None = None
    account: str | None = None
    card_type: str | None = None
    card_brand: str | None = None
    expiration: str | None = None
    account_token: str | None = None
    invoice_id: str | None = None
    comm_card: str | None = None
    fee_amount: str | None = None
    fee_rate: int | None = None
    cof: str | None = None
    batch_id: str | None = None
    settlement_status: str | None = None


class SurchargeAnswer(BaseModel):
    token: str | None
    postal: str
    fee_amount: str
    fee_rate: int
    messages: list[str]
