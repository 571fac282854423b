"""The charge: a sale, an authorization only, or a $0 verification.

The charge states its row (and the row's outbox event, and its card's expiry) to the
unit of work through payments.repository; the unit of work decides how it is sent
(homerun.kit.db.writes). Nothing here knows whether more follows in the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import ValidationFailed
from homerun.kit.cards import expiry_from_mmyy
from homerun.kit.db import writes
from homerun.kit.flags import yn
from homerun.kit.ids import new_gateway_reference, new_order_id
from homerun.kit.money import apply_rate_bps
from homerun.merchants.models import Merchant
from homerun.merchants.state import MerchantStatus
from homerun.payments import codes, events, reconciliation, repository
from homerun.payments.ach_charging import (
    AchNotTaken,
    charge_bank_account,
    refuse_card_on_ach_only,
)
from homerun.payments.card_source import (
    Source,
    describe_card,
    from_vault,
    precheck_card,
    resolve_source,
    vault_after_approval,
)
from homerun.payments.codes import Answer
from homerun.payments.outcomes import apply_authorization, processor_of, require_own_mid
from homerun.payments.row import AnyTransaction, NewTransaction
from homerun.payments.schemas import ChargeRequest
from homerun.payments.state import Kind, Result, State
from homerun.payments.surcharge import surcharge_for
from homerun.processors.base import AuthorizationRequest, CardData, Processor
from homerun.runtime import Runtime
from homerun.tokenizer import bank_tokens
from homerun.vault import service as vault


@dataclass(frozen=True, slots=True)
class _Checked:
    """A charge that passed the gateway's checks: what the processor is asked with."""

    source: Source
    card: CardData
    processor: Processor


async def charge(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: ChargeRequest
) -> AnyTransaction:
    require_own_mid(merchant, request.mid)
    now = runtime.clock.now()
    txn = _new_transaction(merchant, request, now)
    if merchant.status != MerchantStatus.ACTIVE:
        return await _refuse(session, merchant, txn, codes.MERCHANT_DISABLED)
    if request.currency and request.currency != merchant.currency:
        return await _refuse(session, merchant, txn, codes.WRONG_CURRENCY)
    if not merchant.accepts.cards:
        return await _charge_ach_only(session, runtime, merchant, request, txn)
    source = await resolve_source(session, runtime, merchant, request)
    if isinstance(source, vault.BankChargeAccount):
        return await _charge_bank_on_file(session, runtime, merchant, request, txn, source)
    if source is codes.INVALID_TOKEN and request.account_token:
        # Not a card's token: a bank account's, perhaps (looked for only now, so that a
        # card charge costs what it did).
        bank = await bank_tokens.resolve(session, merchant.id, request.account_token)
        if bank is not None:
            return await charge_bank_account(session, runtime, merchant, request, txn, bank)
    if isinstance(source, Answer):
        return await _refuse(session, merchant, txn, source)
    if request.com_ind and len(request.com_ind) > 1:
        raise ValidationFailed.field("com_ind", "an entry class applies to bank accounts only")
    checked = _check(runtime, merchant, request, txn, source, now)
    if isinstance(checked, Answer):
        return await _refuse(session, merchant, txn, checked, source)
    # The processor knows the attempt by the gateway's reference, drawn here: that is
    # what lets the in-process simulator's row be written once, with its answer.
    txn.processor_ref = new_gateway_reference()
    if checked.processor.remote:
        return await _charge_remote(session, runtime, merchant, request, txn, checked)
    await _authorize(session, runtime, merchant, request, txn, checked)
    event = events.new_transaction_outcome(txn, merchant.mid, now)
    await repository.insert_new(session, txn, event, expiry=source.card.expiry_write)
    if txn.state == State.UNKNOWN.value:
        await writes.flush(session)  # the job names the row's id
        await reconciliation.schedule(session, txn, now)
    return txn


async def _charge_ach_only(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    txn: NewTransaction,
) -> AnyTransaction:
    """A MID that takes bank accounts only: anything but an ACH token or a vaulted bank
    account is refused (R15)."""
    token = request.account_token
    if not token and (request.vault_id or request.vault_holder_id):
        account = await vault.for_charge(
            session, runtime, merchant, request.vault_id, request.vault_holder_id
        )
        if account is None:
            return await _refuse(session, merchant, txn, codes.PROFILE_NOT_FOUND)
        if not isinstance(account, vault.BankChargeAccount):
            raise refuse_card_on_ach_only()
        return await _charge_bank_on_file(session, runtime, merchant, request, txn, account)
    bank = await bank_tokens.resolve(session, merchant.id, token) if token else None
    if bank is None:
        raise refuse_card_on_ach_only()
    return await charge_bank_account(session, runtime, merchant, request, txn, bank)


async def _charge_bank_on_file(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    txn: NewTransaction,
    account: vault.BankChargeAccount,
) -> AnyTransaction:
    """A vaulted bank account: an ACH sale, with the card-on-file rule of a vaulted card
    (a merchant-initiated charge needs the payer's stored permission)."""
    if not merchant.accepts.ach:
        raise AchNotTaken
    if txn.cof == "M" and not account.account.cof_permission:
        return await _refuse(session, merchant, txn, codes.COF_NOT_PERMITTED)
    return await charge_bank_account(
        session, runtime, merchant, request, txn, account.bank, on_file=account
    )


