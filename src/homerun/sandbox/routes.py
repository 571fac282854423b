"""Sandbox controls under /homerun/v1: the clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from homerun.calls import AdminToken, AppJobs, AppRuntime, Route
from homerun.kit.web import ERROR_RESPONSES, Json, json_response
from homerun.sandbox import service
from homerun.worker.report import Report

router = APIRouter(
    prefix="/homerun/v1", tags=["Homerun sandbox"], dependencies=[AdminToken], route_class=Route
)

# The counters of an advance's answer, always present (0 when nothing of the sort happened).
SUMMARY_COUNTERS = (
    "batches_closed",
    "transactions_settled",
    "authorizations_expired",
    "deposits_made",
    "chargebacks_opened",
    "chargebacks_won",
    "chargebacks_lost",
    "adjustments_made",
    "jobs_run",
    "jobs_failed",
)
# The ids listed with them (at most 200 of each).
SUMMARY_IDS = {
    "batch_ids": "batches_closed",
    "funding_master_ids": "deposits_made",
    "chargeback_ids": "chargebacks_opened",
}


class AdvanceRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    seconds: float | None = Field(default=None, ge=0, le=10 * 366 * 86400)
    until: datetime | None = None


def _summary(report: Report) -> dict[str, Any]:
    summary: dict[str, Any] = {name: report.counts.get(name, 0) for name in SUMMARY_COUNTERS}
    summary.update({name: report.counts[name] for name in report.counts if name not in summary})
    for field, source in SUMMARY_IDS.items():
        summary[field] = report.ids.get(source, [])
    return summary


@router.get("/clock", responses=ERROR_RESPONSES, summary="The instance's current time")
async def get_clock(runtime: AppRuntime) -> Response:
    await service.sync_clock(runtime)
    clock = runtime.clock
    return json_response(
        {"now": clock.now().isoformat(), "offset_seconds": clock.offset.total_seconds()}
    )


@router.post(
    "/clock/advance",
    responses=ERROR_RESPONSES,
    summary="Move the sandbox clock forward, running every job that falls due on the way",
)
async def advance(body: Json[AdvanceRequest], runtime: AppRuntime, jobs: AppJobs) -> Response:
    done = await service.advance(runtime, jobs, body.seconds, body.until)
    return json_response(
        {
            "started_at": done.started_at.isoformat(),
            "now": done.now.isoformat(),
            "offset_seconds": runtime.clock.offset.total_seconds(),
            "summary": _summary(done.report),
        }
    )
