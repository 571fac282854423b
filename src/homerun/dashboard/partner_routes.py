"""The partner's /dashboard/rep-codes and /dashboard/api-clients pages.

Rep codes: the partner hierarchy's (every partner's for an operator), added to the
user's own partner. Boarding API clients: the user's own partner's (a partner user's
page only). Adding and revoking take MANAGE_BOARDING; another partner's client is 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import boarding, partner, partner_views, replies
from homerun.dashboard.access import permitted
from homerun.dashboard.guard import Viewer
from homerun.dashboard.replies import Fields
from homerun.people.roles import Action
from homerun.runtime import Runtime

router = APIRouter(route_class=Route, include_in_schema=False)
REP_CODES = "/dashboard/rep-codes"
CLIENTS = "/dashboard/api-clients"
_DONE = {"added": "The rep code is added.", "revoked": "The client is revoked: its tokens stop."}


async def _partner_admin(
    request: Request, fields: dict[str, str], session: AsyncSession, runtime: Runtime
) -> tuple[Viewer, int] | Response:
    """A partner user who may change the partner's boarding setup, and their partner."""
    viewer = await permitted(request, session, runtime, Action.MANAGE_BOARDING, fields)
    if isinstance(viewer, Response):
        return viewer
    if viewer.user.partner_id is None:
        return replies.forbidden(viewer)
    return viewer, viewer.user.partner_id


@router.get(REP_CODES)
async def rep_codes(
    request: Request, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    viewer = await permitted(request, session, runtime, Action.VIEW_BOARDING)
    if isinstance(viewer, Response):
        return viewer
    scope = await boarding.creation_scope(session, viewer.user)
    rows = await partner.rep_codes(session, scope)
    return replies.page(partner_views.rep_codes(viewer, rows, notice=_DONE.get(done)))


@router.post(REP_CODES)
async def add_rep_code(
    request: Request, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    allowed = await _partner_admin(request, fields, session, runtime)
    if isinstance(allowed, Response):
        return allowed
    viewer, partner_id = allowed
    code, name = fields.get("rep_code", "")[:64], fields.get("name", "")[:250]
    made = await partner.add_rep_code(
        session, runtime, replies.actor(request, viewer), partner_id, code, name
    )
    if isinstance(made, boarding.Invalid):
        scope = await boarding.creation_scope(session, viewer.user)
        rows = await partner.rep_codes(session, scope)
        html = partner_views.rep_codes(
            viewer, rows, values={"rep_code": code, "name": name}, errors=made.errors
        )
        return replies.page(html, 409 if "is taken" in made.errors.get("rep_code", []) else 400)
    return replies.redirect(f"{REP_CODES}?done=added")


@router.get(CLIENTS)
async def api_clients(
    request: Request, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    viewer = await permitted(request, session, runtime, Action.VIEW_BOARDING)
    if isinstance(viewer, Response):
        return viewer
    if viewer.user.partner_id is None:
        return replies.forbidden(viewer)
    rows = await partner.clients(session, viewer.user.partner_id)
    return replies.page(partner_views.clients(viewer, rows, notice=_DONE.get(done)))


@router.post(CLIENTS)
async def create_client(
    request: Request, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    allowed = await _partner_admin(request, fields, session, runtime)
    if isinstance(allowed, Response):
        return allowed
    viewer, partner_id = allowed
    name = fields.get("name", "").strip()[:200]
    made = await partner.create_client(
        session, runtime, replies.actor(request, viewer), partner_id, name
    )
    rows = await partner.clients(session, partner_id)
    return replies.page(partner_views.clients(viewer, rows, made=made))


@router.post(CLIENTS + "/{client_id}/revoke")
async def revoke_client(
    request: Request, client_id: str, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    allowed = await _partner_admin(request, fields, session, runtime)
    if isinstance(allowed, Response):
        return allowed
    viewer, partner_id = allowed
    actor = replies.actor(request, viewer)
    revoked = await partner.revoke_client(session, runtime, actor, partner_id, client_id[:64])
    if revoked is None:
        return replies.not_found(viewer, "client")
    return replies.redirect(f"{CLIENTS}?done=revoked")
