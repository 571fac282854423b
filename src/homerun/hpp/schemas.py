"""Wire shapes of hosted payment pages: the Payments API bodies, Homerun's own views,
and the shopper's form.

Amounts arrive as decimal-dollar strings (numbers accepted, ruling R3) and flags in
every form of ruling R4; both become integers and booleans here, and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
)

from homerun.hpp.models import HostedPage
from homerun.kit.flags import parse_flag
from homerun.kit.money import AmountError, parse_dollars, to_dollars
from homerun.payments.row import AnyTransaction

OPTION_NAMES = (
    "address",
    "phone",
    "email",
    "invoice_id",
    "custom_01",
    "custom_02",
    "custom_03",
    "custom_04",
    "custom_05",
)
CLIENT_ID = re.compile(r"^[0-9A-F]{32}$")
_CUSTOM = re.compile(r"^custom_?0?([1-5])$")


def normalize_client_id(value: str | None) -> str | None:
    """The canonical (upper-case) client id, or None when it cannot be one."""
    if value is None:
        return None
    text = value.strip().upper()
    return text if CLIENT_ID.match(text) else None


def _option_name(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be one of {', '.join(OPTION_NAMES)}")
    text = value.strip().lower()
    custom = _CUSTOM.match(text)
    if custom:
        return f"custom_0{custom.group(1)}"
    if text in OPTION_NAMES:
        return text
    raise ValueError(f"must be one of {', '.join(OPTION_NAMES)}")


def _optional_flag(value: object) -> bool | None:
    return None if value is None else parse_flag(value)


def _optional_dollars(value: object) -> int | None:
    """Decimal dollars ("12.34", 12.34, 12); "" and null mean "no amount"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_dollars(value)


_FLAG_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "boolean"}, {"type": "string"}, {"type": "integer"}, {"type": "null"}],
        "description": 'A flag: "true"/"false", true/false, "Y"/"N", "1"/"0" or 1/0',
    }
)
_DOLLAR_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}],
        "description": 'Decimal dollars such as "12.34" (numbers accepted)',
        "example": "99.99",
    }
)
OptionalFlag = Annotated[bool | None, BeforeValidator(_optional_flag), _FLAG_SCHEMA]
Dollars = Annotated[int | None, BeforeValidator(_optional_dollars), _DOLLAR_SCHEMA]
OptionName = Annotated[
    str,
    BeforeValidator(_option_name),
    WithJsonSchema({"type": "string", "enum": list(OPTION_NAMES)}),
]
Text200 = Annotated[str, Field(max_length=200)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)


class HppOption(WireModel):
    name: OptionName
    value: Text200 | None = None
    is_readonly: OptionalFlag = None
    is_required: OptionalFlag = None
    label: Annotated[str, Field(max_length=80)] | None = Field(
        default=None, description="Homerun extension: the label shown for a custom field"
    )

    def stored(self) -> dict[str, Any]:
        value = self.value or None
        if self.name == "address":
            value = None  # an address cannot be preset (spec §4.6)
        return {
            "name": self.name,
            "value": value,
            "is_readonly": bool(self.is_readonly) and self.name != "address",
            "is_required": bool(self.is_required),
            "label": self.label or None,
        }


class HppFields(WireModel):
    """Every field of Create and Edit; on Edit only the fields sent are changed."""

    cc_mid: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    name: Text200 | None = None
    name_on_account: Text200 | None = None
    amount: Dollars = None
    lock_amount: OptionalFlag = None
    disable_after_payment: OptionalFlag = None
    min_amount: Dollars = None
    max_amount: Dollars = None
    hpp_options: list[HppOption] | None = None

    @property
    def mid(self) -> str | None:
        """The MID the body names, for the `mid` header check (ruling R2)."""
        return self.cc_mid

    @field_validator("amount", "max_amount")
    @classmethod
    def _positive(cls, value: int | None) -> int | None:
        if value == 0:
            raise ValueError("must be more than 0.00")
        return value

    @field_validator("hpp_options")
    @classmethod
    def _distinct(cls, value: list[HppOption] | None) -> list[HppOption] | None:
        if value is None:
            return None
        seen: set[str] = set()
        for option in value:
            if option.name in seen:
                raise ValueError(f"{option.name} appears more than once")
            seen.add(option.name)
        return value

    def sent(self) -> set[str]:
        return set(self.model_fields_set)

    def stored_options(self) -> list[dict[str, Any]] | None:
        return None if self.hpp_options is None else [o.stored() for o in self.hpp_options]


class HppCreate(HppFields):
    cc_mid: Annotated[str, Field(min_length=1, max_length=32)]


class HppEdit(HppFields):
    pass


# ---------------------------------------------------------------- answers


class HppAnswer(BaseModel):
    success: bool
    message: str
    url: str
    client_id: str = Field(description="Homerun extension: the page's client id")


