"""The check every dashboard page of a role makes first: signed in, allowed, and (for a
form) carrying the session's CSRF token."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.dashboard import guard
from homerun.dashboard.guard import Viewer
from homerun.dashboard.routes import _forbidden, _signed_in
from homerun.people.roles import Action
from homerun.runtime import Runtime


async def permitted(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    action: Action,
    fields: dict[str, str] | None = None,
) -> Viewer | Response:
    """The viewer; or the sign-in redirect, or 403 (another role's page, a forged form)."""
    viewer = await _signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    forged = fields is not None and not guard.csrf_matches(viewer.csrf, fields)
    if forged or not viewer.may(action):
        return _forbidden(viewer)
    return viewer
