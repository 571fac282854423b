"""The job registry: a value built at start-up from each package's register(), never a
module global filled by imports."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.billing import jobs as billing_jobs
from homerun.jobs import job_registry
from homerun.payments import ach_jobs
from homerun.retention import jobs as retention_jobs
from homerun.runtime import Runtime
from homerun.sandbox.service import sync_clock
from homerun.settlement import jobs as settlement_jobs
from homerun.verify import jobs as verify_jobs
from homerun.webhooks import jobs as webhooks_jobs
from homerun.worker.models import Job
from homerun.worker.registry import DuplicateJobKind, JobRegistry
from homerun.worker.report import Report


async def nothing(session: AsyncSession, runtime: Runtime, job: Job, report: Report) -> None:
    return None


def test_the_registry_holds_every_packages_jobs() -> None:
    jobs = job_registry()
    assert sorted(jobs.handlers) == [
        "billing.bucket",
        "boarding.step",
        "payments.ach_cutoff_slot",
        "payments.reconcile",
        "settlement.chargeback_arrival",
        "settlement.chargeback_decision",
        "settlement.close_batch",
        "settlement.cutoff_slot",
        "settlement.fund",
        "settlement.funding_slot",
        "settlement.month_end_slot",
        "verify.books",
    ]
    assert jobs.start_hooks == [
        ach_jobs.ensure_ach_slots,
        settlement_jobs.ensure_schedule,
        billing_jobs.ensure_jobs,
        verify_jobs.ensure_schedule,
    ]
    assert jobs.services == {
        "webhooks": webhooks_jobs.deliver,
        "retention": retention_jobs.purge_now_and_then,
    }
    assert jobs.round_hooks == [sync_clock]


def test_each_registry_is_its_own_value() -> None:
    mine = job_registry()
    mine.handler("test.mine", nothing)
    assert "test.mine" in mine.handlers
    assert "test.mine" not in job_registry().handlers
    assert JobRegistry().handlers == {}


def test_a_kind_has_one_handler() -> None:
    jobs = JobRegistry()
    jobs.handler("test.once", nothing)
    with pytest.raises(DuplicateJobKind) as refused:
        jobs.handler("test.once", nothing)
    assert str(refused.value) == "two handlers for job kind 'test.once'"
    assert jobs.handlers == {"test.once": nothing}
