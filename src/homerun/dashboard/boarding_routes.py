"""The partner's pages at /dashboard/applications and /dashboard/boarded.

A partner's users see their partner's applications (and those of the partners below it);
operators see every partner's. Another partner's application is not found (404).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import application_form, boarding, boarding_views, once, partner, replies
from homerun.dashboard.access import permitted
from homerun.dashboard.guard import Viewer
from homerun.dashboard.once import new_form_key
from homerun.dashboard.replies import Fields
from homerun.people.roles import Action
from homerun.runtime import Runtime

router = APIRouter(route_class=Route, include_in_schema=False)
_DONE = {
    "moved": "The application moved on.",
    "drafted": "The application is saved as a draft (new). Send it for signature when ready.",
    "submitted": "The application is submitted: it was sent to the signer for signature.",
}
_MOST_ID = 2**62


def _application_id(text: str) -> int | None:
    if len(text) > 19 or not text.isdigit():
        return None
    return int(text) if 0 < int(text) < _MOST_ID else None


@router.get("/dashboard/applications")
async def applications(request: Request, session: Session, runtime: AppRuntime) -> Response:
    viewer = await permitted(request, session, runtime, Action.VIEW_BOARDING)
    if isinstance(viewer, Response):
        return viewer
    scope = await boarding.scope_of(session, viewer.user)
    return replies.page(boarding_views.pipeline(viewer, await boarding.pipeline(session, scope)))


@router.get("/dashboard/boarded")
async def boarded(request: Request, session: Session, runtime: AppRuntime) -> Response:
    viewer = await permitted(request, session, runtime, Action.VIEW_BOARDING)
    if isinstance(viewer, Response):
        return viewer
    scope = await boarding.scope_of(session, viewer.user)
    apps = await boarding.pipeline(session, scope)
    volumes = await boarding.month_volumes(session, runtime, apps)
    return replies.page(boarding_views.merchants(viewer, apps, volumes))


NEW = "/dashboard/applications/new"


async def _new_form(
    viewer: Viewer,
    session: AsyncSession,
    scope: list[int],
    fields: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> str:
    """The form, with what was sent and its problems, and a new one-time key."""
    choices = await partner.rep_code_choices(session, scope)
    return boarding_views.new_application(
        viewer, choices, fields or {}, errors or {}, new_form_key()
    )


@router.get(NEW)
async def new_application(request: Request, session: Session, runtime: AppRuntime) -> Response:
    viewer = await permitted(request, session, runtime, Action.MANAGE_BOARDING)
    if isinstance(viewer, Response):
        return viewer
    scope = await boarding.creation_scope(session, viewer.user)
    return replies.page(await _new_form(viewer, session, scope))


async def _form_again(
    runtime: Runtime,
    viewer: Viewer,
    scope: list[int],
    fields: dict[str, str],
    errors: dict[str, list[str]],
    status: int,
) -> Response:
    async with runtime.db.transaction() as session:
        return replies.page(await _new_form(viewer, session, scope, fields, errors), status)


async def _poster(
    request: Request, runtime: Runtime, fields: dict[str, str]
) -> tuple[Viewer, list[int]] | Response:
    """Who posts (a form with the session's CSRF token), and the partners they board for."""
    async with runtime.db.transaction() as session:
        viewer = await permitted(request, session, runtime, Action.MANAGE_BOARDING, fields)
        if isinstance(viewer, Response):
            return viewer
        return viewer, await boarding.creation_scope(session, viewer.user)


@router.post(NEW)
async def create_application(request: Request, fields: Fields, runtime: AppRuntime) -> Response:
    """Its steps each in a unit of work of their own, never one inside another (who posts,
    the key's claim, the application with its kept answer), as the terminal's charge."""
    poster = await _poster(request, runtime, fields)
    if isinstance(poster, Response):
        return poster
    viewer, scope = poster
    key = once.posted_key(fields)
    if key is None:
        return await _form_again(
            runtime, viewer, scope, fields, {"": [once.sentence(once.EXPIRED)]}, 422
        )
    actor, body = replies.actor(request, viewer), application_form.request_of(fields)

    async def make(session: AsyncSession) -> once.Made[int] | boarding.Invalid:
        made = await boarding.create(session, runtime, actor, scope, body)
        if isinstance(made, boarding.Invalid):
            return made
        done = "submitted" if made.auto_send else "drafted"
        return once.Made(once.Done(f"/dashboard/applications/{made.id}?done={done}"), made.id)

    posted = await once.post(runtime, viewer.user.id, key, NEW, await request.body(), make)
    if isinstance(posted, once.Done):
        return replies.redirect(posted.location)
    if isinstance(posted, once.Busy | once.Reused):
        text = once.sentence(once.conflict(posted, "application", "Applications"))
        return await _form_again(runtime, viewer, scope, fields, {"": [text]}, 409)
    errors = application_form.form_errors(posted.errors)
    return await _form_again(runtime, viewer, scope, fields, errors, 400)


@router.get("/dashboard/applications/{application_id}")
async def application(
    request: Request, application_id: str, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    viewer = await permitted(request, session, runtime, Action.VIEW_BOARDING)
    if isinstance(viewer, Response):
        return viewer
    wanted = _application_id(application_id[:20])
    scope = await boarding.scope_of(session, viewer.user)
    found = None if wanted is None else await boarding.detail(session, scope, wanted)
    if found is None:
        return replies.not_found(viewer, "application")
    notice = _DONE.get(done)
    return replies.page(boarding_views.application(viewer, found, notice=notice))


@router.post("/dashboard/applications/{application_id}/{action}")
async def move(
    request: Request,
    application_id: str,
    action: str,
    fields: Fields,
    session: Session,
    runtime: AppRuntime,
) -> Response:
    viewer = await permitted(request, session, runtime, Action.MANAGE_BOARDING, fields)
    if isinstance(viewer, Response):
        return viewer
    wanted = _application_id(application_id[:20])
    if wanted is None or action not in boarding_views.MOVE_NAMES:
        return replies.not_found(viewer)
    scope = await boarding.scope_of(session, viewer.user)
    reason = fields.get("reason", "").strip()[:400] or None
    outcome = await boarding.move(
        session,
        runtime,
        replies.actor(request, viewer),
        scope,
        wanted,
        action,
        fields.get("seen", "")[:32],
        reason,
    )
    if outcome is None:
        return replies.not_found(viewer, "application")
    if isinstance(outcome, boarding.Changed):
        error = "Not done: this application changed since you opened it. Check it and try again."
    elif isinstance(outcome, boarding.Refused):
        error = f"Not done: {outcome.reason}."
    else:
        return replies.redirect(f"/dashboard/applications/{outcome.id}?done=moved")
    found = await boarding.detail(session, scope, wanted)
    if found is None:
        return replies.not_found(viewer, "application")
    return replies.page(boarding_views.application(viewer, found, error=error), 409)
