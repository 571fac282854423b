from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from homerun.kit.cards import Expiry, parse_expiry

CardExpiry = Annotated[
    Expiry, BeforeValidator(parse_expiry), WithJsonSchema({"type": "string", "example": "12/29"})
]


class TokenizeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, str_strip_whitespace=True)

    account_number: Annotated[str, Field(min_length=1, max_length=32)]
    # Required, but null tokenizes the number alone (Runner.js with useExpiry off).
    expiry: CardExpiry | None
    cvv: Annotated[str, Field(max_length=8)] | None = None


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
