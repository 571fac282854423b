"""What the operator's console asks of the domains: the instance's merchants and partners,
the sandbox clock (a preview of the jobs due by a time, then the advance itself), and the
bank's and the network's side of a payment (a chargeback, an ACH return).

Nothing here has rules of its own: an advance is `sandbox.service.advance`, a chargeback
`settlement.chargebacks.open_for`, an ACH return `payments.ach_lifecycle.bank_answer`, the
functions the admin API calls. Each is recorded in the audit log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.boarding import partners
from homerun.boarding.models import Partner
from homerun.config import Mode
from homerun.errors import HomerunError
from homerun.merchants import repository as merchant_rows
from homerun.merchants import service as merchants
from homerun.merchants.models import Merchant
from homerun.payments import ach_lifecycle
from homerun.runtime import Runtime
from homerun.sandbox import service as sandbox
from homerun.settlement import chargebacks
from homerun.worker import repository as job_rows
from homerun.worker.models import Job
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report

# The most merchants the console lists, and the most jobs a preview lists one by one.
MERCHANT_LIMIT = 200
PREVIEW_LIMIT = 200

# What a job of each kind does, in the words of the console (an unknown kind shows as is).
JOB_NAMES: dict[str, str] = {
    "settlement.cutoff_slot": "Batch cut-off: open batches close",
    "settlement.close_batch": "A batch closes",
    "settlement.funding_slot": "Funding run: closed batches are funded",
    "settlement.fund": "A deposit funds",
    "settlement.month_end_slot": "Month end: monthly fees",
    "settlement.chargeback_arrival": "A chargeback arrives",
    "settlement.chargeback_decision": "A chargeback is decided",
    "billing.bucket": "Billing plans run",
    "boarding.step": "An application takes its next step",
    "payments.ach_cutoff_slot": "ACH cut-off: ACH payments are originated",
    "payments.reconcile": "A payment of unknown outcome is reconciled",
    "verify.books": "The books are checked",
}


@dataclass(frozen=True, slots=True)
class Instance:
    merchants: Sequence[Merchant]
    merchant_count: int
    partners: Sequence[Partner]


async def instance(session: AsyncSession) -> Instance:
    return Instance(
        await merchant_rows.first_page(session, MERCHANT_LIMIT, 0),
        await merchant_rows.count_all(session),
        await partners.list_partners(session),
    )


def sandbox_mode(runtime: Runtime) -> bool:
    return runtime.settings.mode is Mode.SANDBOX


@dataclass(frozen=True, slots=True)
class DueJob:
    due_at: datetime
    kind: str
    name: str
    merchant: str  # the merchant's name and MID, or "" for instance-wide work


@dataclass(frozen=True, slots=True)
class Preview:
    now: datetime
    target: datetime
    jobs: list[DueJob]  # the first PREVIEW_LIMIT, in the order they run
    total: int
    by_name: list[tuple[str, int]]  # of the listed jobs: what, how many


async def preview(session: AsyncSession, runtime: Runtime, target: datetime) -> Preview:
    """The jobs due by `target`, read from the job table (the worker's repository). A
    recurring job is one row: it is listed at its next time, and runs at each of its times
    on the way; jobs the run makes (a deposit after a batch) are not listed yet."""
    rows: Sequence[Job] = await job_rows.due_by(session, target, PREVIEW_LIMIT)
    total = await job_rows.count_due_by(session, target)
    names: dict[int, str] = {}
    for merchant_id in {j.merchant_id for j in rows if j.merchant_id is not None}:
        found = await merchants.by_id(session, merchant_id)
        names[merchant_id] = f"{found.name} ({found.mid})" if found else str(merchant_id)
    jobs = [
        DueJob(
            j.due_at,
            j.kind,
            JOB_NAMES.get(j.kind, j.kind),
            names.get(j.merchant_id, "") if j.merchant_id is not None else "",
        )
        for j in rows
    ]
    counted = Counter(j.name for j in jobs)
    return Preview(runtime.clock.now(), target, jobs, total, sorted(counted.items()))


async def advance(
    runtime: Runtime, jobs: JobRegistry, actor: Actor, until: datetime
) -> sandbox.Advanced:
    """Move the clock to `until`, running what falls due (its own transactions), then log it."""
    done = await sandbox.advance(runtime, jobs, None, until)
    async with runtime.db.transaction() as session:
        await audit.record(
            session,
            runtime.clock.now(),
            actor,
            AuditAction.CLOCK_ADVANCED,
            until=until.isoformat(),
            started_at=done.started_at.isoformat(),
            now=done.now.isoformat(),
            counts=dict(sorted(done.report.counts.items())),
        )
    return done


def summary(report: Report) -> list[tuple[str, int]]:
    """What an advance did, in the console's words, largest effects first."""
    labels = {
        "batches_closed": "Batches closed",
        "transactions_settled": "Payments settled",
        "authorizations_expired": "Authorizations expired",
        "deposits_made": "Deposits funded",
        "chargebacks_opened": "Chargebacks opened",
        "chargebacks_won": "Chargebacks won",
        "chargebacks_lost": "Chargebacks lost",
        "adjustments_made": "Adjustments made",
        "jobs_run": "Jobs run",
        "jobs_failed": "Jobs failed",
    }
    shown = [(label, report.counts.get(name, 0)) for name, label in labels.items()]
    shown += [
        (name.replace("_", " ").capitalize(), count)
        for name, count in sorted(report.counts.items())
        if name not in labels
    ]
    return shown


@dataclass(frozen=True, slots=True)
class Done:
    text: str


@dataclass(frozen=True, slots=True)
class Failed:
    text: str
    status: int


async def open_chargeback(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    mid: str,
    trans_id: str,
    amount: int | None,
    reason_code: str | None,
) -> Done | Failed:
    """A chargeback on any merchant's settled sale; a refusal changes nothing."""
    try:
        async with session.begin_nested():
            merchant = await merchants.get(session, mid)
            cb = await chargebacks.open_for(
                session, runtime, merchant, trans_id, amount=amount, reason_code=reason_code
            )
    except HomerunError as refused:
        return Failed(refused.message, refused.status_code)
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AuditAction.CHARGEBACK_OPENED,
        merchant_id=merchant.id,
        trans_id=trans_id,
        chargeback_id=str(cb.id),
        amount=str(cb.amount),
        reason_code=cb.reason_code,
    )
    return Done(f"Chargeback {cb.case_number} was opened on payment {trans_id} of {merchant.name}.")


async def return_ach(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    mid: str,
    trans_id: str,
    code: str,
) -> Done | Failed:
    """The payer's bank returns an ACH payment (R01..R85); a refusal changes nothing."""
    try:
        async with session.begin_nested():
            merchant = await merchants.get(session, mid)
            txn = await ach_lifecycle.bank_answer(session, runtime, merchant, trans_id, code)
    except HomerunError as refused:
        return Failed(refused.message, refused.status_code)
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AuditAction.ACH_RETURNED,
        merchant_id=merchant.id,
        trans_id=trans_id,
        return_code=code.strip().upper(),
        state=txn.state.value,
    )
    return Done(f"Payment {trans_id} of {merchant.name} is now {txn.state.value}.")
