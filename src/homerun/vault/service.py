"""The vault's rules: holders, accounts, identifier forms (R8), defaults, soft delete.

Every function works within one merchant. Accounts are found by any identifier form
of ruling R8: the integer id, its string, or the uuid (and the legacy "vault_<id>").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import Conflict, Forbidden, NotFound, ValidationFailed
from homerun.kit.cards import CardNumberError, Expiry
from homerun.kit.ids import new_uuid4, new_uuid7, normalise_uuid
from homerun.merchants.models import Merchant
from homerun.processors.base import CardData
from homerun.processors.registry import processor_for
from homerun.runtime import Runtime
from homerun.tokenizer import service as tokenizer
from homerun.tokenizer.models import CardToken
from homerun.tokenizer.service import Card
from homerun.vault import repository
from homerun.vault.models import PaymentAccount, VaultHolder
from homerun.vault.schemas import CreateAccountRequest, UpdateAccountRequest

ACCOUNT_TYPE = {"CREDIT": 1, "DEBIT": 2}
_MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class AccountRef:
    """A parsed vault identifier: exactly one of id and uuid is set."""

    id: int | None = None
    uuid: str | None = None


def parse_ref(text: str) -> AccountRef | None:
    """Integer, its string, "vault_<id>" (legacy), or a uuid; None for anything else."""
    value = text.strip()
    digits = value.removeprefix("vault_")
    if digits.isascii() and digits.isdigit() and len(digits) <= 19 and int(digits) <= _MAX_ID:
        return AccountRef(id=int(digits))
    uuid = normalise_uuid(value)
    return AccountRef(uuid=uuid) if uuid else None


@dataclass(frozen=True, slots=True)
class Stored:
    """An account with what its answers show: the holder and the token row."""

    account: PaymentAccount
    holder: VaultHolder
    token: CardToken


@dataclass(frozen=True, slots=True)
class ChargeAccount:
    """A vaulted account resolved for a charge, with its card opened for the processor."""

    account: PaymentAccount
    holder: VaultHolder
    card: Card


def _own_mid(merchant: Merchant, mid: str | None) -> None:
    if mid is not None and mid != merchant.mid:
        raise Forbidden("mid: this credential does not belong to that merchant")


async def _find(
    session: AsyncSession, merchant: Merchant, ref: AccountRef, *, lock: bool = False
) -> PaymentAccount | None:
    return await repository.account(
        session, merchant.id, account_id=ref.id, uuid=ref.uuid, lock=lock
    )


async def _stored(session: AsyncSession, account: PaymentAccount) -> Stored:
    holder = await repository.holder_by_id(session, account.holder_id)
    token = await tokenizer.token_row(session, account.merchant_id, account.card_token_id)
    assert holder is not None and token is not None
    return Stored(account, holder, token)


async def _require(
    session: AsyncSession, merchant: Merchant, identifier: str, *, lock: bool = False
) -> PaymentAccount:
    ref = parse_ref(identifier)
    account = await _find(session, merchant, ref, lock=lock) if ref else None
    if account is None:
        raise NotFound(f"vault payment account {identifier} not found")
    return account


async def _card(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    account_token: str,
    expiration: Expiry | None,
) -> Card:
    """The merchant's card behind account_token (a test card number too, in the sandbox)."""
    card = await tokenizer.resolve(session, runtime, merchant.id, account_token)
    if card is not None:
        if expiration is not None:
            card.token.expiry = expiration.mmyy
        return card
    sandbox = runtime.settings.mode.value == "sandbox"
    digits = account_token.isascii() and account_token.isdigit()
    if sandbox and digits and not account_token.startswith("9"):
        try:
            row = await tokenizer.tokenize(session, runtime, merchant.id, account_token, expiration)
        except CardNumberError as problem:
            raise ValidationFailed.field("account_token", str(problem)) from None
        return Card(row, account_token)
    raise ValidationFailed.field("account_token", "is not a token this merchant was given")


def _funding(merchant: Merchant, card: Card, expiry: str | None) -> int:
    profile = processor_for(merchant.processor).profile(
        CardData(card.pan, card.token.brand, expiry, None)
    )
    return ACCOUNT_TYPE.get(profile.funding, 1)


def _apply_card(account: PaymentAccount, card: Card, account_type: int, expiry: str | None) -> None:
    account.card_token_id = card.token.id
    account.brand = card.token.brand
    account.account_type = account_type
    account.last_four = card.token.last_four
    account.expiry = expiry


def _apply_details(account: PaymentAccount, details: dict[str, Any]) -> None:
    for name, value in details.items():
        setattr(account, name, value)


