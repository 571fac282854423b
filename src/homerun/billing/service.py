"""Billing plans: create (schedule its payments), read, cancel; and charge what is due.

A bounded rule's payments are all scheduled when the plan is made; an open-ended rule's
next ones only, a rolling window that moves on as each payment is paid
(billing.window). An open-ended plan runs until it is cancelled, its vault account is
deleted, or dunning gives up on one of its payments.

Charging runs in the worker (billing.jobs): scheduled payments are spread over
`billing_job_buckets` keyed jobs; a bucket's job falls due at its earliest open payment,
charges up to `billing_batch_size` due payments in its own transaction, and falls due
again at the next one. Each charge is a merchant-initiated card-on-file charge (cof "M",
cof_sched "Y") through payments.service on the plan's vault account: a card, or a bank
account (an ACH sale). A plan on a bank account one of whose payments was returned stops
when its next payment falls due (_stop_if_returned), before anything is charged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.billing import repository, rules, window
from homerun.billing.models import BillingAttempt, BillingPlan, ScheduledPayment
from homerun.billing.schemas import CreatePlanRequest
from homerun.billing.state import (
    PaymentEvent,
    PaymentStatus,
    PlanEvent,
    PlanStatus,
    payment_after,
    plan_after,
)
from homerun.errors import Conflict, NotFound, ValidationFailed
from homerun.kit.db import writes
from homerun.kit.money import to_dollars
from homerun.merchants.models import Merchant
from homerun.observability.metrics import count_charge
from homerun.payments import service as payments
from homerun.payments.row import AnyTransaction
from homerun.payments.schemas import ChargeRequest
from homerun.runtime import Runtime
from homerun.vault import service as vault
from homerun.vault.models import PaymentAccount
from homerun.worker.report import Report

log = logging.getLogger("homerun.billing")

INSERT_CHUNK = 500
# An outcome the processor has not told yet is asked about again after this long.
UNKNOWN_RECHECK = timedelta(hours=1)
# A payment whose charge failed unexpectedly (a fault, not a decline) waits this long.
FAULT_PAUSE = timedelta(hours=1)

# Report names (the clock's answer).
COMPLETED = "billing_payments_completed"
DECLINED = "billing_payments_declined"
FAILED = "billing_payments_failed"
PLANS_COMPLETED = "billing_plans_completed"
PLANS_STOPPED = "billing_plans_stopped"

# Why a plan stopped (its status_reason).
ACCOUNT_DELETED = "the vault payment account was deleted"
DUNNING_GAVE_UP = "a payment failed after its last dunning retry"
ACH_RETURNED = "an ACH payment was returned ({code}: {reason})"
ACH_NOT_TAKEN = "the merchant no longer takes ACH payments"


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: BillingPlan
    account: PaymentAccount
    payments: list[ScheduledPayment]


def _bucket(runtime: Runtime, plan_id: int) -> int:
    return plan_id % runtime.settings.billing_job_buckets


async def create(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, request: CreatePlanRequest
) -> BillingPlan:
    payments.require_own_mid(merchant, request.mid)
    if request.amount <= 0:
        raise ValidationFailed.field("amount", "must be more than 0.00")
    account = await vault.active_account(session, merchant, request.payment_account_uuid)
    if account is None:
        raise ValidationFailed.field(
            "payment_account_uuid", "names no active vault payment account of this merchant"
        )
    if not account.cof_permission:
        raise ValidationFailed.field(
            "payment_account_uuid",
            'the account was stored without the cardholder\'s permission (cof_perm "Y"), '
            "which merchant-initiated recurring charges need",
        )
    horizon = runtime.settings.billing_horizon_days
    now = runtime.clock.now()
    try:
        schedule = rules.parse(request.rrule_pattern, horizon)
        first = window.first(schedule, now, horizon, window.Limits.of(runtime.settings))
    except rules.RuleError as problem:
        raise ValidationFailed.field("rrule_pattern", str(problem)) from None
    if not first:
        raise ValidationFailed.field("rrule_pattern", "has no occurrence after now")
    plan = await repository.add_plan(
        session,
        BillingPlan(
            merchant_id=merchant.id,
            account_id=account.id,
            name=request.name,
            description=request.description,
            amount=request.amount,
            currency=merchant.currency,
            rrule_pattern=schedule.text,
            status=PlanStatus.ACTIVE,
            payment_count=0,
            open_payments=0,
            created_at=now,
            updated_at=now,
        ),
    )
    bucket = _bucket(runtime, plan.id)
    for start in range(0, len(first), INSERT_CHUNK):
        chunk = first[start : start + INSERT_CHUNK]
        await repository.add_payments(session, window.rows(plan, chunk, bucket, now))
    window.moved_on(plan, first, open_ended=schedule.open_ended)
    await repository.schedule_bucket(session, bucket, first[0][1], now)
    return plan


def _plan_id(identifier: str) -> int:
    text = identifier.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise NotFound(f"billing plan {identifier} not found")
    return int(text)


async def get(session: AsyncSession, merchant: Merchant, identifier: str) -> PlanView:
    plan = await repository.plan(session, merchant.id, _plan_id(identifier))
    if plan is None:
        raise NotFound(f"billing plan {identifier} not found")
    account = await vault.account_by_id(session, plan.account_id)
    assert account is not None
    return PlanView(plan, account, list(await repository.payments_of(session, plan.id)))


async def cancel(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, identifier: str
) -> BillingPlan:
    """Cancel: every open payment is cancelled; irreversible. Cancelling again is a no-op."""
    plan = await repository.plan(session, merchant.id, _plan_id(identifier), lock=True)
    if plan is None:
        raise NotFound(f"billing plan {identifier} not found")
    status = plan.status
    if status is PlanStatus.CANCELLED:
        return plan
    if status is not PlanStatus.ACTIVE:
        raise Conflict(f"billing plan {identifier} is {status.value}: nothing left to cancel")
    now = runtime.clock.now()
    plan.status = plan_after(status, PlanEvent.CANCEL)
    plan.status_reason = "cancelled by the merchant"
    plan.ended_at = plan.updated_at = now
    plan.open_payments = 0
    await repository.cancel_open_payments(session, plan.id, now)
    await session.flush()
    return plan


# ----------------------------------------------------------------------------- the runner


async def ensure_jobs(runtime: Runtime) -> None:
    """Every bucket with open payments has its job, due by its earliest payment (heals a
    job lost to anything; run at worker start, now and then, and on every clock advance)."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        for bucket in await repository.buckets_in_use(session):
            due = await repository.next_due(session, bucket)
            if due is not None:
                await repository.schedule_bucket(session, bucket, due, now)


