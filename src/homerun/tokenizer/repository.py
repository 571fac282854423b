"""All SQL for card tokens (always within one merchant)."""

from __future__ import annotations

import typing
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CTE, String, Table, bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.db.writes import write
from homerun.tokenizer.models import AchToken, CardToken

_CARD_TOKENS = typing.cast(Table, CardToken.__table__)

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


@dataclass(frozen=True, slots=True)
class ExpiryWrite:
    """The expiry a charge brought for a card number whose token row it did not read
    (a remembered card): written with the charge, so the row ends as a look-up would
    have left it."""

    card_token_id: int
    expiry: str


_EXPIRY_BINDS = (
    bindparam("token_id", type_=_CARD_TOKENS.c.id.type),
    bindparam("token_expiry", type_=String),
)
# Written only when it changed: an unchanged expiry costs no row version.
_UPDATE_EXPIRY = (
    update(_CARD_TOKENS)
    .where(
        _CARD_TOKENS.c.id == _EXPIRY_BINDS[0],
        _CARD_TOKENS.c.expiry.is_distinct_from(_EXPIRY_BINDS[1]),
    )
    .values(expiry=_EXPIRY_BINDS[1])
)


def expiry_params(change: ExpiryWrite | None) -> dict[str, Any]:
    """The parameters of `expiry_part` (NULLs, matching no row, when there is none)."""
    if change is None:
        return {"token_id": None, "token_expiry": None}
    return {"token_id": change.card_token_id, "token_expiry": change.expiry}


def expiry_part(name: str) -> CTE:
    """PostgreSQL: the expiry update as a part of another write's data-modifying CTE, so
    that a charge and its card's expiry are one statement.

    Textual: as an update(), a statement combining it would also SET every card_tokens
    column named like one of the other parts' parameters (merchant_id, bin, ...)."""
    return (
        text(
            "UPDATE card_tokens SET expiry = :token_expiry"
            " WHERE id = :token_id AND expiry IS DISTINCT FROM :token_expiry"
        )
        .bindparams(*_EXPIRY_BINDS)
        .columns()
        .cte(name)
    )


async def write_expiry(session: AsyncSession, change: ExpiryWrite) -> None:
    """The expiry update as a statement of its own (SQLite, or a charge without event)."""
    await write(session, _UPDATE_EXPIRY, expiry_params(change))


# ---------------------------------------------------------------- bank accounts (ACH)

_ACH_BY_TOKEN = select(AchToken).where(
    AchToken.token == bindparam("token"), AchToken.merchant_id == bindparam("merchant_id")
)


async def ach_by_token(session: AsyncSession, merchant_id: int, token: str) -> AchToken | None:
    return await session.scalar(_ACH_BY_TOKEN, {"token": token, "merchant_id": merchant_id})


async def ach_by_tokens(
    session: AsyncSession, merchant_id: int, tokens: Collection[str]
) -> dict[str, AchToken]:
    """The merchant's bank tokens among `tokens` (a bank file's partition), by token."""
    if not tokens:
        return {}
    rows = await session.scalars(
        select(AchToken).where(AchToken.merchant_id == merchant_id, AchToken.token.in_(tokens))
    )
    return {row.token: row for row in rows}


async def ach_by_id(session: AsyncSession, merchant_id: int, ach_id: int) -> AchToken | None:
    row = await session.get(AchToken, ach_id)
    return row if row is not None and row.merchant_id == merchant_id else None


async def ach_by_fingerprint(
    session: AsyncSession, merchant_id: int, fingerprint: str
) -> AchToken | None:
    return await session.scalar(
        select(AchToken).where(
            AchToken.merchant_id == merchant_id, AchToken.fingerprint == fingerprint
        )
    )


async def card_token_taken(session: AsyncSession, token: str) -> bool:
    """Whether a card already has this token (a new bank token must not reuse it)."""
    return (await session.scalar(select(CardToken.id).where(CardToken.token == token))) is not None


async def add_ach(session: AsyncSession, row: AchToken) -> AchToken:
    session.add(row)
    await session.flush()
    return row
