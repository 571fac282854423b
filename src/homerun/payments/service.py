"""The rules of charge, capture, void and refund.

Outcomes are results (a Transaction row carrying result/resp_code/resp_text);
exceptions are only for request-level faults. Every change is made under a row
lock and through the lifecycle table in state.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import Forbidden, ValidationFailed
from homerun.kit.cards import CVV_LENGTH, CardNumberError, Expiry, expiry_from_mmyy
from homerun.kit.db.base import unattached
from homerun.kit.flags import yn
from homerun.kit.ids import new_gateway_reference, new_order_id
from homerun.kit.money import AmountForm, apply_rate_bps, proportion
from homerun.merchants.models import Merchant
from homerun.payments import codes, events, reconciliation, repository
from homerun.payments.codes import Answer
from homerun.payments.models import Transaction
from homerun.payments.schemas import (
    CUSTOM_FIELDS,
    CaptureRequest,
    ChargeRequest,
    VoidOrRefundRequest,
    holder_of,
)
from homerun.payments.state import SETTLED_STATES, Event, Result, State, apply
from homerun.payments.surcharge import fee_held, surcharge_for
from homerun.processors.base import AuthorizationRequest, CardData, Outcome, ProcessorResult
from homerun.processors.registry import processor_for
from homerun.runtime import Runtime
from homerun.tokenizer import service as tokenizer
from homerun.tokenizer.service import Card
from homerun.vault import service as vault
from homerun.vault.models import VaultHolder


@dataclass(frozen=True, slots=True)
class Refusal:
    """A transaction-level refusal that changed nothing (no row was written)."""

    answer: Answer
    trans_id: str | None
    amount_form: AmountForm
    amount: int | None
    detail: str
    original: Transaction | None = None


def processor_reference(txn: Transaction) -> str:
    """How the processor knows the transaction (rows from before gateway references
    were drawn carry the trans_id's form)."""
    return txn.processor_ref or str(txn.id)


def require_own_mid(merchant: Merchant, mid: str) -> None:
    if mid != merchant.mid:
        raise Forbidden("mid: this credential does not belong to that merchant")


# ---------------------------------------------------------------- charge


async def charge(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    *,
    unit_ends_here: bool = False,
) -> Transaction:
    """`unit_ends_here`: the caller writes nothing after the charge in this unit of work
    (repository.insert_with_event may then commit the charge's one statement on its own)."""
    require_own_mid(merchant, request.mid)
    now = runtime.clock.now()
    txn = _new_transaction(merchant, request, now)

    if merchant.status != "active":
        return await _refuse(session, merchant, txn, codes.MERCHANT_DISABLED)
    if request.currency and request.currency != merchant.currency:
        return await _refuse(session, merchant, txn, codes.WRONG_CURRENCY)

    source = await _resolve_source(session, runtime, merchant, request)
    if isinstance(source, Answer):
        return await _refuse(session, merchant, txn, source)
    card, account = source.card, source.account
    token_expiry = _remembered_card_expiry(card, request)
    _describe_card(txn, card)
    if account is not None:
        _from_vault(txn, account)
        if txn.cof == "M" and not account.account.cof_permission:
            return await _refuse(session, merchant, txn, codes.COF_NOT_PERMITTED)
    refuse = partial(_refuse, session, merchant, txn, token_expiry=token_expiry)

    stored_expiry = account.account.expiry if account is not None else card.token.expiry
    expiry = request.expiration or (expiry_from_mmyy(stored_expiry) if stored_expiry else None)
    txn.expiration = expiry.mmyy if expiry else None
    precheck = _precheck_card(card, expiry, request.cvn, now.date())
    if precheck is not None:
        return await refuse(precheck)

    processor = processor_for(merchant.processor)
    card_data = CardData(card.pan, card.token.brand, txn.expiration, request.cvn or None)
    profile = processor.profile(card_data)
    txn.card_funding = profile.funding
    txn.comm_card = profile.commercial

    account_zip, address1 = txn.holder.get("account_zip"), txn.holder.get("address1")
    is_verify = txn.amount_requested == 0
    if not is_verify:
        fee = surcharge_for(runtime.settings, merchant, profile.funding, account_zip)
        if fee.refusal is not None:
            return await refuse(fee.refusal)
        txn.fee_rate_bps = fee.rate_bps

    # The processor knows the attempt by the gateway's reference. The in-process
    # simulator's row is written once, with its answer (below). A remote processor's
    # attempt is committed before the call, with what this request wrote so far: should
    # the request die while the network has the card, the pending row and its
    # reconciliation remain. The rest of the charge is then a new database transaction.
    reference = new_gateway_reference()
    txn.processor_ref = reference
    if processor.remote:
        await repository.insert_with_event(session, txn, None, token_expiry=token_expiry)
        await reconciliation.schedule(session, txn, now)
        await session.commit()
    fee_on_amount = apply_rate_bps(txn.amount_requested, txn.fee_rate_bps)
    result = await processor.authorize(
        AuthorizationRequest(
            reference=reference,
            amount=txn.amount_requested + fee_on_amount,
            currency=txn.currency,
            card=card_data,
            capture=request.capture,
            account_zip=account_zip,
            address1=address1,
        )
    )
    txn.resp_proc = processor.name
    _apply_authorization(txn, result, runtime, is_verify=is_verify, capture=request.capture)
    txn.processor_ref = result.processor_ref or reference
    if txn.result == "A":
        await _vault_after_approval(session, runtime, merchant, request, txn, source)
    event = events.new_transaction_outcome(txn, merchant.mid, now)
    if not processor.remote:
        unknown = txn.state == State.UNKNOWN.value
        await repository.insert_with_event(
            session,
            txn,
            event,
            token_expiry=token_expiry,
            unit_ends_here=unit_ends_here and not unknown,
        )
        if unknown:
            await reconciliation.schedule(session, txn, now)
        return txn
    # The committed attempt's reconciliation job is already due; it finds nothing to do
    # once the outcome is recorded, unless reconciliation recorded it first.
    if not await repository.record_outcome(session, txn, event):
        recorded = await repository.get(session, merchant.id, str(txn.id))
        assert recorded is not None
        return recorded
    return txn


def _new_transaction(merchant: Merchant, request: ChargeRequest, now: datetime) -> Transaction:
    amount = request.amount
    capture = request.capture and amount.minor > 0
    return unattached(
        Transaction,
        merchant_id=merchant.id,
        kind="verify" if amount.minor == 0 else ("sale" if capture else "auth"),
        state=State.PENDING,
        currency=request.currency or merchant.currency,
        amount_form=amount.form.value,
        amount_requested=amount.minor,
        amount_authorized=0,
        amount_captured=0,
        amount_refunded=0,
        fee_rate_bps=0,
        fee_amount=0,
        fee_refunded=0,
        result=Result.DECLINED,
        resp_code="",
        resp_text="",
        resp_proc=codes.GATEWAY_PROC,
        avs_resp="",
        cvv_resp="",
        comm_card=False,
        vaulted=False,
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


@dataclass(frozen=True, slots=True)
class _Source:
    """What a charge charges: a card, from a vaulted account or not, and for vault:"Y"
    the holder (if one was named) that the new account joins."""

    card: Card
    account: vault.ChargeAccount | None = None
    holder: VaultHolder | None = None


async def _resolve_source(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: ChargeRequest
) -> _Source | Answer:
    if not request.account_token:
        if not (request.vault_id or request.vault_holder_id):
            raise ValidationFailed.field(
                "account_token", "is required (or vault_id to charge a vaulted account)"
            )
        account = await vault.for_charge(
            session, runtime, merchant, request.vault_id, request.vault_holder_id
        )
        return codes.PROFILE_NOT_FOUND if account is None else _Source(account.card, account)
    holder = None
    if request.vault and request.vault_holder_id:
        holder = await vault.holder_for(session, merchant, request.vault_holder_id)
        if holder is None:
            return codes.PROFILE_NOT_FOUND
    card = await _resolve_card(session, runtime, merchant, request.account_token, request)
    return card if isinstance(card, Answer) else _Source(card, holder=holder)


def _from_vault(txn: Transaction, account: vault.ChargeAccount) -> None:
    """A vaulted account's details and custom_06..10 fill what the request left out."""
    row = account.account
    txn.vault_id, txn.vault_holder_id = row.uuid, account.holder.uuid
    stored = holder_of(row)
    txn.holder = {**stored, **txn.holder}
    customs = {k: v for k in CUSTOM_FIELDS[5:] if (v := getattr(row, k)) is not None}
    txn.custom = {**customs, **txn.custom}


async def _vault_after_approval(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    txn: Transaction,
    source: _Source,
) -> None:
    """vault:"Y" stores the approved card (a $0 verification too); a customer-initiated
    charge on a vaulted account with cof_perm "Y" records the consent."""
    if source.account is not None:
        if request.cof_perm and txn.cof != "M":
            await vault.grant_permission(session, source.account.account)
        return
    if not request.vault:
        return
    details = {**txn.holder, **{k: v for k, v in txn.custom.items() if k in CUSTOM_FIELDS[5:]}}
    details.pop("company_name", None)
    stored = await vault.store_from_charge(
        session,
        runtime,
        merchant,
        source.card,
        holder=source.holder,
        expiry=txn.expiration,
        funding=txn.card_funding,
        details=details,
        cof_permission=bool(request.cof_perm),
    )
    txn.vault_id, txn.vault_holder_id = stored.account.uuid, stored.holder.uuid
    txn.vaulted = True


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


def _remembered_card_expiry(card: Card, request: ChargeRequest) -> repository.TokenExpiry | None:
    """A card number's token row keeps the expiry it was last charged with. When the row
    was not read (a remembered card number), that expiry is written with the charge."""
    if not card.remembered or request.expiration is None:
        return None
    return repository.TokenExpiry(card.token.id, request.expiration.mmyy)


def _card_number_answer(problem: str) -> Answer:
    if "Luhn" in problem:
        return codes.BAD_CHECK_DIGIT
    if "Visa" in problem:
        return codes.UNKNOWN_CARD_TYPE
    return codes.INVALID_CARD


def _describe_card(txn: Transaction, card: Card) -> None:
    txn.card_brand = card.token.brand
    txn.bin = card.token.bin
    txn.last_four = card.token.last_four
    txn.account_token = card.token.token


def _precheck_card(
    card: Card, expiry: Expiry | None, cvn: str | None, today: date
) -> Answer | None:
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


async def _refuse(
    session: AsyncSession,
    merchant: Merchant,
    txn: Transaction,
    answer: Answer,
    *,
    token_expiry: repository.TokenExpiry | None = None,
) -> Transaction:
    """Record a gateway refusal: the attempt is kept (and reported), no money moves."""
    txn.state = State.DECLINED
    txn.result, txn.resp_code, txn.resp_text = answer.result, answer.resp_code, answer.resp_text
    txn.resp_proc = codes.GATEWAY_PROC
    event = events.new_transaction_outcome(txn, merchant.mid, txn.created_at, rejected=True)
    await repository.insert_with_event(session, txn, event, token_expiry=token_expiry)
    return txn


def _apply_authorization(
    txn: Transaction, result: ProcessorResult, runtime: Runtime, *, is_verify: bool, capture: bool
) -> None:
    txn.resp_code, txn.resp_text = result.resp_code, result.resp_text
    txn.auth_code = result.auth_code
    txn.avs_resp, txn.cvv_resp = result.avs_resp, result.cvv_resp
    if result.outcome is Outcome.UNKNOWN:
        txn.state = apply(txn.state, Event.TIME_OUT)
        txn.result = Result.RETRY
        return
    if result.outcome is Outcome.DECLINED:
        txn.state = apply(txn.state, Event.DECLINE)
        txn.result = Result.DECLINED
        return
    _approve(txn, runtime, is_verify=is_verify, capture=capture)
    if result.chargeback is not None:
        txn.chargeback_after_days = result.chargeback.after_days
        txn.chargeback_reason = result.chargeback.reason_code


def _approve(txn: Transaction, runtime: Runtime, *, is_verify: bool, capture: bool) -> None:
    txn.result = Result.APPROVED
    txn.amount_authorized = txn.amount_requested
    if is_verify:
        txn.state = apply(txn.state, Event.APPROVE_VERIFY)
    elif capture:
        txn.state = apply(txn.state, Event.APPROVE_SALE)
        txn.amount_captured = txn.amount_requested
        txn.fee_amount = apply_rate_bps(txn.amount_captured, txn.fee_rate_bps)
    else:
        txn.state = apply(txn.state, Event.APPROVE_AUTH)
        ttl = timedelta(days=runtime.settings.authorization_ttl_days)
        txn.authorization_expires_at = txn.created_at + ttl


# ---------------------------------------------------------------- capture


async def capture(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: CaptureRequest
) -> Transaction | Refusal:
    require_own_mid(merchant, request.mid)
    txn = await repository.get_for_update(session, merchant.id, request.trans_id)
    if txn is None:
        return _not_found(request)
    now = runtime.clock.now()
    _expire_if_due(txn, now)
    form = _form(request, txn)
    amount = request.amount.minor if request.amount else txn.amount_authorized
    if txn.state is not State.AUTHORIZED:
        return Refusal(
            codes.NO_ACTION,
            str(txn.id),
            form,
            amount,
            f"a {txn.state} transaction cannot be captured",
            txn,
        )
    if amount <= 0 or amount > txn.amount_authorized:
        return Refusal(
            codes.INVALID_AMOUNT,
            str(txn.id),
            form,
            amount,
            "capture amount must be more than 0 and at most the authorized amount",
            txn,
        )
    fee = apply_rate_bps(amount, txn.fee_rate_bps)
    # The processor authorized amount + surcharge; it captures the same way.
    result = await processor_for(merchant.processor).capture(processor_reference(txn), amount + fee)
    if result.outcome is not Outcome.APPROVED:
        return Refusal(
            Answer(Result.DECLINED, result.resp_code, result.resp_text),
            str(txn.id),
            form,
            amount,
            "the processor refused the capture",
            txn,
        )
    txn.state = apply(State.AUTHORIZED, Event.CAPTURE)
    txn.amount_captured = amount
    txn.fee_amount = fee
    txn.holder = {**txn.holder, **request.holder()}
    txn.extra = {**txn.extra, **request.level3()}
    if request.invoice_id:
        txn.invoice_id = request.invoice_id
    if request.user_identifier:
        txn.user_identifier = request.user_identifier
    txn.result, txn.resp_code, txn.resp_text = Result.APPROVED, "00", "Approval"
    txn.updated_at = now
    events.captured(session, txn, merchant.mid, now)
    return txn


def _expire_if_due(txn: Transaction, now: datetime) -> None:
    """Authorizations lapse after the configured days; this applies it lazily."""
    expires = txn.authorization_expires_at
    if txn.state is State.AUTHORIZED and expires is not None and now >= expires:
        txn.state = apply(State.AUTHORIZED, Event.EXPIRE)
        txn.updated_at = now


def _form(request: CaptureRequest | VoidOrRefundRequest, txn: Transaction) -> AmountForm:
    return request.amount.form if request.amount else AmountForm(txn.amount_form)


def _not_found(request: CaptureRequest | VoidOrRefundRequest) -> Refusal:
    form = request.amount.form if request.amount else AmountForm.CENTS
    amount = request.amount.minor if request.amount else None
    return Refusal(codes.TXN_NOT_FOUND, request.trans_id, form, amount, "no such transaction")


# ---------------------------------------------------------------- void or refund


@dataclass(frozen=True, slots=True)
class Reversal:
    """A successful void (same row) or refund (a new refund row)."""

    txn: Transaction  # the voided transaction, or the new refund row
    original: Transaction
    kind: str  # "void" | "refund"
    amount: int  # base amount reversed
    fee: int  # surcharge reversed with it
    form: AmountForm


async def void_or_refund(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: VoidOrRefundRequest
) -> Reversal | Refusal:
    require_own_mid(merchant, request.mid)
    txn = await repository.get_for_update(session, merchant.id, request.trans_id)
    if txn is None:
        return _not_found(request)
    now = runtime.clock.now()
    _expire_if_due(txn, now)
    form = _form(request, txn)
    state = txn.state
    action = request.action.lower() if request.action else None
    wanted = request.amount.minor if request.amount else 0

    if txn.kind != "refund" and state in (State.AUTHORIZED, State.CAPTURED):
        if action == "refund":
            return Refusal(
                codes.TXN_NOT_SETTLED,
                str(txn.id),
                form,
                wanted,
                "the transaction is not settled yet; void it instead",
                txn,
            )
        return _initiated_by(await _void(session, merchant, txn, wanted, form, now), request)
    if txn.kind != "refund" and state in SETTLED_STATES:
        # A void asked for after settlement is "Txn Batched" (ruling R5), even once
        # everything has been refunded; a refund of nothing left is "No action" below.
        if action == "void":
            return Refusal(
                codes.TXN_BATCHED,
                str(txn.id),
                form,
                wanted,
                "the transaction is settled; refund it instead",
                txn,
            )
        if state is not State.REFUNDED:
            outcome = await _refund(session, merchant, txn, wanted, form, now)
            return _initiated_by(outcome, request)
    return Refusal(
        codes.NO_ACTION,
        str(txn.id),
        form,
        wanted,
        f"a {txn.state} {txn.kind} cannot be voided or refunded",
        txn,
    )


def _initiated_by(outcome: Reversal | Refusal, request: VoidOrRefundRequest) -> Reversal | Refusal:
    """A void or refund records, and answers with, the user_identifier that asked for it."""
    if isinstance(outcome, Reversal) and request.user_identifier:
        outcome.txn.user_identifier = request.user_identifier
    return outcome


async def _void(
    session: AsyncSession,
    merchant: Merchant,
    txn: Transaction,
    wanted: int,
    form: AmountForm,
    now: datetime,
) -> Reversal | Refusal:
    state = txn.state
    current = txn.amount_captured if state is State.CAPTURED else txn.amount_authorized
    amount = wanted or current
    if amount > current:
        return Refusal(
            codes.INVALID_AMOUNT,
            str(txn.id),
            form,
            wanted,
            "void amount is more than the transaction's amount",
            txn,
        )
    remaining = current - amount
    # The surcharge goes with the amount: the fee on what is left stays, the rest is
    # released. An authorization holds its fee on the authorized amount (the processor
    # authorized amount + fee); a capture holds it in fee_amount.
    old_fee = fee_held(txn)
    new_fee = apply_rate_bps(remaining, txn.fee_rate_bps)
    fee = old_fee - new_fee
    result = await processor_for(merchant.processor).void(processor_reference(txn), amount + fee)
    if result.outcome is not Outcome.APPROVED:
        return Refusal(
            Answer(Result.DECLINED, result.resp_code, result.resp_text),
            str(txn.id),
            form,
            wanted,
            "the processor refused the void",
            txn,
        )
    if remaining == 0:
        txn.state = apply(state, Event.VOID)
    else:
        txn.state = apply(state, Event.PARTIAL_VOID)
    if state is State.CAPTURED:
        txn.amount_captured = remaining
        txn.fee_amount = new_fee
    txn.amount_authorized = remaining if remaining else txn.amount_authorized
    txn.updated_at = now
    reversal = Reversal(txn, txn, "void", amount, fee, form)
    events.reversed_(session, reversal, merchant.mid, now)
    return reversal


async def _refund(
    session: AsyncSession,
    merchant: Merchant,
    txn: Transaction,
    wanted: int,
    form: AmountForm,
    now: datetime,
) -> Reversal | Refusal:
    remaining = txn.amount_captured - txn.amount_refunded
    amount = wanted or remaining
    if amount > remaining:
        return Refusal(
            codes.INVALID_AMOUNT,
            str(txn.id),
            form,
            wanted,
            "refund amount is more than what remains to refund",
            txn,
        )
    is_rest = amount == remaining
    # The surcharge is refunded in proportion (spec §12.6). The share is worked out on
    # the running total, not per refund, so that rounding never gives back more fee
    # than was charged (each refund rounded up on its own could) and the last refund
    # gives back exactly what is left of it.
    fee = max(
        0,
        proportion(txn.amount_refunded + amount, txn.amount_captured, txn.fee_amount)
        - txn.fee_refunded,
    )
    result = await processor_for(merchant.processor).refund(processor_reference(txn), amount + fee)
    if result.outcome is not Outcome.APPROVED:
        return Refusal(
            Answer(Result.DECLINED, result.resp_code, result.resp_text),
            str(txn.id),
            form,
            wanted,
            "the processor refused the refund",
            txn,
        )
    refund = Transaction(
        merchant_id=txn.merchant_id,
        kind="refund",
        state=State.CAPTURED.value,
        parent_id=txn.id,
        currency=txn.currency,
        amount_form=form.value,
        amount_requested=amount,
        amount_authorized=amount,
        amount_captured=amount,
        amount_refunded=0,
        fee_rate_bps=txn.fee_rate_bps,
        fee_amount=fee,
        fee_refunded=0,
        result="A",
        resp_code="00",
        resp_text="Approval",
        resp_proc=txn.resp_proc,
        auth_code=result.auth_code,
        avs_resp="",
        cvv_resp="",
        comm_card=txn.comm_card,
        card_brand=txn.card_brand,
        card_funding=txn.card_funding,
        bin=txn.bin,
        last_four=txn.last_four,
        account_token=txn.account_token,
        expiration=txn.expiration,
        order_id=txn.order_id,
        invoice_id=txn.invoice_id,
        user_identifier=txn.user_identifier,
        holder=txn.holder,
        custom=txn.custom,
        extra={},
        created_at=now,
        updated_at=now,
    )
    await repository.add(session, refund)
    txn.state = apply(txn.state, Event.REFUND_REST if is_rest else Event.REFUND_PART)
    txn.amount_refunded += amount
    txn.fee_refunded += fee
    txn.updated_at = now
    reversal = Reversal(refund, txn, "refund", amount, fee, form)
    events.reversed_(session, reversal, merchant.mid, now)
    return reversal


# ---------------------------------------------------------------- reconciliation


async def reconcile(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, trans_id: str
) -> Transaction | Refusal:
    """Ask the processor what became of an `unknown` transaction and record the answer."""
    txn = await repository.get_for_update(session, merchant.id, trans_id)
    if txn is None:
        return Refusal(codes.TXN_NOT_FOUND, trans_id, AmountForm.CENTS, None, "no such transaction")
    if txn.state not in (State.UNKNOWN, State.PENDING):
        return Refusal(
            codes.NO_ACTION,
            str(txn.id),
            AmountForm(txn.amount_form),
            None,
            f"a {txn.state} transaction needs no reconciliation",
            txn,
        )
    now = runtime.clock.now()
    result = await processor_for(merchant.processor).inquire(processor_reference(txn))
    if result.outcome is Outcome.UNKNOWN:
        if txn.state is State.PENDING:  # an attempt whose request never finished
            txn.state = apply(State.PENDING, Event.TIME_OUT)
            txn.result, txn.updated_at = Result.RETRY, now
        return txn  # still unknown: try again later
    txn.resp_code, txn.resp_text = result.resp_code, result.resp_text
    txn.auth_code = result.auth_code
    txn.cvv_resp = result.cvv_resp or txn.cvv_resp
    txn.processor_ref = result.processor_ref or txn.processor_ref
    if result.outcome is Outcome.DECLINED:
        txn.state = apply(txn.state, Event.DECLINE)
        txn.result = Result.DECLINED
    else:
        _approve(txn, runtime, is_verify=txn.kind == "verify", capture=txn.kind == "sale")
    txn.updated_at = now
    events.transaction_outcome(session, txn, merchant.mid, now)
    return txn
