"""Liveness (readiness, which reads the database, is homerun.observability.routes)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from homerun import __version__
from homerun.calls import Route
from homerun.kit.web import json_response

router = APIRouter(prefix="/homerun/v1", tags=["Homerun health"], route_class=Route)


@router.get("/health", summary="Liveness: the process answers (no auth, no database)")
async def health() -> Response:
    return json_response({"status": "ok", "version": __version__})