async def _make_default(session: AsyncSession, account: PaymentAccount) -> None:
    account.is_default = True
    await repository.clear_default(session, account.holder_id, account.id)


async def _holder_for_create(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: CreateAccountRequest
) -> VaultHolder:
    if request.vault_holder_id:
        holder = await holder_for(session, merchant, request.vault_holder_id, lock=True)
        if holder is None:
            raise NotFound(f"vault holder {request.vault_holder_id} not found")
        return holder
    if request.vault_id:
        # An account of an existing vault: the new account joins its holder. An id that
        # names none of the merchant's accounts is ignored (the docs' example sends 1).
        ref = parse_ref(request.vault_id)
        sibling = await _find(session, merchant, ref) if ref else None
        if sibling is not None:
            holder = await repository.holder_by_id(session, sibling.holder_id, lock=True)
            assert holder is not None
            return holder
    return await new_holder(session, runtime, merchant)


async def new_holder(session: AsyncSession, runtime: Runtime, merchant: Merchant) -> VaultHolder:
    holder = VaultHolder(uuid=new_uuid4(), merchant_id=merchant.id, created_at=runtime.clock.now())
    return await repository.add_holder(session, holder)


async def holder_for(
    session: AsyncSession, merchant: Merchant, holder_id: str, *, lock: bool = False
) -> VaultHolder | None:
    uuid = normalise_uuid(holder_id)
    if uuid is None:
        return None
    return await repository.holder_by_uuid(session, merchant.id, uuid, lock=lock)


async def _new_account(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    holder: VaultHolder,
    card: Card,
    *,
    expiry: str | None,
    account_type: int,
    details: dict[str, Any],
    cof_permission: bool,
    is_default: bool | None,
) -> PaymentAccount:
    now = runtime.clock.now()
    account = PaymentAccount(
        uuid=new_uuid7(now),
        merchant_id=merchant.id,
        holder_id=holder.id,
        is_default=False,
        is_deleted=False,
        cof_permission=cof_permission,
        created_at=now,
        updated_at=now,
    )
    _apply_card(account, card, account_type, expiry)
    _apply_details(account, details)
    current = await repository.default_account(session, holder.id)
    await repository.add_account(session, account)
    # The holder's first account is its default; a later one when asked, or when no
    # other account is flagged as the default.
    if current is None or is_default or (is_default is None and not current.is_default):
        await _make_default(session, account)
    return account


# ----------------------------------------------------------------------------- endpoints


async def create(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: CreateAccountRequest
) -> Stored:
    """Create Vault Payment Account: store a tokenized card, charging nothing."""
    _own_mid(merchant, request.mid)
    card = await _card(session, runtime, merchant, request.account_token, request.expiration)
    expiry = request.expiration.mmyy if request.expiration else card.token.expiry
    holder = await _holder_for_create(session, runtime, merchant, request)
    account = await _new_account(
        session,
        runtime,
        merchant,
        holder,
        card,
        expiry=expiry,
        account_type=_funding(merchant, card, expiry),
        details=request.details(),
        # Storing through the vault API is the merchant's deliberate act: permission is
        # recorded unless the request says cof_perm "N".
        cof_permission=request.cof_perm is not False,
        is_default=request.is_default,
    )
    return Stored(account, holder, card.token)


async def get(session: AsyncSession, merchant: Merchant, identifier: str) -> Stored:
    """Any of the merchant's accounts, deleted ones too (is_deleted "1")."""
    return await _stored(session, await _require(session, merchant, identifier))


async def update(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    identifier: str,
    request: UpdateAccountRequest,
) -> Stored:
    """Update Vault Account Details: only the fields sent change."""
    _own_mid(merchant, request.mid)
    account = await _require(session, merchant, identifier, lock=True)
    if account.is_deleted:
        raise Conflict(f"vault payment account {identifier} is deleted")
    await repository.holder_by_id(session, account.holder_id, lock=True)
    sent = request.model_fields_set
    _apply_details(account, request.details())
    if "ach_acct_type_id" in sent:
        account.ach_acct_type_id = request.ach_acct_type_id
    if request.cof_perm is not None:
        account.cof_permission = request.cof_perm
    if request.account_token:
        card = await _card(session, runtime, merchant, request.account_token, request.expiration)
        expiry = request.expiration.mmyy if request.expiration else card.token.expiry
        _apply_card(account, card, _funding(merchant, card, expiry), expiry)
    elif request.expiration is not None:
        account.expiry = request.expiration.mmyy
    if request.is_default is True:
        await _make_default(session, account)
    elif request.is_default is False:
        account.is_default = False
    account.updated_at = runtime.clock.now()
    await session.flush()
    return await _stored(session, account)


