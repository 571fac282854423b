"""Card numbers in, tokens out; and back again for the processor, never to a client.

The same card number always gets the same token (found by its keyed
fingerprint), like the tokens of the processors Run sits on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.cards import Expiry, check_pan
from homerun.kit.ids import new_account_token
from homerun.runtime import Runtime
from homerun.tokenizer import repository
from homerun.tokenizer.models import CardToken

_SEAL_CONTEXT = b"card_tokens.pan"


@dataclass(frozen=True, slots=True)
class Card:
    """A resolved card: its token row and the number, for the processor call only."""

    token: CardToken
    pan: str


async def tokenize(
    session: AsyncSession, runtime: Runtime, pan: str, expiry: Expiry | None
) -> CardToken:
    """The token for this card number (raises CardNumberError if it is not one)."""
    brand = check_pan(pan)
    fingerprint = runtime.secret_hash(pan)
    existing = await repository.by_fingerprint(session, fingerprint)
    if existing is not None:
        if expiry is not None:
            existing.expiry = expiry.mmyy
        return existing
    card = CardToken(
        token=new_account_token(pan[-4:]),
        fingerprint=fingerprint,
        pan_ciphertext=runtime.sealer.seal(pan, _SEAL_CONTEXT),
        brand=brand,
        bin=pan[:6],
        last_four=pan[-4:],
        expiry=expiry.mmyy if expiry else None,
        created_at=runtime.clock.now(),
    )
    try:
        async with session.begin_nested():
            await repository.add(session, card)
    except IntegrityError:
        # Another request tokenized the same card at the same moment: use its token.
        existing = await repository.by_fingerprint(session, fingerprint)
        assert existing is not None
        return existing
    return card


async def resolve(session: AsyncSession, runtime: Runtime, token: str) -> Card | None:
    row = await repository.by_token(session, token)
    if row is None:
        return None
    return Card(row, runtime.sealer.open(row.pan_ciphertext, _SEAL_CONTEXT))