@dataclass
class _Batch:
    """Everything a batch of charges reads, loaded in a few queries: plans locked, payments
    fresh (every writer of a payment locks its plan first).

    Plans and payments are detached from the session: their changes are written once for
    the whole batch (one executemany each), not by every charge's flush.
    """

    plans: dict[int, BillingPlan]
    payments: dict[int, ScheduledPayment]
    merchants: dict[int, Merchant]
    accounts: vault.LoadedAccounts  # held here: the session keeps weak references only
    attempts: list[BillingAttempt] = field(default_factory=list)
    changed_plans: set[int] = field(default_factory=set)
    changed_payments: set[int] = field(default_factory=set)


async def _load(session: AsyncSession, due: list[tuple[int, int]]) -> _Batch:
    plans = await repository.plans_for_update(session, sorted({plan for _, plan in due}))
    payments = await repository.payments_by_id(session, [payment for payment, _ in due])
    for row in (*plans.values(), *payments.values()):
        session.expunge(row)
    merchants = await repository.merchants_by_id(
        session, sorted({plan.merchant_id for plan in plans.values()})
    )
    accounts = await vault.load_for_charges(
        session, sorted({plan.account_id for plan in plans.values()})
    )
    return _Batch(plans, payments, merchants, accounts)


async def _write(session: AsyncSession, batch: _Batch) -> None:
    if batch.attempts:
        session.add_all(batch.attempts)
        batch.attempts = []
    await session.flush()
    await repository.save_payments(session, [batch.payments[i] for i in batch.changed_payments])
    await repository.save_plans(session, [batch.plans[i] for i in batch.changed_plans])
    batch.changed_payments.clear()
    batch.changed_plans.clear()


async def _forget(session: AsyncSession, batch: _Batch, payment_id: int, plan_id: int) -> None:
    """After a fault in careful mode: this payment's unwritten changes are dropped and its
    rows read again (the savepoint rolled the database back, not the detached objects)."""
    batch.attempts = []
    batch.changed_payments.discard(payment_id)
    batch.changed_plans.discard(plan_id)
    for row in (await repository.plans_for_update(session, [plan_id])).values():
        session.expunge(row)
        batch.plans[plan_id] = row
    for payment in (await repository.payments_by_id(session, [payment_id])).values():
        session.expunge(payment)
        batch.payments[payment_id] = payment


