"""The vault's rules: holders, accounts, identifier forms (R8), defaults, soft delete.

An account holds a card (a card token) or a bank account (an ACH token, ruling R15:
`account_type` 3 checking, 4 savings); the same endpoints serve both.

Every function works within one merchant. Accounts are found by any identifier form
of ruling R8: the integer id, its string, or the uuid (and the legacy "vault_<id>").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ach.bank_accounts import AccountType
from homerun.errors import Conflict, Forbidden, NotFound, ValidationFailed
from homerun.kit.cards import CardNumberError, Expiry
from homerun.kit.ids import new_uuid4, new_uuid7, normalise_uuid
from homerun.merchants.models import Merchant
from homerun.processors.base import CardData
from homerun.processors.registry import processor_for
from homerun.runtime import Runtime
from homerun.tokenizer import bank_tokens
from homerun.tokenizer import service as tokenizer
from homerun.tokenizer.models import AchToken, CardToken
from homerun.tokenizer.service import Card
from homerun.vault import repository
from homerun.vault.models import PaymentAccount, VaultHolder
from homerun.vault.schemas import CreateAccountRequest, UpdateAccountRequest

ACCOUNT_TYPE = {"CREDIT": 1, "DEBIT": 2}
# A bank account's vault_account_type_id (R15), and Update's ach_acct_type_id for it.
CHECKING, SAVINGS = 3, 4
BANK_ACCOUNT_TYPE = {AccountType.CHECKING: CHECKING, AccountType.SAVINGS: SAVINGS}
ACH_ACCT_TYPE_ID = {CHECKING: "1", SAVINGS: "2"}
BANK_BRAND = "ACH"
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
    token: CardToken | AchToken


@dataclass(frozen=True, slots=True)
class ChargeAccount:
    """A vaulted account resolved for a charge, with its card opened for the processor."""

    account: PaymentAccount
    holder: VaultHolder
    card: Card


@dataclass(frozen=True, slots=True)
class BankChargeAccount:
    """A vaulted bank account resolved for a charge (an ACH sale)."""

    account: PaymentAccount
    holder: VaultHolder
    bank: AchToken


def is_bank(account: PaymentAccount) -> bool:
    return account.ach_token_id is not None


def bank_account_type(account: PaymentAccount) -> AccountType:
    """What a vaulted bank account is debited as: its checking or savings type (a
    ledger account, ach_acct_type_id "3", keeps the type it had)."""
    return AccountType.SAVINGS if account.account_type == SAVINGS else AccountType.CHECKING


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
    token: CardToken | AchToken | None
    if account.ach_token_id is not None:
        token = await bank_tokens.by_id(session, account.merchant_id, account.ach_token_id)
    else:
        assert account.card_token_id is not None
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
) -> Card | AchToken:
    """The merchant's card behind account_token (a test card number too, in the sandbox),
    or its bank account."""
    card = await tokenizer.resolve(session, runtime, merchant.id, account_token)
    if card is not None:
        if expiration is not None:
            card.token.expiry = expiration.mmyy
        return card
    bank = await bank_tokens.resolve(session, merchant.id, account_token)
    if bank is not None:
        if expiration is not None:
            raise ValidationFailed.field("expiration", "a bank account has no expiry: omit it")
        return bank
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
    account.card_token_id, account.ach_token_id = card.token.id, None
    account.brand = card.token.brand
    account.account_type = account_type
    account.last_four = card.token.last_four
    account.expiry = expiry


def _apply_bank(account: PaymentAccount, bank: AchToken) -> None:
    account.card_token_id, account.ach_token_id = None, bank.id
    account.brand = BANK_BRAND
    account.account_type = BANK_ACCOUNT_TYPE[bank.account_type]
    account.ach_acct_type_id = ACH_ACCT_TYPE_ID[account.account_type]
    account.last_four = bank.last_four
    account.expiry = None
    if account.name is None:
        account.name = bank.holder_name


def _apply_source(
    merchant: Merchant,
    account: PaymentAccount,
    source: Card | AchToken,
    expiration: Expiry | None,
) -> None:
    if isinstance(source, AchToken):
        _apply_bank(account, source)
        return
    expiry = expiration.mmyy if expiration else source.token.expiry
    _apply_card(account, source, _funding(merchant, source, expiry), expiry)


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
    apply_source: Callable[[PaymentAccount], None],
    *,
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
    _apply_details(account, details)
    apply_source(account)
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
    source = await _card(session, runtime, merchant, request.account_token, request.expiration)
    holder = await _holder_for_create(session, runtime, merchant, request)
    account = await _new_account(
        session,
        runtime,
        merchant,
        holder,
        lambda account: _apply_source(merchant, account, source, request.expiration),
        details=request.details(),
        # Storing through the vault API is the merchant's deliberate act: permission is
        # recorded unless the request says cof_perm "N".
        cof_permission=request.cof_perm is not False,
        is_default=request.is_default,
    )
    return Stored(account, holder, source if isinstance(source, AchToken) else source.token)


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
    source = None
    if request.account_token:
        source = await _card(session, runtime, merchant, request.account_token, request.expiration)
    elif request.expiration is not None and is_bank(account):
        raise ValidationFailed.field("expiration", "a bank account has no expiry: omit it")
    await repository.holder_by_id(session, account.holder_id, lock=True)
    sent = request.model_fields_set
    _apply_details(account, request.details())
    if request.cof_perm is not None:
        account.cof_permission = request.cof_perm
    if source is not None:
        _apply_source(merchant, account, source, request.expiration)
    elif request.expiration is not None:
        account.expiry = request.expiration.mmyy
    if "ach_acct_type_id" in sent:
        _set_ach_acct_type(account, request.ach_acct_type_id)
    if request.is_default is True:
        await _make_default(session, account)
    elif request.is_default is False:
        account.is_default = False
    account.updated_at = runtime.clock.now()
    await session.flush()
    return await _stored(session, account)


def _set_ach_acct_type(account: PaymentAccount, value: str | None) -> None:
    """Update's ach_acct_type_id: on a bank account "1" makes it checking and "2" savings
    (vault_account_type_id 3 or 4, what its charges debit); "3" (ledger) is recorded and
    the account keeps the type it is debited as."""
    account.ach_acct_type_id = value
    if is_bank(account) and value in ("1", "2"):
        account.account_type = CHECKING if value == "1" else SAVINGS


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
) -> ChargeAccount | BankChargeAccount | None:
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
    if account.ach_token_id is not None:
        bank = await bank_tokens.by_id(session, merchant.id, account.ach_token_id)
        assert bank is not None
        return BankChargeAccount(account, holder, bank)
    assert account.card_token_id is not None
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
    account_type = ACCOUNT_TYPE.get(funding or "CREDIT", 1)
    account = await _new_account(
        session,
        runtime,
        merchant,
        holder,
        lambda account: _apply_card(account, card, account_type, expiry),
        details=details,
        cof_permission=cof_permission,
        is_default=None,
    )
    return Stored(account, holder, card.token)


async def store_bank_from_charge(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    bank: AchToken,
    *,
    holder: VaultHolder | None,
    details: dict[str, Any],
    cof_permission: bool,
) -> Stored:
    """vault:"Y" on an ACH charge: the bank account joins the holder (a new holder when
    none was named); the same bank account already active under the holder is the same
    vault account, its details brought up to date."""
    if holder is None:
        holder = await new_holder(session, runtime, merchant)
    else:
        await repository.holder_by_id(session, holder.id, lock=True)
        existing = await repository.active_with_bank(session, holder.id, bank.id)
        if existing is not None:
            _apply_details(existing, details)
            existing.cof_permission = existing.cof_permission or cof_permission
            existing.updated_at = runtime.clock.now()
            await session.flush()
            return Stored(existing, holder, bank)
    account = await _new_account(
        session,
        runtime,
        merchant,
        holder,
        lambda account: _apply_bank(account, bank),
        details=details,
        cof_permission=cof_permission,
        is_default=None,
    )
    return Stored(account, holder, bank)


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
    tokens: list[CardToken | AchToken]


async def load_for_charges(session: AsyncSession, account_ids: list[int]) -> LoadedAccounts:
    rows = await repository.accounts_with_cards(session, account_ids)
    return LoadedAccounts(
        {account.id: account for account, _, _ in rows},
        [holder for _, holder, _ in rows],
        [token for _, _, token in rows if token is not None],
    )
