from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from homerun.ach.bank_accounts import AccountType, EntryClass
from homerun.kit.cards import Expiry, parse_expiry

CardExpiry = Annotated[
    Expiry, BeforeValidator(parse_expiry), WithJsonSchema({"type": "string", "example": "12/29"})
]


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


class TokenizeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)

    account_number: Annotated[str, Field(min_length=1, max_length=32)]
    # Required for a card (the route says so), but null tokenizes the number alone
    # (Runner.js with useExpiry off).
    expiry: CardExpiry | None = None
    cvv: Annotated[str, Field(max_length=8)] | None = None
    # A bank account (ruling R15) when routing_number is sent: the account number typed
    # twice, its type, the holder's name and the entry class (WEB by default).
    routing_number: Annotated[str, Field(max_length=32)] | None = None
    repeated_account_number: Annotated[str, Field(max_length=32)] | None = None
    account_type: Annotated[AccountType, BeforeValidator(_lower)] = AccountType.CHECKING
    name: Annotated[str, Field(max_length=100)] | None = None
    entry_class: Annotated[EntryClass, BeforeValidator(_upper)] = EntryClass.WEB


class CardInfo(BaseModel):
    brand: str
    card_brand_id: int
    bin: str
    last_four: str
    funding: str


class TokenizeAnswer(BaseModel):
    account_token: str
    token: str
    expiry: str
    card_info: CardInfo


class MerchantTypeAnswer(BaseModel):
    mid: str
    merchant_type_id: int  # 1 cards only, 2 ACH only, 3 both (ruling R15)
    accepts: str


class BankAccountInfo(BaseModel):
    routing_number: str
    last4: str
    account_type: str
    name: str
    entry_class: str


class RiskInfo(BaseModel):
    decision: str  # A accept, W accept with a warning, D decline
    reason: str


class AchTokenizeAnswer(BaseModel):
    """The R15 callback shape; `account_token` is "" when risk_info.decision is D."""

    account_token: str
    token: str
    expiry: str
    bank_account: BankAccountInfo
    risk_info: RiskInfo
    card_info: dict[str, str]