async def run_bucket(
    session: AsyncSession, runtime: Runtime, bucket: int, report: Report, *, careful: bool = False
) -> datetime | None:
    """Charge up to a batch of the bucket's due payments; when the bucket falls due next.

    The batch is one transaction (the job's). `careful` (the job failed before) charges
    each payment in a savepoint of its own: a payment that faults is put off for a while
    instead of failing the batch again, and the rest of the bucket goes on.
    """
    now = runtime.clock.now()
    due = list(
        await repository.due_payments(session, bucket, now, runtime.settings.billing_batch_size)
    )
    if due:
        batch = await _load(session, due)
        for payment_id, plan_id in due:
            if not careful:
                await _run_payment(session, runtime, batch, payment_id, plan_id, now, report)
                continue
            try:
                async with session.begin_nested():
                    await _run_payment(session, runtime, batch, payment_id, plan_id, now, report)
                    await _write(session, batch)
            except Exception:
                log.exception("scheduled payment %s could not be charged", payment_id)
                await _forget(session, batch, payment_id, plan_id)
                await repository.postpone(session, payment_id, now + FAULT_PAUSE)
                report.count("billing_faults")
        await _write(session, batch)
    return await repository.next_due(session, bucket)


async def _run_payment(
    session: AsyncSession,
    runtime: Runtime,
    batch: _Batch,
    payment_id: int,
    plan_id: int,
    now: datetime,
    report: Report,
) -> None:
    plan, payment = batch.plans.get(plan_id), batch.payments.get(payment_id)
    if plan is None or payment is None or payment.due_at is None or payment.due_at > now:
        return  # cancelled, finished or moved meanwhile
    batch.changed_payments.add(payment.id)
    if plan.status != PlanStatus.ACTIVE:
        _payment_event(payment, PaymentEvent.CANCEL, now)
        return
    merchant = batch.merchants[plan.merchant_id]
    account = batch.accounts.accounts.get(plan.account_id)
    if account is None or account.is_deleted:
        await _stop_in_batch(session, batch, plan, ACCOUNT_DELETED, now, report)
        return
    if vault.is_bank(account):
        if not merchant.accepts.ach:
            await _stop_in_batch(session, batch, plan, ACH_NOT_TAKEN, now, report)
            return
        if await _stop_if_returned(session, batch, plan, now, report):
            return
    previous = await repository.transaction(session, payment.trans_id) if payment.trans_id else None
    if previous is not None and previous.state == "unknown":
        txn = await _reconcile(session, runtime, merchant, payment)
    elif previous is not None and previous.result == "A":
        # An outcome that was unknown has been found approved meanwhile (reconciled by
        # the worker's own sweep): the payment is paid; it is never charged again.
        txn = previous
        await _attempt_result(session, payment, txn)
    else:
        txn = await _charge(session, runtime, merchant, plan, account, payment, batch)
    _record_outcome(runtime, payment, txn, now, report)
    if payment.due_at is None:
        await _payment_ended(session, runtime, batch, plan, payment, now, report)


async def _stop_if_returned(
    session: AsyncSession, batch: _Batch, plan: BillingPlan, now: datetime, report: Report
) -> bool:
    """A returned ACH payment stops the plan: NACHA lets a debit be presented again after
    a return only with the payer's new authorization (R10, R29) or for funds (R01, R09) at
    most twice, so the runner charges nothing more; the merchant makes a new plan. The
    returned payment shows RETURNED with the return code; the plan's open payments are
    cancelled."""
    found = await repository.returned_ach_payment(session, plan.id)
    if found is None:
        return False
    returned, txn = found
    returned.status = payment_after(returned.status, PaymentEvent.RETURN)
    returned.amount_paid = 0
    returned.resp_code, returned.resp_text = txn.ach_return_code, txn.ach_return_reason
    returned.updated_at = now
    reason = ACH_RETURNED.format(code=txn.ach_return_code, reason=txn.ach_return_reason)
    await _stop_in_batch(session, batch, plan, reason, now, report)
    return True


async def _payment_ended(
    session: AsyncSession,
    runtime: Runtime,
    batch: _Batch,
    plan: BillingPlan,
    payment: ScheduledPayment,
    now: datetime,
    report: Report,
) -> None:
    """A payment reached an end: an open-ended plan stops if dunning gave up, else its
    window moves on; a plan left with no open payment has completed."""
    open_ended = plan.window_number is not None
    if open_ended and payment.status is PaymentStatus.FAILED:
        # A bounded plan goes on to its next payments; one with no end would go on
        # declining for ever, so it stops here.
        await _stop_in_batch(session, batch, plan, DUNNING_GAVE_UP, now, report)
        return
    batch.changed_plans.add(plan.id)
    plan.open_payments -= 1
    if open_ended:
        await _extend(session, runtime, plan, now)
    if plan.open_payments <= 0:
        plan.status = plan_after(plan.status, PlanEvent.FINISH)
        plan.status_reason = "the schedule has ended"
        plan.ended_at = plan.updated_at = now
        report.count(PLANS_COMPLETED)


