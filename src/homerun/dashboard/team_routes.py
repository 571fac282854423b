"""The team page at /dashboard/team, for the roles that may manage users.

Only the manager's own tenant's users are shown and changed: another tenant's user id is
not found (404). A refused change (the last owner, a role one may not give) answers the
page again with why, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import replies, team, team_views
from homerun.dashboard.access import permitted
from homerun.dashboard.guard import Viewer
from homerun.dashboard.replies import Fields
from homerun.errors import Conflict, ValidationFailed
from homerun.people.roles import Action, Role

router = APIRouter(route_class=Route, include_in_schema=False)
TEAM = "/dashboard/team"
_DONE = {"role": "The role is changed.", "removed": "The user is removed and signed out."}
_MOST_ID = 2**62


async def _page_of(
    session: AsyncSession, viewer: Viewer, status: int = 200, **shown: Any
) -> Response:
    users = await team.members(session, viewer.user)
    return replies.page(team_views.team(viewer, users, **shown), status)


def _role(text: str) -> Role | None:
    try:
        return Role(text.strip()[:32])
    except ValueError:
        return None


def _user_id(text: str) -> int | None:
    if len(text) > 19 or not text.isdigit():
        return None
    return int(text) if 0 < int(text) < _MOST_ID else None


@router.get(TEAM)
async def team_page(
    request: Request, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    viewer = await permitted(request, session, runtime, Action.MANAGE_USERS)
    if isinstance(viewer, Response):
        return viewer
    return await _page_of(session, viewer, notice=_DONE.get(done))


@router.post(f"{TEAM}/invite")
async def invite(
    request: Request, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await permitted(request, session, runtime, Action.MANAGE_USERS, fields)
    if isinstance(viewer, Response):
        return viewer
    email = fields.get("email", "").strip()[:254]
    role = _role(fields.get("role", ""))
    try:
        if role is None:
            raise ValidationFailed.field("role", "is not a role")
        invited = await team.invite(
            session, runtime, replies.actor(request, viewer), viewer.user, email, role
        )
    except ValidationFailed as problem:
        return await _page_of(session, viewer, 400, email=email, errors=problem.errors or {})
    except Conflict:
        errors = {"email": ["a user with that email exists"]}
        return await _page_of(session, viewer, 409, email=email, errors=errors)
    return await _page_of(session, viewer, invited=invited)


@router.post(f"{TEAM}/{{user_id}}/{{action}}")
async def change(
    request: Request,
    user_id: str,
    action: str,
    fields: Fields,
    session: Session,
    runtime: AppRuntime,
) -> Response:
    viewer = await permitted(request, session, runtime, Action.MANAGE_USERS, fields)
    if isinstance(viewer, Response):
        return viewer
    wanted = _user_id(user_id[:20])
    if wanted is None or action not in ("role", "remove", "invite"):
        return replies.not_found(viewer)
    user = await team.member(session, viewer.user, wanted, lock=True)
    if user is None:
        return replies.not_found(viewer, "user")
    actor = replies.actor(request, viewer)
    try:
        if action == "invite":
            link = await team.new_link(session, runtime, actor, user)
            return await _page_of(session, viewer, invited=team.Invited(user, link))
        if action == "remove":
            await team.remove(session, runtime, actor, viewer.user, user)
            return replies.redirect(f"{TEAM}?done=removed")
        role = _role(fields.get("role", ""))
        if role is None:
            raise ValidationFailed.field("role", "is not a role")
        await team.change_role(session, runtime, actor, viewer.user, user, role)
    except (Conflict, ValidationFailed) as refused:
        status = 409 if isinstance(refused, Conflict) else 400
        return await _page_of(session, viewer, status, error=f"Not done: {refused.message}.")
    return replies.redirect(f"{TEAM}?done=role")
