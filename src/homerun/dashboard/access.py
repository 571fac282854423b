"""The check every dashboard page of a role makes first: signed in, allowed, and (for a
form) carrying the session's CSRF token. Everyone else is sent to sign in, or gets 403."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.dashboard import guard, replies
from homerun.dashboard.guard import Viewer
from homerun.merchants.models import Merchant
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
    viewer = await replies.signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    forged = fields is not None and not guard.csrf_matches(viewer.csrf, fields)
    if forged or not viewer.may(action):
        return replies.forbidden(viewer)
    return viewer


async def merchant_user(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    action: Action,
    fields: dict[str, str] | None = None,
) -> Viewer | Response:
    """As `permitted`, for a page of a merchant's own: a user of no merchant gets 403."""
    viewer = await permitted(request, session, runtime, action, fields)
    if isinstance(viewer, Viewer) and viewer.merchant is None:
        return replies.forbidden(viewer)
    return viewer


async def page_viewer(
    request: Request, session: AsyncSession, runtime: Runtime, action: Action
) -> tuple[Viewer, Merchant] | Response:
    """A merchant page: the viewer and their merchant, or what `permitted` answered."""
    return _of_a_merchant(await permitted(request, session, runtime, action))


async def form_viewer(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    fields: dict[str, str],
    action: Action,
) -> tuple[Viewer, Merchant] | Response:
    """A merchant page's form: as `page_viewer`, and the form must carry the CSRF token."""
    return _of_a_merchant(await permitted(request, session, runtime, action, fields))


def _of_a_merchant(viewer: Viewer | Response) -> tuple[Viewer, Merchant] | Response:
    if isinstance(viewer, Response):
        return viewer
    if viewer.merchant is None:
        return replies.forbidden(viewer)
    return viewer, viewer.merchant
