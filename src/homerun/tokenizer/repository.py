"""All SQL for card tokens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.tokenizer.models import CardToken


async def by_token(session: AsyncSession, token: str) -> CardToken | None:
    return await session.scalar(select(CardToken).where(CardToken.token == token))


async def by_fingerprint(session: AsyncSession, fingerprint: str) -> CardToken | None:
    return await session.scalar(select(CardToken).where(CardToken.fingerprint == fingerprint))


async def add(session: AsyncSession, card: CardToken) -> CardToken:
    session.add(card)
    await session.flush()
    return card
