"""Bank accounts in, tokens out (ruling R15); and back again for the bank file, never to
a client.

As with cards: tokens are per merchant, the same account (routing and account number)
always gets the same token within a merchant, and the account number is kept only
encrypted under the merchant's data key. A token says the payer's latest account type,
name and entry class: tokenizing the same account again updates them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ach.bank_accounts import AccountType, EntryClass
from homerun.keys import service as data_keys
from homerun.kit.ids import new_account_token
from homerun.runtime import Runtime
from homerun.tokenizer import repository
from homerun.tokenizer.models import AchToken
from homerun.tokenizer.service import could_be_token

_TOKEN_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class BankAccount:
    """What the payer typed, checked (ach.bank_accounts) before it gets here."""

    routing_number: str
    account_number: str
    account_type: AccountType
    holder_name: str
    entry_class: EntryClass


def fingerprint(runtime: Runtime, merchant_id: int, routing: str, account: str) -> str:
    return runtime.secret_hash(f"ach|{merchant_id}|{routing}|{account}")


def _context(merchant_id: int) -> bytes:
    return f"ach_tokens.account|{merchant_id}".encode()


async def tokenize(
    session: AsyncSession, runtime: Runtime, merchant_id: int, account: BankAccount
) -> AchToken:
    """The merchant's token for this bank account."""
    print_ = fingerprint(runtime, merchant_id, account.routing_number, account.account_number)
    existing = await repository.ach_by_fingerprint(session, merchant_id, print_)
    if existing is not None:
        _describe(existing, account)
        return existing
    key = await data_keys.for_merchant(session, runtime, merchant_id)
    for _ in range(_TOKEN_ATTEMPTS):
        token = new_account_token(account.account_number[-4:])
        if await repository.card_token_taken(session, token):
            continue  # one namespace of tokens across cards and bank accounts
        row = AchToken(
            merchant_id=merchant_id,
            token=token,
            fingerprint=print_,
            data_key_id=key.id,
            account_ciphertext=key.cipher.encrypt(account.account_number, _context(merchant_id)),
            routing_number=account.routing_number,
            last_four=account.account_number[-4:],
            created_at=runtime.clock.now(),
        )
        _describe(row, account)
        try:
            async with session.begin_nested():
                await repository.add_ach(session, row)
        except IntegrityError:
            # The same account at the same moment, or a taken token: look again, or redraw.
            existing = await repository.ach_by_fingerprint(session, merchant_id, print_)
            if existing is not None:
                _describe(existing, account)
                return existing
            continue
        return row
    raise RuntimeError("could not draw an unused account token")


def _describe(row: AchToken, account: BankAccount) -> None:
    # Only a real change makes the row dirty.
    if row.account_type != account.account_type:
        row.account_type = account.account_type
    if row.holder_name != account.holder_name:
        row.holder_name = account.holder_name
    if row.entry_class != account.entry_class:
        row.entry_class = account.entry_class


async def resolve(session: AsyncSession, merchant_id: int, token: str) -> AchToken | None:
    """The merchant's bank account behind a token; None for a token it does not own."""
    if not could_be_token(token):
        return None
    return await repository.ach_by_token(session, merchant_id, token)


async def by_id(session: AsyncSession, merchant_id: int, ach_id: int) -> AchToken | None:
    """A bank token row by its id (a vaulted account's), without opening the number."""
    return await repository.ach_by_id(session, merchant_id, ach_id)


async def account_number(session: AsyncSession, runtime: Runtime, row: AchToken) -> str:
    """The account number, unsealed: for the bank file alone."""
    cipher = await data_keys.by_id(session, runtime, row.data_key_id)
    return cipher.decrypt(row.account_ciphertext, _context(row.merchant_id))
