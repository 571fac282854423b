"""POST /homerun/v1/tokens: card number in, account_token out (public_key auth)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service as auth
from homerun.calls import AppRuntime, Route, keyed_session, runtime_of
from homerun.errors import ValidationFailed
from homerun.kit.cards import BRAND_IDS, CVV_LENGTH, CardNumberError
from homerun.kit.web import ERROR_RESPONSES, Json, json_response, require_bearer
from homerun.merchants.models import Merchant
from homerun.merchants.state import MERCHANT_TYPE_ID
from homerun.processors.base import CardData
from homerun.processors.registry import processor_for
from homerun.tokenizer import service
from homerun.tokenizer.bank_routes import bank_account_token
from homerun.tokenizer.schemas import (
    AchTokenizeAnswer,
    MerchantTypeAnswer,
    TokenizeAnswer,
    TokenizeRequest,
)

router = APIRouter(prefix="/homerun/v1", tags=["Homerun tokenizer"], route_class=Route)


async def _public_key_merchant(request: Request) -> Merchant:
    """The merchant whose Bearer public_key this is, read before the body is looked at."""
    runtime = runtime_of(request)
    public_key = require_bearer(request)
    async with runtime.db.transaction() as session:
        return await auth.authenticate_public_key(session, public_key)


PublicKeyMerchant = Annotated[Merchant, Depends(_public_key_merchant)]


def _public_key_scope(request: Request, _: Merchant) -> str:
    return "public:" + runtime_of(request).secret_hash(require_bearer(request))[:40]


# Keys kept per public key: the browser's credential.
PublicKeySession = Annotated[AsyncSession, keyed_session(_public_key_merchant, _public_key_scope)]


@router.post(
    "/tokens",
    response_model=TokenizeAnswer | AchTokenizeAnswer,
    responses=ERROR_RESPONSES,
    summary="Tokenize a card number, or a bank account with routing_number (Bearer public_key)",
)
async def tokenize(
    merchant: PublicKeyMerchant,
    body: Json[TokenizeRequest],
    session: PublicKeySession,
    runtime: AppRuntime,
) -> Response:
    if body.routing_number is not None:
        if not merchant.accepts.ach:
            raise ValidationFailed.field("routing_number", "this merchant does not take ACH")
        return json_response(await bank_account_token(session, runtime, merchant, body))
    if not merchant.accepts.cards:
        raise ValidationFailed.field(
            "account_number", "this merchant takes bank accounts only: send routing_number"
        )
    if "expiry" not in body.model_fields_set:
        raise ValidationFailed.field("expiry", "is required")
    pan = body.account_number.replace(" ", "").replace("-", "")
    expiry = body.expiry
    if expiry is not None and expiry.has_passed(runtime.clock.now().date()):
        raise ValidationFailed.field("expiry", "has passed")
    try:
        card = await service.tokenize(session, runtime, merchant.id, pan, expiry)
    except CardNumberError as problem:
        raise ValidationFailed.field("account_number", str(problem)) from None
    if body.cvv is not None and (
        not (body.cvv.isascii() and body.cvv.isdigit()) or len(body.cvv) != CVV_LENGTH[card.brand]
    ):
        raise ValidationFailed.field("cvv", f"must be {CVV_LENGTH[card.brand]} digits")
    profile = processor_for(merchant.processor).profile(
        CardData(pan, card.brand, expiry.mmyy if expiry else None, None)
    )
    return json_response(
        {
            "account_token": card.token,
            "token": card.token,
            "expiry": expiry.mmyy if expiry else "",
            "card_info": {
                "brand": card.brand,
                "card_brand_id": BRAND_IDS[card.brand],
                "bin": card.bin,
                "last_four": card.last_four,
                "funding": profile.funding,
            },
        }
    )


@router.get(
    "/tokenizer/merchant",
    response_model=MerchantTypeAnswer,
    responses=ERROR_RESPONSES,
    summary="What the public key's merchant takes, for Runner.js (Bearer public_key)",
)
async def merchant_type(merchant: PublicKeyMerchant) -> Response:
    # Runner.js shows card fields, bank-account fields or a choice (ruling R15).
    return json_response(
        {
            "mid": merchant.mid,
            "merchant_type_id": MERCHANT_TYPE_ID[merchant.accepts],
            "accepts": merchant.accepts,
        }
    )
