"""The Chargebacks pages: the merchant's chargebacks, one chargeback, accept or challenge.

Another merchant's chargeback is not found (404), whatever the role; a role that may not
respond sees no forms, and its post is refused (403) with nothing changed.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import chargeback_views, chargebacks, replies, service, views
from homerun.dashboard.access import form_viewer, page_viewer
from homerun.dashboard.replies import Fields
from homerun.errors import Conflict, NotFound
from homerun.people.roles import Action
from homerun.settlement.responses import Response as Answer

router = APIRouter(route_class=Route, include_in_schema=False)
_DONE = {"accept": "You accepted the chargeback.", "challenge": "Your challenge was decided."}


def _id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


@router.get("/dashboard/chargebacks")
async def chargeback_list(
    request: Request, session: Session, runtime: AppRuntime, before: str = ""
) -> Response:
    allowed = await page_viewer(request, session, runtime, Action.VIEW_CHARGEBACKS)
    if isinstance(allowed, Response):
        return allowed
    viewer, merchant = allowed
    cursor = chargebacks.read_cursor(before[:64]) if before else None
    if before and cursor is None:
        html = views.message(viewer, "Not a page", "This page link is not valid. Start over.")
        return replies.page(html, 400)
    page = await chargebacks.recent(session, merchant, cursor)
    zone = service.merchant_zone(merchant)
    now = runtime.clock.now()
    return replies.page(chargeback_views.chargebacks(viewer, page, now, zone, first=bool(before)))


@router.get("/dashboard/chargebacks/{chargeback_id}")
async def chargeback_page(
    request: Request, chargeback_id: str, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    allowed = await page_viewer(request, session, runtime, Action.VIEW_CHARGEBACKS)
    if isinstance(allowed, Response):
        return allowed
    viewer, merchant = allowed
    key = _id(chargeback_id)
    found = await chargebacks.detail(session, merchant, key) if key else None
    if found is None:
        return replies.not_found(viewer, "chargeback")
    zone, now = service.merchant_zone(merchant), runtime.clock.now()
    html = chargeback_views.chargeback(viewer, found, now, zone, notice=_DONE.get(done))
    return replies.page(html)


@router.post("/dashboard/chargebacks/{chargeback_id}/{action}")
async def respond(
    request: Request,
    chargeback_id: str,
    action: str,
    fields: Fields,
    session: Session,
    runtime: AppRuntime,
) -> Response:
    allowed = await form_viewer(request, session, runtime, fields, Action.RESPOND_CHARGEBACK)
    if isinstance(allowed, Response):
        return allowed
    viewer, merchant = allowed
    key = _id(chargeback_id)
    if key is None or action not in ("accept", "challenge"):
        return replies.not_found(viewer, "chargeback")
    actor = replies.actor(request, viewer)
    try:
        await chargebacks.respond(session, runtime, actor, merchant, key, Answer(action))
    except NotFound:
        return replies.not_found(viewer, "chargeback")
    except Conflict as refused:
        found = await chargebacks.detail(session, merchant, key)
        if found is None:
            return replies.not_found(viewer, "chargeback")
        zone, now = service.merchant_zone(merchant), runtime.clock.now()
        error = f"Not done: {refused.message}."
        return replies.page(chargeback_views.chargeback(viewer, found, now, zone, error=error), 409)
    return replies.redirect(f"/dashboard/chargebacks/{key}?done={action}")
