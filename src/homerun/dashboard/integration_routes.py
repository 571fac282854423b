"""The Developers page's Reporting OAuth clients, webhook endpoints and event list: thin
handlers over dashboard.integrations (which calls oauth's and webhooks' own functions).

As with API keys, a new secret is the answer to the POST that made it (no-store, never a
redirect target, never stored). Another merchant's client or endpoint is not found (404).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import integration_views, integrations, replies, service, views
from homerun.dashboard.access import merchant_user
from homerun.dashboard.developer_routes import PAGE, _render
from homerun.dashboard.integration_views import EndpointForm
from homerun.dashboard.replies import Fields
from homerun.people.roles import Action

router = APIRouter(route_class=Route, include_in_schema=False)
_ENDPOINT_ACTIONS = {"pause": "paused", "resume": "resumed", "delete": "deleted"}


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 18 else None


@router.post(PAGE + "/oauth-clients")
async def create_client(
    request: Request, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_CREDENTIALS, fields)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    made = await integrations.create_client(
        session,
        runtime,
        replies.actor(request, viewer),
        viewer.merchant,
        fields.get("name", "")[:400],
    )
    if isinstance(made, integrations.Refused):
        return await _render(request, session, runtime, viewer, status=422, error=made.message)
    return await _render(request, session, runtime, viewer, made_client=made)


@router.post(PAGE + "/oauth-clients/{client_id}/revoke")
async def revoke_client(
    request: Request, client_id: str, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_CREDENTIALS, fields)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    outcome = await integrations.revoke_client(
        session, runtime, replies.actor(request, viewer), viewer.merchant, client_id[:64]
    )
    if isinstance(outcome, integrations.Refused):
        return await _render(request, session, runtime, viewer, status=409, error=outcome.message)
    if not outcome:
        return replies.not_found(viewer, "OAuth client")
    return replies.redirect(PAGE + "?done=client_revoked")


@router.post(PAGE + "/endpoints")
async def create_endpoint(
    request: Request, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_WEBHOOKS, fields)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    url, description = fields.get("url", "")[:4096], fields.get("description", "")[:400]
    chosen = integration_views.chosen_events(fields)
    made = await integrations.create_endpoint(
        session,
        runtime,
        replies.actor(request, viewer),
        viewer.merchant,
        url=url,
        description=description,
        event_types=chosen,
    )
    if isinstance(made, integrations.Refused):
        form = EndpointForm(url, description, frozenset(chosen))
        error = f"Endpoint not added: {made.message}"
        return await _render(request, session, runtime, viewer, status=422, error=error, form=form)
    return await _render(request, session, runtime, viewer, made_endpoint=made)


@router.post(PAGE + "/endpoints/{endpoint_id}/{action}")
async def change_endpoint(
    request: Request,
    endpoint_id: str,
    action: str,
    fields: Fields,
    session: Session,
    runtime: AppRuntime,
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_WEBHOOKS, fields)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    number = _number(endpoint_id)
    if number is None or action not in _ENDPOINT_ACTIONS:
        return replies.not_found(viewer, "endpoint")
    actor = replies.actor(request, viewer)
    if not await integrations.change_endpoint(
        session, runtime, actor, viewer.merchant, number, action
    ):
        return replies.not_found(viewer, "endpoint")
    return replies.redirect(f"{PAGE}?done={_ENDPOINT_ACTIONS[action]}")


@router.get(PAGE + "/events")
async def events(
    request: Request, session: Session, runtime: AppRuntime, before: str = ""
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_WEBHOOKS)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    before_id = _number(before) if before else None
    if before and before_id is None:
        text = "before: give the id of an event, a whole number."
        return replies.page(views.message(viewer, "No such page", text), 400)
    page = await integrations.events(session, viewer.merchant, before_id)
    zone = service.merchant_zone(viewer.merchant)
    return replies.page(integration_views.events(viewer, page, zone, first=before_id is None))
