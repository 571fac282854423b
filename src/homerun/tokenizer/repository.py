"""All SQL for card tokens (always within one merchant)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.tokenizer.models import CardToken


async def by_token(session: AsyncSession, merchant_id: int, token: str) -> CardToken | None:
    return await session.scalar(
        select(CardToken).where(CardToken.token == token, CardToken.merchant_id == merchant_id)
    )


async def by_id(session: AsyncSession, merchant_id: int, card_id: int) -> CardToken | None:
    card = await session.get(CardToken, card_id)
    return card if card is not None and card.merchant_id == merchant_id else None


async def by_fingerprint(
    session: AsyncSession, merchant_id: int, fingerprint: str
) -> CardToken | None:
    return await session.scalar(
        select(CardToken).where(
            CardToken.merchant_id == merchant_id, CardToken.fingerprint == fingerprint
        )
    )


async def add(session: AsyncSession, card: CardToken) -> CardToken:
    session.add(card)
    await session.flush()
    return card
