"""The Developers page: API credentials and webhook endpoints, thin handlers over
dashboard.developers (which calls the same auth and webhooks functions as the API).

A new secret is the answer to the POST that made it (no-store, never a redirect target,
never stored): it is shown once. Another merchant's key or delivery is not found (404).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import (
    developers,
    faults,
    integration_views,
    integrations,
    replies,
    service,
    views,
)
from homerun.dashboard.access import merchant_user
from homerun.dashboard.guard import Viewer
from homerun.dashboard.replies import Fields
from homerun.people.roles import Action

router = APIRouter(route_class=Route, include_in_schema=False)
PAGE = "/dashboard/developers"
_DONE = {
    "revoked": "The key was revoked. Calls with it are refused from now on.",
    "resent": "The delivery is back in line and goes out now.",
    "client_revoked": "The OAuth client was revoked. Its tokens stop working now.",
    "paused": "The endpoint is paused: nothing is sent to it until you resume it.",
    "resumed": "The endpoint is live again.",
    "deleted": "The endpoint was deleted. Deliveries still waiting for it will not be sent.",
}


def _key_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 18 else None


async def _render(
    request: Request,
    session: Session,
    runtime: AppRuntime,
    viewer: Viewer,
    *,
    status: int = 200,
    issued: views.Issued | None = None,
    notice: str | None = None,
    error: str | None = None,
    **shown: Any,
) -> Response:
    """The page; `shown` is integration_views.context's keywords (a secret just made)."""
    assert viewer.merchant is not None
    found = await developers.overview(session, viewer.merchant)
    zone = service.merchant_zone(viewer.merchant)
    clients = await integrations.clients(session, viewer.merchant)
    html = views.developers(
        viewer,
        found,
        zone,
        str(request.base_url).rstrip("/"),
        runtime.settings.rotation_grace_seconds,
        issued=issued,
        notice=notice,
        error=error,
        faults_now=faults.now_for(viewer, runtime),
        **integration_views.context(viewer, clients, zone, **shown),
    )
    return replies.page(html, status)


@router.get(PAGE)
async def developers_page(
    request: Request, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    viewer = await replies.signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    if viewer.merchant is None or not (
        viewer.may(Action.MANAGE_CREDENTIALS) or viewer.may(Action.MANAGE_WEBHOOKS)
    ):
        return replies.forbidden(viewer)
    return await _render(request, session, runtime, viewer, notice=_DONE.get(done))


@router.post(PAGE + "/keys")
async def create_key(
    request: Request, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_CREDENTIALS, fields)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    made = await developers.create_key(
        session, runtime, replies.actor(request, viewer), viewer.merchant
    )
    return await _render(request, session, runtime, viewer, issued=views.Issued(made, rolled=False))


@router.post(PAGE + "/keys/{credential_id}/{action}")
async def change_key(
    request: Request,
    credential_id: str,
    action: str,
    fields: Fields,
    session: Session,
    runtime: AppRuntime,
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_CREDENTIALS, fields)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    key_id = _key_id(credential_id)
    if key_id is None or action not in ("roll", "revoke"):
        return replies.not_found(viewer, "key")
    actor = replies.actor(request, viewer)
    if action == "revoke":
        if not await developers.revoke_key(session, runtime, actor, viewer.merchant, key_id):
            return replies.not_found(viewer, "key")
        return replies.redirect(PAGE + "?done=revoked")
    rolled = await developers.roll_key(session, runtime, actor, viewer.merchant, key_id)
    if rolled is None:
        return replies.not_found(viewer, "key")
    return await _render(
        request, session, runtime, viewer, issued=views.Issued(rolled, rolled=True)
    )


@router.post(PAGE + "/deliveries/{webhook_id}/resend")
async def resend(
    request: Request, webhook_id: str, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_WEBHOOKS, fields)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    outcome = await developers.resend(
        session, runtime, replies.actor(request, viewer), viewer.merchant, webhook_id[:32]
    )
    if outcome is None:
        return replies.not_found(viewer, "delivery")
    if isinstance(outcome, developers.Refused):
        return await _render(
            request, session, runtime, viewer, status=409, error=f"Not re-sent: {outcome.reason}."
        )
    return replies.redirect(PAGE + "?done=resent")
