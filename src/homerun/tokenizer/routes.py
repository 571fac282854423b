"""POST /homerun/v1/tokens: card number in, account_token out (public_key auth)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service as auth
from homerun.calls import keyed, runtime_of
from homerun.errors import ValidationFailed
from homerun.kit.cards import BRAND_IDS, CVV_LENGTH, CardNumberError
from homerun.kit.web import ERROR_RESPONSES, body_schema, json_response, read_json, require_bearer
from homerun.processors.base import CardData
from homerun.processors.registry import processor_for
from homerun.tokenizer import service
from homerun.tokenizer.schemas import TokenizeAnswer, TokenizeRequest

router = APIRouter(prefix="/homerun/v1", tags=["Homerun tokenizer"])


@router.post(
    "/tokens",
    response_model=TokenizeAnswer,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(TokenizeRequest),
    summary="Tokenize a card number (Bearer public_key)",
)
async def tokenize(request: Request) -> Response:
    runtime = runtime_of(request)
    public_key = require_bearer(request)
    body = await read_json(request, TokenizeRequest)
    pan = body.account_number.replace(" ", "").replace("-", "")
    expiry = body.expiry
    if expiry is not None and expiry.has_passed(runtime.clock.now().date()):
        raise ValidationFailed.field("expiry", "has passed")

    async def work(session: AsyncSession) -> Response:
        merchant = await auth.authenticate_public_key(session, public_key)
        try:
            card = await service.tokenize(session, runtime, merchant.id, pan, expiry)
        except CardNumberError as problem:
            raise ValidationFailed.field("account_number", str(problem)) from None
        if body.cvv is not None and (
            not (body.cvv.isascii() and body.cvv.isdigit())
            or len(body.cvv) != CVV_LENGTH[card.brand]
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

    return await keyed(request, "public:" + runtime.secret_hash(public_key)[:40], work)
