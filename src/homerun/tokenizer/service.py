"""Card numbers in, tokens out; and back again for the processor, never to a client.

Tokens are per merchant. Within a merchant the same card number always gets the same
token (found by its keyed fingerprint), like the tokens of the processors Run sits on.
The number itself is kept only encrypted under the merchant's data key (homerun.keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.keys import service as data_keys
from homerun.kit.cards import Expiry, check_pan
from homerun.kit.db.writes import after_commit
from homerun.kit.ids import luhn_valid, new_account_token
from homerun.runtime import Runtime
from homerun.tokenizer import cache, repository
from homerun.tokenizer.models import CardToken

_TOKEN_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Card:
    """A resolved card: its token row and the number, for the processor call only."""

    token: CardToken
    pan: str
    # A card number found in runtime.known_cards (tokenize_for_charge): its row was not
    # read, so the charge writes the request's expiry onto it with its own statement.
    # (A remembered token's snapshot has no expiry either, but a charge by token writes
    # none: the token keeps the expiry it was made with.)
    expiry_write: repository.ExpiryWrite | None = None


def fingerprint(runtime: Runtime, merchant_id: int, pan: str) -> str:
    """Keyed HMAC of the card number within one merchant (no cross-merchant linking)."""
    return runtime.secret_hash(f"card|{merchant_id}|{pan}")


def _context(merchant_id: int) -> bytes:
    return f"card_tokens.pan|{merchant_id}".encode()


async def tokenize(
    session: AsyncSession, runtime: Runtime, merchant_id: int, pan: str, expiry: Expiry | None
) -> CardToken:
    """The merchant's token for this card number (raises CardNumberError if it is not one)."""
    brand = check_pan(pan)
    print_ = fingerprint(runtime, merchant_id, pan)
    existing = await repository.by_fingerprint(session, merchant_id, print_)
    if existing is not None:
        if expiry is not None and existing.expiry != expiry.mmyy:
            existing.expiry = expiry.mmyy  # only a real change makes the row dirty
        return existing
    key = await data_keys.for_merchant(session, runtime, merchant_id)
    for _ in range(_TOKEN_ATTEMPTS):
        card = CardToken(
            merchant_id=merchant_id,
            token=new_account_token(pan[-4:]),
            fingerprint=print_,
            data_key_id=key.id,
            pan_ciphertext=key.cipher.encrypt(pan, _context(merchant_id)),
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
            existing = await repository.by_fingerprint(session, merchant_id, print_)
            if existing is not None:
                return existing
            continue  # the random token was taken (by another card): draw again
        return card
    raise RuntimeError("could not draw an unused account token")


async def tokenize_for_charge(
    session: AsyncSession, runtime: Runtime, merchant_id: int, pan: str, expiry: Expiry
) -> Card:
    """tokenize() for a charge that brings the card's expiry: a card this process has
    met before is not looked up again (its Card then carries the write of `expiry` onto
    its row, for the charge to make). A known fingerprint is a number that passed
    check_pan when it was first tokenized."""
    known = cache.by_fingerprint(
        runtime.known_cards, merchant_id, fingerprint(runtime, merchant_id, pan)
    )
    if known is not None:
        return Card(known, pan, repository.ExpiryWrite(known.id, expiry.mmyy))
    row = await tokenize(session, runtime, merchant_id, pan, expiry)
    _remember_once_committed(session, runtime, row)
    return Card(row, pan)


def _remember_once_committed(session: AsyncSession, runtime: Runtime, row: CardToken) -> None:
    # A row this unit of work made (here or before the charge) may yet roll back.
    after_commit(session, partial(cache.remember, runtime.known_cards, row))


async def open_card(session: AsyncSession, runtime: Runtime, row: CardToken) -> Card:
    cipher = await data_keys.by_id(session, runtime, row.data_key_id)
    return Card(row, cipher.decrypt(row.pan_ciphertext, _context(row.merchant_id)))


def could_be_token(value: str) -> bool:
    """Every token is 16 digits, starts with 9 and fails the Luhn check (ruling R11)."""
    return (
        len(value) == 16
        and value.isascii()
        and value.isdigit()
        and value.startswith("9")
        and not luhn_valid(value)
    )


async def resolve(
    session: AsyncSession, runtime: Runtime, merchant_id: int, token: str
) -> Card | None:
    """The merchant's card behind a token; None for a token it does not own.

    Anything that cannot be a token (a card number sent as account_token, say) is never
    looked up: it would travel to the database as a query parameter.
    """
    if not could_be_token(token):
        return None
    row = await repository.by_token(session, merchant_id, token)
    if row is None:
        return None
    return await open_card(session, runtime, row)


async def resolve_for_charge(
    session: AsyncSession, runtime: Runtime, merchant_id: int, token: str
) -> Card | None:
    """resolve() for a charge that brings its own expiry: a token this process has
    resolved before is not looked up again (only its number is unsealed)."""
    if not could_be_token(token):
        return None
    known = cache.by_token(runtime.known_cards, merchant_id, token)
    if known is not None:
        return await open_card(session, runtime, known)
    card = await resolve(session, runtime, merchant_id, token)
    if card is not None:
        _remember_once_committed(session, runtime, card.token)
    return card


async def card_by_id(
    session: AsyncSession, runtime: Runtime, merchant_id: int, card_id: int
) -> Card | None:
    row = await repository.by_id(session, merchant_id, card_id)
    if row is None:
        return None
    return await open_card(session, runtime, row)


async def token_row(session: AsyncSession, merchant_id: int, card_id: int) -> CardToken | None:
    """A token row without opening the number (for answers that show the token)."""
    return await repository.by_id(session, merchant_id, card_id)
