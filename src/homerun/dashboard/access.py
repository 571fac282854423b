"""Who may open a merchant page or post its form: the checks every such handler starts with.

A page needs a signed-in user of a merchant whose role may take its action; a form needs
that and the session's CSRF token. Everyone else is sent to sign in, or gets 403.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.dashboard import guard
from homerun.dashboard.guard import Viewer
from homerun.dashboard.routes import _forbidden, _signed_in
from homerun.merchants.models import Merchant
from homerun.people.roles import Action
from homerun.runtime import Runtime


async def page_viewer(
    request: Request, session: AsyncSession, runtime: Runtime, action: Action
) -> tuple[Viewer, Merchant] | Response:
    viewer = await _signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    if viewer.merchant is None or not viewer.may(action):
        return _forbidden(viewer)
    return viewer, viewer.merchant


async def form_viewer(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    fields: dict[str, str],
    action: Action,
) -> tuple[Viewer, Merchant] | Response:
    viewer = await _signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    if not guard.csrf_matches(viewer.csrf, fields):
        return _forbidden(viewer)
    if viewer.merchant is None or not viewer.may(action):
        return _forbidden(viewer)
    return viewer, viewer.merchant