async def _charge(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    plan: BillingPlan,
    account: PaymentAccount,
    payment: ScheduledPayment,
    batch: _Batch,
) -> AnyTransaction:
    fields: dict[str, object] = {
        "mid": merchant.mid,
        "amount": to_dollars(payment.amount_scheduled),
        "vault_id": str(account.id),
        "capture": True,
        "cof": "M",
        "cof_sched": True,
        "order_id": f"BP{plan.id}-{payment.payment_number}",
        "user_identifier": f"billing_plan:{plan.id}",
    }
    if not vault.is_bank(account):
        # A card's recurring indicator; a bank account is debited with its own entry
        # class (the token's, as the payer authorized it).
        fields["com_ind"] = "R"
    request = ChargeRequest.model_validate(fields)
    txn = await payments.charge(session, runtime, merchant, request)
    await writes.flush(session)  # the attempt names the charge's id
    count_charge(txn.result, txn.resp_code, txn.card_brand)
    payment.attempts += 1
    batch.attempts.append(
        BillingAttempt(
            payment_id=payment.id,
            attempt=payment.attempts,
            transaction_id=txn.id,
            result=txn.result,
            created_at=runtime.clock.now(),
        )
    )
    return txn


async def _reconcile(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, payment: ScheduledPayment
) -> AnyTransaction:
    """The last attempt's outcome was not known: ask before charging again."""
    assert payment.trans_id is not None
    outcome = await payments.reconcile(session, runtime, merchant, str(payment.trans_id))
    txn = outcome.original if isinstance(outcome, payments.Refusal) else outcome
    assert txn is not None
    await _attempt_result(session, payment, txn)
    return txn


async def _attempt_result(
    session: AsyncSession, payment: ScheduledPayment, txn: AnyTransaction
) -> None:
    attempt = await repository.attempt_for(session, payment.id, txn.id)
    if attempt is not None:
        attempt.result = txn.result


def _record_outcome(
    runtime: Runtime, payment: ScheduledPayment, txn: AnyTransaction, now: datetime, report: Report
) -> None:
    payment.trans_id = txn.id
    payment.resp_code, payment.resp_text = txn.resp_code, txn.resp_text
    status = payment.status
    if txn.result == "A":
        payment.amount_paid = txn.amount_captured
        _payment_event(payment, PaymentEvent.APPROVE, now)
        report.made(COMPLETED, payment.id)
        return
    if txn.state == "unknown":
        # Not known yet: ask again later; this does not use up a dunning retry.
        payment.status = payment_after(status, PaymentEvent.DECLINE)
        assert payment.due_at is not None
        payment.due_at = max(payment.due_at + UNKNOWN_RECHECK, now)
        payment.updated_at = now
        return
    retry_days = runtime.settings.billing_retry_days
    if payment.attempts <= len(retry_days):
        payment.status = payment_after(status, PaymentEvent.DECLINE)
        retry_at = payment.payment_date + timedelta(days=retry_days[payment.attempts - 1])
        payment.due_at = max(retry_at, now)
        payment.updated_at = now
        report.made(DECLINED, payment.id)
    else:
        _payment_event(payment, PaymentEvent.GIVE_UP, now)
        report.made(FAILED, payment.id)


def _payment_event(payment: ScheduledPayment, event: PaymentEvent, now: datetime) -> None:
    payment.status = payment_after(payment.status, event)
    payment.due_at = None
    payment.updated_at = now


async def _extend(
    session: AsyncSession, runtime: Runtime, plan: BillingPlan, now: datetime
) -> None:
    """Fill an open-ended plan's window again (its row is locked: see billing.window)."""
    settings = runtime.settings
    limits = window.Limits.of(settings)
    added = window.following(plan, now, settings.billing_horizon_days, limits)
    if added:
        rows = window.rows(plan, added, _bucket(runtime, plan.id), now)
        await repository.add_payments(session, rows)
        window.moved_on(plan, added, open_ended=True)
        plan.updated_at = now


async def _stop_in_batch(
    session: AsyncSession,
    batch: _Batch,
    plan: BillingPlan,
    reason: str,
    now: datetime,
    report: Report,
) -> None:
    """Stop the plan, and cancel its other open payments in the batch's own copies too."""
    await _stop(session, plan, reason, now)
    for other in batch.payments.values():
        if other.plan_id == plan.id and other.due_at is not None:
            _payment_event(other, PaymentEvent.CANCEL, now)
            batch.changed_payments.add(other.id)
    batch.changed_plans.add(plan.id)
    report.count(PLANS_STOPPED)


async def _stop(session: AsyncSession, plan: BillingPlan, reason: str, now: datetime) -> None:
    """The plan stops; its open payments are cancelled (in the table: the caller updates
    the batch's own copies)."""
    plan.status = plan_after(plan.status, PlanEvent.STOP)
    plan.status_reason = reason
    plan.ended_at = plan.updated_at = now
    plan.open_payments = 0
    await repository.cancel_open_payments(session, plan.id, now)
