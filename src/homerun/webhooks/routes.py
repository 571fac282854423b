"""/homerun/v1/webhooks: endpoints (per merchant or partner), their secrets, deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from homerun.calls import AdminSession, AdminToken, AppRuntime, Route
from homerun.kit.web import ERROR_RESPONSES, Json, OptionalJson, json_response
from homerun.runtime import Runtime
from homerun.webhooks import catalogue, service
from homerun.webhooks.schemas import (
    DeliveryList,
    DeliveryOut,
    EndpointCreate,
    EndpointList,
    EndpointOut,
    EndpointUpdate,
    EndpointWithSecret,
    EventTypeList,
    Resent,
    SecretRotation,
    dump,
)

router = APIRouter(
    prefix="/homerun/v1/webhooks",
    tags=["Homerun webhooks"],
    dependencies=[AdminToken],
    route_class=Route,
)

EndpointId = Annotated[int, Path(ge=1, le=2**62)]
WebhookId = Annotated[str, Path(min_length=4, max_length=32, pattern=r"^wh_[0-9a-f]+$")]


def _out(runtime: Runtime, owned: service.Owned) -> dict[str, object]:
    return dump(EndpointOut.of(owned.endpoint, owned.mid, runtime.clock.now()))


def _with_secret(runtime: Runtime, made: service.WithSecret) -> dict[str, object]:
    out = EndpointOut.of(made.endpoint, made.mid, runtime.clock.now())
    return dump(EndpointWithSecret(**out.model_dump(), secret=made.secret))


@router.get(
    "/event-types",
    response_model=EventTypeList,
    responses=ERROR_RESPONSES,
    summary="Every event type an endpoint can ask for",
)
async def event_types() -> Response:
    items = [
        {
            "event_type": t.name,
            "audience": t.audience,
            "origin": t.origin,
            "emitted": t.emitted,
            "meaning": t.meaning,
        }
        for t in catalogue.EVENT_TYPES
    ]
    return json_response({"items": items})


@router.post(
    "/endpoints",
    response_model=EndpointWithSecret,
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="Register an endpoint for a merchant or a partner (the secret is shown once)",
)
async def create_endpoint(
    body: Json[EndpointCreate], session: AdminSession, runtime: AppRuntime
) -> Response:
    made = await service.create_endpoint(session, runtime, body)
    return json_response(_with_secret(runtime, made), 201)


@router.get(
    "/endpoints",
    response_model=EndpointList,
    responses=ERROR_RESPONSES,
    summary="Endpoints by id, of one merchant or partner when asked",
)
async def list_endpoints(
    session: AdminSession,
    runtime: AppRuntime,
    mid: str | None = Query(default=None, pattern=r"^\d{12}$"),
    partner_id: int | None = Query(default=None, ge=1, le=2**62),
    after_id: int = Query(default=0, ge=0, le=2**62),
    limit: int = Query(default=100, ge=1, le=1000),
) -> Response:
    page = await service.list_endpoints(
        session, mid=mid, partner_id=partner_id, after_id=after_id, limit=limit
    )
    return json_response({"items": [_out(runtime, owned) for owned in page]})


@router.get(
    "/endpoints/{endpoint_id}",
    response_model=EndpointOut,
    responses=ERROR_RESPONSES,
    summary="One endpoint",
)
async def get_endpoint(
    endpoint_id: EndpointId, session: AdminSession, runtime: AppRuntime
) -> Response:
    return json_response(_out(runtime, await service.get_endpoint(session, endpoint_id)))


@router.patch(
    "/endpoints/{endpoint_id}",
    response_model=EndpointOut,
    responses=ERROR_RESPONSES,
    summary="Change an endpoint's URL, event types, enabled flag or description",
)
async def update_endpoint(
    endpoint_id: EndpointId,
    body: Json[EndpointUpdate],
    session: AdminSession,
    runtime: AppRuntime,
) -> Response:
    owned = await service.update_endpoint(session, runtime, endpoint_id, body)
    return json_response(_out(runtime, owned))


@router.delete(
    "/endpoints/{endpoint_id}",
    status_code=204,
    responses=ERROR_RESPONSES,
    summary="Delete an endpoint (its pending deliveries fail; its history stays)",
)
async def delete_endpoint(
    endpoint_id: EndpointId, session: AdminSession, runtime: AppRuntime
) -> Response:
    await service.delete_endpoint(session, runtime, endpoint_id)
    return Response(status_code=204)


@router.post(
    "/endpoints/{endpoint_id}/rotate-secret",
    response_model=EndpointWithSecret,
    responses=ERROR_RESPONSES,
    summary="A new signing secret (shown once); the previous one signs too for the overlap",
)
async def rotate_secret(
    endpoint_id: EndpointId,
    body: OptionalJson[SecretRotation],
    session: AdminSession,
    runtime: AppRuntime,
) -> Response:
    made = await service.rotate_secret(session, runtime, endpoint_id, body.overlap_seconds)
    return json_response(_with_secret(runtime, made))


@router.post(
    "/endpoints/{endpoint_id}/resend-failed",
    response_model=Resent,
    responses=ERROR_RESPONSES,
    summary="Send every failed delivery of an endpoint again (in event order)",
)
async def resend_failed(
    endpoint_id: EndpointId, session: AdminSession, runtime: AppRuntime
) -> Response:
    count = await service.resend_failed(session, runtime, endpoint_id)
    return json_response({"endpoint_id": endpoint_id, "resent": count})


@router.get(
    "/deliveries",
    response_model=DeliveryList,
    responses=ERROR_RESPONSES,
    summary="Deliveries by id: state=failed lists the ones that gave up",
)
async def list_deliveries(
    session: AdminSession,
    state: str | None = Query(default=None, pattern="^(pending|delivered|failed)$"),
    endpoint_id: int | None = Query(default=None, ge=1, le=2**62),
    mid: str | None = Query(default=None, pattern=r"^\d{12}$"),
    event_type: str | None = Query(default=None, max_length=64),
    after_id: int = Query(default=0, ge=0, le=2**62),
    limit: int = Query(default=100, ge=1, le=1000),
) -> Response:
    page = await service.list_deliveries(
        session,
        state=state,
        endpoint_id=endpoint_id,
        mid=mid,
        event_type=event_type,
        after_id=after_id,
        limit=limit,
    )
    items = [dump(DeliveryOut.of(d)) for d in page]
    next_after = page[-1].id if len(page) == limit else None
    return json_response({"items": items, "next_after_id": next_after})


@router.get(
    "/deliveries/{webhook_id}",
    response_model=DeliveryOut,
    responses=ERROR_RESPONSES,
    summary="One delivery and its last attempt",
)
async def get_delivery(webhook_id: WebhookId, session: AdminSession) -> Response:
    return json_response(dump(DeliveryOut.of(await service.get_delivery(session, webhook_id))))


@router.post(
    "/deliveries/{webhook_id}/resend",
    response_model=DeliveryOut,
    responses=ERROR_RESPONSES,
    summary="Send a failed delivery again: a new round of attempts, the same idempotency key",
)
async def resend(webhook_id: WebhookId, session: AdminSession, runtime: AppRuntime) -> Response:
    return json_response(dump(DeliveryOut.of(await service.resend(session, runtime, webhook_id))))
