"""All SQL for card tokens (always within one merchant)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.tokenizer.models import CardToken

# Every charge runs one of these two: built once, so a call only binds its values.
_BY_TOKEN = select(CardToken).where(
    CardToken.token == bindparam("token"), CardToken.merchant_id == bindparam("merchant_id")
)
_BY_FINGERPRINT = select(CardToken).where(
    CardToken.merchant_id == bindparam("merchant_id"),
    CardToken.fingerprint == bindparam("fingerprint"),
)


async def by_token(session: AsyncSession, merchant_id: int, token: str) -> CardToken | None:
    return await session.scalar(_BY_TOKEN, {"token": token, "merchant_id": merchant_id})


async def by_id(session: AsyncSession, merchant_id: int, card_id: int) -> CardToken | None:
    card = await session.get(CardToken, card_id)
    return card if card is not None and card.merchant_id == merchant_id else None


async def by_fingerprint(
    session: AsyncSession, merchant_id: int, fingerprint: str
) -> CardToken | None:
    return await session.scalar(
        _BY_FINGERPRINT, {"merchant_id": merchant_id, "fingerprint": fingerprint}
    )


async def add(session: AsyncSession, card: CardToken) -> CardToken:
    session.add(card)
    await session.flush()
    return card
