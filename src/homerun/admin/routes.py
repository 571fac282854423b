"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import text

from homerun import __version__
from homerun.calls import AppRuntime, Route
from homerun.kit.web import json_response

router = APIRouter(prefix="/homerun/v1", tags=["Homerun health"], route_class=Route)


@router.get("/health", summary="Liveness: the process answers (no auth, no database)")
async def health() -> Response:
    return json_response({"status": "ok", "version": __version__})


@router.get("/ready", summary="Readiness: the database answers")
async def ready(runtime: AppRuntime) -> Response:
    try:
        async with runtime.db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any database fault means not ready; the body says no more
        return json_response({"status": "unavailable"}, 503)
    return json_response({"status": "ready", "database": runtime.db.engine.dialect.name})
