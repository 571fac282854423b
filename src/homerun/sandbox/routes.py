"""Sandbox controls under /homerun/v1: the clock."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from homerun.calls import require_admin, runtime_of
from homerun.kit.web import ERROR_RESPONSES, body_schema, json_response, read_json
from homerun.sandbox import service

router = APIRouter(prefix="/homerun/v1", tags=["Homerun sandbox"])


class AdvanceRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    seconds: float | None = Field(default=None, ge=0, le=10 * 366 * 86400)
    until: datetime | None = None


@router.get("/clock", responses=ERROR_RESPONSES, summary="The instance's current time")
async def get_clock(request: Request) -> Response:
    require_admin(request)
    clock = runtime_of(request).clock
    return json_response(
        {"now": clock.now().isoformat(), "offset_seconds": clock.offset.total_seconds()}
    )


@router.post(
    "/clock/advance",
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(AdvanceRequest),
    summary="Move the sandbox clock forward",
)
async def advance(request: Request) -> Response:
    require_admin(request)
    runtime = runtime_of(request)
    body = await read_json(request, AdvanceRequest)
    async with runtime.db.transaction() as session:
        now = await service.advance(session, runtime, body.seconds, body.until)
    return json_response(
        {"now": now.isoformat(), "offset_seconds": runtime.clock.offset.total_seconds()}
    )
