"""Homerun's view of the job table: what is waiting, what failed, and a retry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from homerun.calls import AdminToken, AppRuntime, Route
from homerun.kit.web import ERROR_RESPONSES, json_response
from homerun.worker import service
from homerun.worker.models import Job
from homerun.worker.state import JobState

router = APIRouter(
    prefix="/homerun/v1", tags=["Homerun admin"], dependencies=[AdminToken], route_class=Route
)


def _out(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "key": job.key,
        "merchant_id": job.merchant_id,
        "payload": job.payload,
        "due_at": job.due_at.isoformat(),
        "state": job.state,
        "attempts": job.attempts,
        "last_error": job.last_error,
        "locked_by": job.locked_by,
        "locked_until": job.locked_until.isoformat() if job.locked_until else None,
    }


@router.get("/jobs", responses=ERROR_RESPONSES, summary="Jobs waiting (or failed), by id")
async def list_jobs(
    runtime: AppRuntime,
    state: str | None = Query(default=None, pattern="^(ready|failed)$"),
    after_id: int = Query(default=0, ge=0, le=2**62),
    limit: int = Query(default=100, ge=1, le=1000),
) -> Response:
    jobs = await service.jobs_page(runtime, JobState(state) if state else None, after_id, limit)
    return json_response({"items": [_out(job) for job in jobs]})


@router.post("/jobs/{job_id}/retry", responses=ERROR_RESPONSES, summary="Run a job again now")
async def retry_job(
    job_id: Annotated[int, Path(ge=1, le=2**63 - 1)], runtime: AppRuntime
) -> Response:
    return json_response(_out(await service.retry(runtime, job_id)))
