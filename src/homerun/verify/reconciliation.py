"""No transaction is left pending past its reconciliation: a row whose processor never
answered (`pending` or `unknown`) has its `payments.reconcile` job waiting, and that job is
not long overdue (docs/architecture.md, "Uncertainty is recorded")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from sqlalchemy import String, cast, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.payments.models import Transaction
from homerun.payments.reconciliation import KEY_PREFIX
from homerun.payments.state import State
from homerun.verify.reader import rows
from homerun.verify.violation import Check, Scope, Violation
from homerun.worker.models import Job
from homerun.worker.state import JobState

PENDING = "payments.reconciliation"
# A reconciliation due this long ago and still waiting means no worker is taking it.
OVERDUE_AFTER = timedelta(hours=1)


async def unreconciled(session: AsyncSession, scope: Scope) -> AsyncIterator[Violation]:
    overdue = scope.now - OVERDUE_AFTER
    stmt = (
        select(Transaction.id, Transaction.state, Transaction.created_at, Job.state, Job.due_at)
        .outerjoin(Job, Job.key == literal(KEY_PREFIX) + cast(Transaction.id, String))
        .where(
            Transaction.state.in_((State.PENDING, State.UNKNOWN)),
            or_(Job.id.is_(None), Job.state != JobState.READY, Job.due_at < overdue),
        )
    )
    async for trans_id, state, created_at, job_state, due_at in rows(session, stmt):
        if job_state is None:
            why = "no reconciliation is scheduled"
        elif job_state != JobState.READY:
            why = f"its reconciliation job is {job_state}"
        else:
            why = f"its reconciliation was due at {due_at.isoformat()} and has not run"
        yield Violation(PENDING, str(trans_id), f"{state} since {created_at.isoformat()}: {why}")


CHECKS = (
    Check(
        PENDING,
        "every pending or unknown transaction has its reconciliation waiting, and not"
        f" overdue by more than {OVERDUE_AFTER}",
        unreconciled,
    ),
)