@dataclass(frozen=True, slots=True)
class Deleted:
    account: PaymentAccount
    already: bool


async def delete(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, identifier: str
) -> Deleted:
    """Soft delete: the account stays readable (is_deleted "1") and can never be charged."""
    account = await _require(session, merchant, identifier, lock=True)
    if account.is_deleted:
        return Deleted(account, already=True)
    await repository.holder_by_id(session, account.holder_id, lock=True)
    now = runtime.clock.now()
    was_default = account.is_default
    account.is_deleted = True
    account.is_default = False
    account.deleted_at = account.updated_at = now
    await session.flush()
    if was_default:
        successor = await repository.default_account(session, account.holder_id)
        if successor is not None:
            await _make_default(session, successor)
    return Deleted(account, already=False)


# ----------------------------------------------------------------------------- for /charge


async def for_charge(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    vault_id: str | None,
    vault_holder_id: str | None,
) -> ChargeAccount | None:
    """The active account a charge names by vault_id and/or vault_holder_id (the holder's
    default account); None when there is none (unknown, deleted, or not that holder's)."""
    holder: VaultHolder | None = None
    if vault_holder_id:
        holder = await holder_for(session, merchant, vault_holder_id)
        if holder is None:
            return None
    if vault_id:
        ref = parse_ref(vault_id)
        if ref is None:
            raise ValidationFailed.field(
                "vault_id", "must be a vault id: an integer, its string, or a uuid"
            )
        account = await _find(session, merchant, ref)
        if account is None or (holder is not None and account.holder_id != holder.id):
            return None
    else:
        assert holder is not None
        account = await repository.default_account(session, holder.id)
    if account is None or account.is_deleted:
        return None
    if holder is None:
        holder = await repository.holder_by_id(session, account.holder_id)
        assert holder is not None
    card = await tokenizer.card_by_id(session, runtime, merchant.id, account.card_token_id)
    assert card is not None
    return ChargeAccount(account, holder, card)


async def store_from_charge(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    card: Card,
    *,
    holder: VaultHolder | None,
    expiry: str | None,
    funding: str | None,
    details: dict[str, Any],
    cof_permission: bool,
) -> Stored:
    """vault:"Y" on an approved charge or $0 verification: the card joins the holder
    (a new holder when none was named). The same card already active under that holder
    is the same account: its details are brought up to date instead."""
    if holder is None:
        holder = await new_holder(session, runtime, merchant)
    else:
        await repository.holder_by_id(session, holder.id, lock=True)
        existing = await repository.active_with_card(session, holder.id, card.token.id)
        if existing is not None:
            _apply_details(existing, details)
            existing.expiry = expiry or existing.expiry
            existing.cof_permission = existing.cof_permission or cof_permission
            existing.updated_at = runtime.clock.now()
            await session.flush()
            return Stored(existing, holder, card.token)
    account = await _new_account(
        session,
        runtime,
        merchant,
        holder,
        card,
        expiry=expiry,
        account_type=ACCOUNT_TYPE.get(funding or "CREDIT", 1),
        details=details,
        cof_permission=cof_permission,
        is_default=None,
    )
    return Stored(account, holder, card.token)


async def grant_permission(session: AsyncSession, account: PaymentAccount) -> None:
    """A customer-initiated charge on the account with cof_perm "Y" records the consent."""
    account.cof_permission = True
    await session.flush()


# ----------------------------------------------------------------------------- for billing


async def active_account(
    session: AsyncSession, merchant: Merchant, identifier: str
) -> PaymentAccount | None:
    ref = parse_ref(identifier)
    account = await _find(session, merchant, ref) if ref else None
    return None if account is None or account.is_deleted else account


async def account_by_id(session: AsyncSession, account_id: int) -> PaymentAccount | None:
    return await repository.account_by_id(session, account_id)


@dataclass(frozen=True, slots=True)
class LoadedAccounts:
    """Accounts (with holders and cards) kept in the session for a batch of charges; the
    object holds them, as the session keeps only weak references."""

    accounts: dict[int, PaymentAccount]
    holders: list[VaultHolder]
    tokens: list[CardToken]


async def load_for_charges(session: AsyncSession, account_ids: list[int]) -> LoadedAccounts:
    rows = await repository.accounts_with_cards(session, account_ids)
    return LoadedAccounts(
        {account.id: account for account, _, _ in rows},
        [holder for _, holder, _ in rows],
        [token for _, _, token in rows],
    )
