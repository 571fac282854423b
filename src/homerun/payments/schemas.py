"""Wire shapes of the Payments API transaction endpoints.

Lenient in what is accepted (numbers where strings are documented, every flag
form, unknown fields ignored), exact in what is answered.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
)

from homerun.ach.bank_accounts import EntryClass
from homerun.kit.money import MAX_MINOR, WireAmount, parse_charge_amount, parse_dollars
from homerun.kit.wire import MID, CardExpiry, Flag, ShortText, WireModel

# The JSON schemas below document the wire forms each type accepts (rulings R3, R4,
# R11), so that a client generated from the OpenAPI document sends valid shapes.
_CENTS_SCHEMA: dict[str, Any] = {
    "type": "integer",
    "minimum": 0,
    "maximum": MAX_MINOR,
    "description": "cents",
}
_CHARGE_AMOUNT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        _CENTS_SCHEMA,
        {
            "type": "string",
            "pattern": r"^(\d{1,9}\.\d{1,2}|\d{1,11})$",
            "description": 'dollars with a decimal point ("12.34"), else cents ("1234")',
        },
    ],
    "description": "Integer cents, or a string: dollars with a '.', digits alone mean cents "
    "(ruling R3). The answer echoes the form sent.",
    "examples": [1000, "10.00"],
}
_DOLLAR_AMOUNT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": r"^\d{1,9}(\.\d{1,2})?$"},
        {"type": "integer", "minimum": 0, "maximum": 999_999_999},
    ],
    "description": 'Decimal dollars, preferably as a string ("100.00"); a number means dollars.',
    "examples": ["100.00"],
}
ChargeAmount = Annotated[
    WireAmount, BeforeValidator(parse_charge_amount), WithJsonSchema(_CHARGE_AMOUNT_SCHEMA)
]
DollarAmount = Annotated[int, BeforeValidator(parse_dollars), WithJsonSchema(_DOLLAR_AMOUNT_SCHEMA)]

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


def holder_of(source: object) -> dict[str, Any]:
    """The holder fields `source` has a value for (a request, or a vaulted account)."""
    return {k: v for k in HOLDER_FIELDS if (v := getattr(source, k, None)) is not None}


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
    invoice_id: Annotated[str, Field(max_length=64)] | None = None  # column width
    user_identifier: Annotated[str, Field(max_length=64)] | None = None
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
        return holder_of(self)

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
    # One character for a card; for a bank account an entry class overriding the token's.
    com_ind: Annotated[str, Field(max_length=3)] | None = None
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
    custom_06: ShortText | None = Field(
        default=None, validation_alias=AliasChoices("custom_06", "custom06")
    )
    custom_07: ShortText | None = Field(
        default=None, validation_alias=AliasChoices("custom_07", "custom07")
    )
    custom_08: ShortText | None = Field(
        default=None, validation_alias=AliasChoices("custom_08", "custom08")
    )
    custom_09: ShortText | None = Field(
        default=None, validation_alias=AliasChoices("custom_09", "custom09")
    )
    custom_10: ShortText | None = Field(
        default=None, validation_alias=AliasChoices("custom_10", "custom10")
    )

    @field_validator("com_ind")
    @classmethod
    def _com_ind(cls, value: str | None) -> str | None:
        if value is not None and len(value) > 1 and value.upper() not in set(EntryClass):
            raise ValueError("must be one character, or for a bank account WEB, PPD, CCD or TEL")
        return value

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
    """The fields every transaction answer carries, refusals of unknown transactions included."""

    model_config = ConfigDict(extra="allow")

    result: Literal["A", "B", "C"] = Field(description="A approved, B retry, C declined")
    resp_code: str = Field(description="Issuer or gateway (PPS) response code")
    resp_text: str
    resp_proc: str = Field(description="Who answered: the processor, or PPS for the gateway")
    trans_id: str | None = Field(description="Numeric string")
    mid: str
    amount: int | str | None = Field(
        description="Integer cents or a dollar string, echoing the request's form (ruling R3)"
    )
    currency: str | None
    order_id: str | None
    auth_code: str | None
    user_identifier: str | None


class ChargeAnswer(TransactionAnswer):
    """A transaction's full answer (charge, capture, and refusals of a known transaction)."""

    trans_id: str = Field(description="Numeric string")
    amount: int | str = Field(
        description="Integer cents or a dollar string, echoing the request's form (ruling R3)"
    )
    currency: str
    order_id: str
    invoice_id: str | None
    authcode: str | None = Field(description="Same as auth_code")
    trans_date: str = Field(description="UTC, YYYY-MM-DDTHH:MM:SSZ")
    trans_type: str = Field(description="sale, auth, verify, void or refund")
    avs_resp: str
    cvv_resp: str
    fee_amount: str = Field(description="Surcharge in dollars, e.g. 0.30")
    fee_rate: int = Field(description="Surcharge rate in basis points")
    cof: str | None
    cof_sched: str | None
    cof_perm: str | None
    vault: str = Field(description="Y when the account was saved in the vault")
    vault_id: str | None = Field(
        description="uuid of the vaulted account charged, or saved by vault Y (ruling R8)"
    )
    vault_holder_id: str | None = Field(description="uuid of that account's vault holder")
    batch_id: str | None
    settlement_status: str | None
    card_number: str | None = Field(description="Masked, e.g. **** **** **** 1111")
    account: str | None = Field(description="Masked, same as card_number")
    card_type: str | None
    card_brand: str | None
    card_funding: str | None = Field(description="e.g. CREDIT or DEBIT")
    account_token: str | None
    expiration: str | None = Field(description="MMYY")
    comm_card: str = Field(description="Y for a corporate or purchasing card")
    name: str | None
    company_name: str | None
    address1: str | None
    address2: str | None
    city: str | None
    region: str | None
    country: str | None
    account_zip: str | None
    phone: str | None
    email: str | None
    custom_01: str | None
    custom_02: str | None
    custom_03: str | None
    custom_04: str | None
    custom_05: str | None
    custom_06: str | None
    custom_07: str | None
    custom_08: str | None
    custom_09: str | None
    custom_10: str | None


class ReversalAnswer(ChargeAnswer):
    """A void (the same trans_id) or a refund (a new trans_id)."""

    original_trans_id: str
    amount_refunded: int | str = Field(description="All refunded so far, in the request's form")


class RefusalAnswer(TransactionAnswer):
    """A move the gateway refused (spec section 11 PPS code); nothing changed.

    When the transaction is known, the answer also carries its full field set (as a charge).
    """

    reason: str = Field(description="Why, in words")


class SurchargeAnswer(BaseModel):
    token: str | None
    postal: str
    fee_amount: str
    fee_rate: int
    messages: list[str]


class AchReturnRequest(WireModel):
    """What the payer's bank sent back about an ACH payment (Homerun's admin action)."""

    return_code: Annotated[str, Field(min_length=3, max_length=3)]
    return_reason: Annotated[str, Field(min_length=1, max_length=100)] | None = None