class HppOptionOut(BaseModel):
    name: str
    value: str | None
    is_readonly: bool
    is_required: bool
    label: str | None = None


class HppOut(BaseModel):
    client_id: str
    url: str
    cc_mid: str
    name: str | None
    name_on_account: str | None
    amount: str | None
    min_amount: str | None
    max_amount: str | None
    lock_amount: bool
    disable_after_payment: bool
    hpp_options: list[HppOptionOut]
    status: str
    disabled_reason: str | None
    payment_count: int
    last_paid_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, page: HostedPage, mid: str, url: str) -> HppOut:
        return cls(
            client_id=page.client_id,
            url=url,
            cc_mid=mid,
            name=page.name,
            name_on_account=page.name_on_account,
            amount=_dollars_or_none(page.amount),
            min_amount=_dollars_or_none(page.min_amount),
            max_amount=_dollars_or_none(page.max_amount),
            lock_amount=page.lock_amount,
            disable_after_payment=page.disable_after_payment,
            hpp_options=[HppOptionOut.model_validate(o) for o in page.options],
            status=page.status,
            disabled_reason=page.disabled_reason,
            payment_count=page.payment_count,
            last_paid_at=page.last_paid_at,
            created_at=page.created_at,
            updated_at=page.updated_at,
        )


class HppPaymentOut(BaseModel):
    trans_id: str
    amount: str
    currency: str
    result: str
    card_brand: str | None
    last_four: str | None
    paid_at: datetime

    @classmethod
    def of(cls, txn: AnyTransaction) -> HppPaymentOut:
        return cls(
            trans_id=str(txn.id),
            amount=to_dollars(txn.amount_captured + txn.fee_amount),
            currency=txn.currency,
            result=txn.result,
            card_brand=txn.card_brand,
            last_four=txn.last_four,
            paid_at=txn.created_at,
        )


class HppDetail(HppOut):
    payments: list[HppPaymentOut]


class HppList(BaseModel):
    items: list[HppOut]
    count: int
    limit: int
    offset: int
    has_more: bool


def _dollars_or_none(minor: int | None) -> str | None:
    return None if minor is None else to_dollars(minor)


def dollars(minor: int) -> str:
    return to_dollars(minor)


def money_text(minor: int, currency: str) -> str:
    """An amount as the shopper reads it: "$12.34", or "12.34 EUR" for other currencies."""
    return f"${to_dollars(minor)}" if currency == "USD" else f"{to_dollars(minor)} {currency}"


# ---------------------------------------------------------------- the shopper's form

OPTION_INPUTS: dict[str, tuple[str, ...]] = {
    "address": ("address1", "city", "region", "account_zip"),
    "phone": ("phone",),
    "email": ("email",),
    "invoice_id": ("invoice_id",),
    **{f"custom_0{n}": (f"custom_0{n}",) for n in range(1, 6)},
}
_MAX_INPUT = 200


@dataclass
class PaymentInput:
    """The shopper's form, parsed; card fields are kept only for this request."""

    attempt: str | None
    amount: int | None
    amount_text: str
    name: str
    card_number: str
    expiry: str
    cvv: str
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    # A bank account (a MID that takes ACH): "card" or "bank" as the shopper chose.
    method: str = ""
    routing_number: str = ""
    account_number: str = ""
    repeated_account_number: str = ""
    account_type: str = ""
    account_name: str = ""


def read_payment_form(form: Mapping[str, str]) -> PaymentInput:
    """Parse an x-www-form-urlencoded payment; the amount becomes minor units here."""

    def text(name: str) -> str:
        return (form.get(name) or "").strip()[:_MAX_INPUT]

    attempt = text("attempt").lower()
    errors: dict[str, str] = {}
    amount_text = text("amount")
    amount: int | None = None
    if amount_text:
        cleaned = amount_text.replace("$", "").replace(",", "").replace(" ", "")
        try:
            amount = parse_dollars(cleaned)
        except AmountError:
            errors["amount"] = "Enter the amount in dollars and cents, such as 12.34"
    values = {
        name: text(name)
        for inputs in OPTION_INPUTS.values()
        for name in inputs
        if text(name)  # empty inputs are simply absent
    }
    return PaymentInput(
        attempt=attempt if re.fullmatch(r"[0-9a-f]{32}", attempt) else None,
        amount=amount,
        amount_text=amount_text,
        name=text("name"),
        card_number=re.sub(r"[\s-]", "", text("card_number")),
        expiry=text("expiry"),
        cvv=text("cvv"),
        values=values,
        errors=errors,
        method=text("method").lower(),
        routing_number=re.sub(r"[\s-]", "", text("routing_number")),
        account_number=re.sub(r"[\s-]", "", text("account_number")),
        repeated_account_number=re.sub(r"[\s-]", "", text("repeated_account_number")),
        account_type=text("account_type").lower(),
        account_name=text("account_name"),
    )
