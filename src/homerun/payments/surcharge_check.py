"""Check Surcharge (spec §4.5): what a charge with this token and postal code would add."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.cards import CardNumberError, check_pan
from homerun.kit.money import apply_rate_bps, to_dollars
from homerun.merchants.models import Merchant
from homerun.payments.schemas import SurchargeRequest
from homerun.payments.service import require_own_mid
from homerun.payments.surcharge import is_restricted, surcharge_for
from homerun.processors.base import CardData
from homerun.processors.registry import processor_for
from homerun.runtime import Runtime
from homerun.tokenizer import service as tokenizer


async def check_surcharge(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: SurchargeRequest
) -> dict[str, Any]:
    require_own_mid(merchant, request.mid)
    postal = "RESTRICTED" if is_restricted(runtime.settings, request.postal) else "NOT_RESTRICTED"
    card_data = await _card_of(session, runtime, merchant, request.account_token)
    if card_data is None:
        return {
            "token": None,
            "postal": postal,
            "fee_amount": "0.00",
            "fee_rate": 0,
            "messages": ["account_token is not a known token"],
        }
    funding = processor_for(merchant.processor).profile(card_data).funding
    decision = surcharge_for(runtime.settings, merchant, funding, request.postal)
    messages = [decision.reason] if decision.reason else []
    fee = 0
    if decision.rate_bps and request.amount is None:
        messages.append("send amount to see the fee in dollars")
    elif decision.rate_bps and request.amount is not None:
        fee = apply_rate_bps(request.amount, decision.rate_bps)
    return {
        "token": funding,
        "postal": postal,
        "fee_amount": to_dollars(fee),
        "fee_rate": decision.rate_bps,
        "messages": messages,
    }


async def _card_of(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, account_token: str
) -> CardData | None:
    """The card behind one of the merchant's tokens; in the sandbox a test card number
    itself too (ruling R11)."""
    card = await tokenizer.resolve(session, runtime, merchant.id, account_token)
    if card is not None:
        return CardData(card.pan, card.token.brand, card.token.expiry, None)
    if (
        runtime.settings.mode.value != "sandbox"
        or account_token.startswith("9")
        or not (account_token.isascii() and account_token.isdigit())
    ):
        return None
    try:
        brand = check_pan(account_token)
    except CardNumberError:
        return None
    return CardData(account_token, brand, None, None)
