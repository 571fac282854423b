"""The job registry of a running Homerun: every package's job kinds, start hooks and
worker services, put together once at start-up (beside app.py, above the domains).

The one list to extend when a package adds jobs. The worker, the sandbox clock and the
app are given the registry this builds; none of them imports a domain's jobs.
"""

from __future__ import annotations

from homerun.billing import jobs as billing_jobs
from homerun.boarding import jobs as boarding_jobs
from homerun.payments import jobs as payments_jobs
from homerun.retention import jobs as retention_jobs
from homerun.sandbox.service import sync_clock
from homerun.settlement import jobs as settlement_jobs
from homerun.verify import jobs as verify_jobs
from homerun.webhooks import jobs as webhooks_jobs
from homerun.worker.registry import JobRegistry


def job_registry() -> JobRegistry:
    jobs = JobRegistry()
    packages = (
        payments_jobs,
        settlement_jobs,
        boarding_jobs,
        webhooks_jobs,
        billing_jobs,
        retention_jobs,
        verify_jobs,
    )
    for package in packages:
        package.register(jobs)
    # A worker re-reads the sandbox clock before each round, so an advance made by
    # another process is seen before any job runs.
    jobs.before_each_round(sync_clock)
    return jobs