async def _charge_remote(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    txn: NewTransaction,
    checked: _Checked,
) -> AnyTransaction:
    """A remote processor's attempt is committed before the call, with what this request
    wrote so far: should the request die while the network has the card, the pending row
    and its reconciliation remain. The rest of the charge is a new database transaction.
    The attempt's reconciliation job is due by then; it finds nothing to do once the
    outcome is recorded, unless reconciliation recorded it first."""
    now = txn.created_at
    await repository.insert_new(session, txn, None, expiry=checked.source.card.expiry_write)
    await writes.flush(session)
    await reconciliation.schedule(session, txn, now)
    await session.commit()
    await _authorize(session, runtime, merchant, request, txn, checked)
    event = events.new_transaction_outcome(txn, merchant.mid, now)
    if not await repository.record_outcome(session, txn, event):
        recorded = await repository.get(session, merchant.id, str(txn.id))
        assert recorded is not None
        return recorded
    return txn


def _check(
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    txn: NewTransaction,
    source: Source,
    now: datetime,
) -> _Checked | Answer:
    """The gateway's checks (card on file, expiry, CVV form, surcharge rules), filling in
    what the card and the account add to the row."""
    card, account = source.card, source.account
    describe_card(txn, card)
    if account is not None:
        from_vault(txn, account.account, account.holder)
        if txn.cof == "M" and not account.account.cof_permission:
            return codes.COF_NOT_PERMITTED
    stored_expiry = account.account.expiry if account is not None else card.token.expiry
    expiry = request.expiration or (expiry_from_mmyy(stored_expiry) if stored_expiry else None)
    txn.expiration = expiry.mmyy if expiry else None
    precheck = precheck_card(card, expiry, request.cvn, now.date())
    if precheck is not None:
        return precheck
    processor = processor_of(merchant)
    card_data = CardData(card.pan, card.token.brand, txn.expiration, request.cvn or None)
    profile = processor.profile(card_data)
    txn.card_funding = profile.funding
    txn.comm_card = profile.commercial
    if txn.amount_requested != 0:
        zip_code = txn.holder.get("account_zip")
        fee = surcharge_for(runtime.settings, merchant, profile.funding, zip_code)
        if fee.refusal is not None:
            return fee.refusal
        txn.fee_rate_bps = fee.rate_bps
    return _Checked(source, card_data, processor)


async def _authorize(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    txn: NewTransaction,
    checked: _Checked,
) -> None:
    """Ask the processor, record its answer on the row, and vault an approved card."""
    processor = checked.processor
    reference = txn.processor_ref
    assert reference is not None
    fee_on_amount = apply_rate_bps(txn.amount_requested, txn.fee_rate_bps)
    result = await processor.authorize(
        AuthorizationRequest(
            reference=reference,
            amount=txn.amount_requested + fee_on_amount,
            currency=txn.currency,
            card=checked.card,
            capture=request.capture,
            account_zip=txn.holder.get("account_zip"),
            address1=txn.holder.get("address1"),
        )
    )
    txn.resp_proc = processor.name
    is_verify = txn.amount_requested == 0
    apply_authorization(txn, result, runtime, is_verify=is_verify, capture=request.capture)
    txn.processor_ref = result.processor_ref or reference
    if txn.result is Result.APPROVED:
        await vault_after_approval(session, runtime, merchant, request, txn, checked.source)


def _new_transaction(merchant: Merchant, request: ChargeRequest, now: datetime) -> NewTransaction:
    amount = request.amount
    capture = request.capture and amount.minor > 0
    return NewTransaction(
        merchant_id=merchant.id,
        kind=Kind.VERIFY if amount.minor == 0 else (Kind.SALE if capture else Kind.AUTH),
        state=State.PENDING,
        currency=request.currency or merchant.currency,
        amount_form=amount.form.value,
        amount_requested=amount.minor,
        result=Result.DECLINED,
        resp_code="",
        resp_text="",
        resp_proc=codes.GATEWAY_PROC,
        order_id=request.order_id or new_order_id(),
        invoice_id=request.invoice_id,
        user_identifier=request.user_identifier,
        cof=request.cof.upper() if request.cof else None,
        cof_sched=yn(request.cof_sched),
        cof_perm=yn(request.cof_perm),
        com_ind=request.com_ind.upper() if request.com_ind else None,
        holder=request.holder(),
        custom=request.custom(),
        extra=request.level3(),
        created_at=now,
        updated_at=now,
    )


async def _refuse(
    session: AsyncSession,
    merchant: Merchant,
    txn: NewTransaction,
    answer: Answer,
    source: Source | None = None,
) -> NewTransaction:
    """Record a gateway refusal: the attempt is kept (and reported), no money moves. A
    remembered card's expiry is written with it, as with any charge of that card."""
    txn.state = State.DECLINED
    txn.result, txn.resp_code, txn.resp_text = answer.result, answer.resp_code, answer.resp_text
    txn.resp_proc = codes.GATEWAY_PROC
    event = events.new_transaction_outcome(txn, merchant.mid, txn.created_at, rejected=True)
    expiry = source.card.expiry_write if source is not None else None
    await repository.insert_new(session, txn, event, expiry=expiry)
    return txn
