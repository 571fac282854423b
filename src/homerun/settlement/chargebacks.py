"""Chargebacks: opened on a settled sale, then won or lost.

Opening debits the merchant (merchant_payable -> card_clearing) and charges the
merchant's chargeback fee as an adjustment. Winning credits the amount back (the
reversal); losing changes no money. The clock decides a chargeback nobody decided
by its `respond_by`: a fraud claim on a sale whose CVV matched (cvv_resp "M") is
won, anything else is lost.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import Conflict, NotFound, ValidationFailed
from homerun.ledger import service as ledger
from homerun.ledger.accounts import Account, Kind
from homerun.merchants.models import Merchant
from homerun.payments import repository as transactions
from homerun.payments.models import Transaction
from homerun.payments.state import SETTLED_STATES, PaymentMethod
from homerun.runtime import Runtime
from homerun.settlement import adjustments, calendar, events, reasons, repository, schedule
from homerun.settlement.models import Chargeback
from homerun.settlement.state import (
    ChargebackEvent,
    ChargebackState,
    IllegalChargebackTransition,
    apply,
)


def remaining(txn: Transaction) -> int:
    """What is still captured and not refunded on a sale, surcharge included."""
    return txn.amount_captured + txn.fee_amount - txn.amount_refunded - txn.fee_refunded


async def open_for(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    trans_id: str,
    *,
    amount: int | None,
    reason_code: str | None,
) -> Chargeback:
    """POST /homerun/v1/chargebacks: a dispute on any settled sale of the merchant."""
    txn = await transactions.get_for_update(session, merchant.id, trans_id)
    if txn is None:
        raise NotFound(f"transaction {trans_id} not found for merchant {merchant.mid}")
    return await open_chargeback(
        session, runtime, merchant, txn, amount=amount, reason_code=reason_code, source="manual"
    )


async def open_chargeback(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    txn: Transaction,
    *,
    amount: int | None,
    reason_code: str | None,
    source: str,
    at: datetime | None = None,
) -> Chargeback:
    if txn.payment_method is PaymentMethod.ACH:
        # A payer disputes a bank debit by a return (R10), not a card chargeback.
        raise Conflict("an ACH payment is not charged back: it is returned (ach-return)")
    if txn.kind == "refund" or txn.state not in SETTLED_STATES:
        raise Conflict(f"only a settled sale can be charged back; this is a {txn.state} {txn.kind}")
    if await repository.chargeback_of(session, txn.id) is not None:
        raise Conflict(f"transaction {txn.id} already has a chargeback")
    left = remaining(txn)
    wanted = left if amount is None else amount
    if left <= 0:
        raise Conflict(f"transaction {txn.id} has nothing left to charge back")
    if not 0 < wanted <= left:
        raise ValidationFailed.field("amount", "must be more than 0 and at most what remains")
    reason = _reason(txn.card_brand, reason_code)
    now = at or runtime.clock.now()
    cb = Chargeback(
        case_number=await _case_number(session),
        merchant_id=merchant.id,
        transaction_id=txn.id,
        batch_id=txn.batch_id,
        currency=txn.currency,
        amount=wanted,
        fee_amount=merchant.chargeback_fee,
        reason_code=reason.code,
        reason_text=reason.text,
        card_brand=txn.card_brand,
        last_four=txn.last_four,
        state=ChargebackState.OPEN.value,
        source=source,
        opened_at=now,
        respond_by=now + timedelta(days=runtime.settings.chargeback_response_days),
        created_at=now,
        updated_at=now,
    )
    await repository.add(session, cb)
    _post(session, merchant, cb, Kind.CHARGEBACK, now)
    if merchant.chargeback_fee > 0:
        await adjustments.add(
            session,
            merchant,
            amount=-merchant.chargeback_fee,
            adjustment_type=adjustments.CHARGEBACK_FEE,
            reason=f"Chargeback fee, case {cb.case_number}",
            at=now,
            created_by="system",
            chargeback_id=cb.id,
            reference=f"{adjustments.CHARGEBACK_FEE}:{cb.id}",
        )
    await schedule.schedule_chargeback_decision(session, runtime, merchant.id, cb.id, cb.respond_by)
    events.chargeback_event(session, "chargeback.entered", cb, txn, merchant.mid, now)
    return cb


def _reason(brand: str | None, code: str | None) -> reasons.Reason:
    if code is None:
        return reasons.default_for(brand)
    found = reasons.lookup(brand, code.strip().upper())
    if found is None:
        known = ", ".join(reasons.codes_for(brand))
        raise ValidationFailed.field(
            "reason_code", f"is not a {brand or 'card network'} reason code; one of {known}"
        )
    return found


async def _case_number(session: AsyncSession) -> str:
    while True:
        candidate = str(secrets.randbelow(9 * 10**11) + 10**11)
        if not await repository.case_number_exists(session, candidate):
            return candidate


def _post(
    session: AsyncSession, merchant: Merchant, cb: Chargeback, kind: Kind, at: datetime
) -> None:
    """The chargeback's debit, or the reversal's credit, payable after the funding delay."""
    available_on = calendar.add_business_days(
        calendar.local_date(at, merchant.timezone), merchant.funding_delay_days
    )
    debit, credit = (
        (Account.MERCHANT_PAYABLE, Account.CARD_CLEARING)
        if kind is Kind.CHARGEBACK
        else (Account.CARD_CLEARING, Account.MERCHANT_PAYABLE)
    )
    ledger.post(
        session,
        merchant_id=merchant.id,
        currency=cb.currency,
        journal=f"{kind.value}:{cb.id}",
        kind=kind,
        at=at,
        lines=ledger.transfer(debit, credit, cb.amount, available_on),
        source=ledger.Source(chargeback_id=cb.id),
    )


async def decide(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant | None,
    chargeback_id: int,
    event: ChargebackEvent,
    by: str,
    at: datetime | None = None,
) -> tuple[Chargeback, Merchant]:
    """Win or lose an open chargeback (409 when it is already decided); with its merchant."""
    cb = await repository.chargeback_for_update(session, chargeback_id)
    if cb is None or (merchant is not None and cb.merchant_id != merchant.id):
        raise NotFound(f"chargeback {chargeback_id} not found")
    owner = merchant or await repository.merchant(session, cb.merchant_id)
    assert owner is not None
    try:
        cb.state = apply(cb.state, event)
    except IllegalChargebackTransition as illegal:
        raise Conflict(str(illegal)) from None
    now = at or runtime.clock.now()
    cb.decided_at, cb.decided_by, cb.updated_at = now, by, now
    if event is ChargebackEvent.WIN:
        _post(session, owner, cb, Kind.REVERSAL, now)
    await session.flush()
    txn = await repository.transaction_for_update(session, cb.transaction_id)
    assert txn is not None
    event_type = "chargeback.won" if event is ChargebackEvent.WIN else "chargeback.lost"
    events.chargeback_event(session, event_type, cb, txn, owner.mid, now)
    return cb, owner


async def clock_verdict(session: AsyncSession, cb: Chargeback) -> ChargebackEvent:
    """The rule the clock applies at `respond_by`."""
    txn = await repository.transaction_for_update(session, cb.transaction_id)
    reason = reasons.lookup(cb.card_brand, cb.reason_code)
    compelling = txn is not None and txn.cvv_resp == "M"
    if reason is not None and reason.fraud and compelling:
        return ChargebackEvent.WIN
    return ChargebackEvent.LOSE
