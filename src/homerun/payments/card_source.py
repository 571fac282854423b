"""What a charge charges: a card by token or (sandbox) by number, or a vaulted account
(a vaulted bank account is handed back as it is: an ACH sale, payments.ach_charging);
and what the gateway checks of it before any issuer is asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import ValidationFailed
from homerun.kit.cards import CVV_LENGTH, CardNumberError, Expiry
from homerun.merchants.models import Merchant
from homerun.payments import codes
from homerun.payments.codes import Answer
from homerun.payments.row import NewTransaction
from homerun.payments.schemas import CUSTOM_FIELDS, ChargeRequest, holder_of
from homerun.runtime import Runtime
from homerun.tokenizer import service as tokenizer
from homerun.tokenizer.service import Card
from homerun.vault import service as vault
from homerun.vault.models import PaymentAccount, VaultHolder


@dataclass(frozen=True, slots=True)
class Source:
    """What a charge charges: a card, from a vaulted account or not, and for vault:"Y"
    the holder (if one was named) that the new account joins."""

    card: Card
    account: vault.ChargeAccount | None = None
    holder: VaultHolder | None = None


async def resolve_source(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: ChargeRequest
) -> Source | vault.BankChargeAccount | Answer:
    if not request.account_token:
        if not (request.vault_id or request.vault_holder_id):
            raise ValidationFailed.field(
                "account_token", "is required (or vault_id to charge a vaulted account)"
            )
        account = await vault.for_charge(
            session, runtime, merchant, request.vault_id, request.vault_holder_id
        )
        if account is None:
            return codes.PROFILE_NOT_FOUND
        if isinstance(account, vault.BankChargeAccount):
            return account
        return Source(account.card, account)
    holder = None
    if request.vault and request.vault_holder_id:
        holder = await vault.holder_for(session, merchant, request.vault_holder_id)
        if holder is None:
            return codes.PROFILE_NOT_FOUND
    card = await _resolve_card(session, runtime, merchant, request.account_token, request)
    return card if isinstance(card, Answer) else Source(card, holder=holder)


async def _resolve_card(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    token: str,
    request: ChargeRequest,
) -> Card | Answer:
    # A charge that brings its expiry needs nothing of the token row that can change, so
    # a card seen before comes from runtime.known_cards (vaulting reads the row itself).
    known_expiry = None if request.vault else request.expiration
    if not _is_card_number(token) or runtime.settings.mode.value != "sandbox":
        resolve = tokenizer.resolve_for_charge if known_expiry is not None else tokenizer.resolve
        card = await resolve(session, runtime, merchant.id, token)
        return codes.INVALID_TOKEN if card is None else card
    # Sandbox: a test card number is accepted directly as account_token (ruling R11).
    try:
        if known_expiry is not None:
            return await tokenizer.tokenize_for_charge(
                session, runtime, merchant.id, token, known_expiry
            )
        row = await tokenizer.tokenize(session, runtime, merchant.id, token, request.expiration)
    except CardNumberError as problem:
        return _card_number_answer(str(problem))
    return Card(row, token)


def _is_card_number(account_token: str) -> bool:
    # Tokens always start with 9, so a card number needs no token look-up first.
    return account_token.isascii() and account_token.isdigit() and not account_token.startswith("9")


def _card_number_answer(problem: str) -> Answer:
    if "Luhn" in problem:
        return codes.BAD_CHECK_DIGIT
    if "Visa" in problem:
        return codes.UNKNOWN_CARD_TYPE
    return codes.INVALID_CARD


def describe_card(txn: NewTransaction, card: Card) -> None:
    txn.card_brand = card.token.brand
    txn.bin = card.token.bin
    txn.last_four = card.token.last_four
    txn.account_token = card.token.token


def from_vault(txn: NewTransaction, row: PaymentAccount, holder: VaultHolder) -> None:
    """A vaulted account's details and custom_06..10 fill what the request left out."""
    txn.vault_id, txn.vault_holder_id = row.uuid, holder.uuid
    stored = holder_of(row)
    txn.holder = {**stored, **txn.holder}
    customs = {k: v for k in CUSTOM_FIELDS[5:] if (v := getattr(row, k)) is not None}
    txn.custom = {**customs, **txn.custom}


def precheck_card(card: Card, expiry: Expiry | None, cvn: str | None, today: date) -> Answer | None:
    """The checks the gateway makes before any issuer is asked."""
    if expiry is not None and expiry.has_passed(today):
        return codes.CARD_EXPIRED
    if cvn:
        if not cvn.isdigit():
            return codes.NON_NUMERIC_CVV
        wanted = CVV_LENGTH[card.token.brand]
        if len(cvn) != wanted:
            raise ValidationFailed.field("cvn", f"must be {wanted} digits for {card.token.brand}")
    return None


async def vault_after_approval(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    txn: NewTransaction,
    source: Source,
) -> None:
    """vault:"Y" stores the approved card (a $0 verification too); a customer-initiated
    charge on a vaulted account with cof_perm "Y" records the consent."""
    if source.account is not None:
        if request.cof_perm and txn.cof != "M":
            await vault.grant_permission(session, source.account.account)
        return
    if not request.vault:
        return
    stored = await vault.store_from_charge(
        session,
        runtime,
        merchant,
        source.card,
        holder=source.holder,
        expiry=txn.expiration,
        funding=txn.card_funding,
        details=vault_details(txn),
        cof_permission=bool(request.cof_perm),
    )
    txn.vault_id, txn.vault_holder_id = stored.account.uuid, stored.holder.uuid
    txn.vaulted = True


def vault_details(txn: NewTransaction) -> dict[str, object]:
    """What vault:"Y" stores with the account: the charge's holder fields and custom_06..10."""
    details = {**txn.holder, **{k: v for k, v in txn.custom.items() if k in CUSTOM_FIELDS[5:]}}
    details.pop("company_name", None)
    return details
