"""The Boarding API (/ords/relay/api/boarding/v1, spec §7, R9) and its /homerun/v1 administration.

Boarding calls carry a Bearer access token of a boarding client (RFC 6750) and see only the
merchants of the client's partner hierarchy; /homerun/v1/boarding takes the admin token
(and, for a merchant's credentials, a boarding token of the merchant's partner too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.boarding import admin_answers, schemas, service
from homerun.boarding.models import Application, Partner, RepCode
from homerun.calls import (
    AdminSession,
    AdminToken,
    AppRuntime,
    Route,
    Session,
    keyed_session,
    require_admin,
)
from homerun.kit.clock import as_utc
from homerun.kit.web import ERROR_RESPONSES, Json, OptionalJson, bearer_token, json_response
from homerun.oauth.guard import require_client, require_token
from homerun.oauth.models import OAuthClient
from homerun.oauth.state import Audience
from homerun.oauth.tokens import PREFIX as ACCESS_TOKEN_PREFIX
from homerun.oauth.tokens import Claims
from homerun.reporting.envelope import PageRequest, links
from homerun.runtime import Runtime

router = APIRouter(route_class=Route)
# /homerun/v1/boarding: the admin token first, before anything else of the request.
admin = APIRouter(dependencies=[AdminToken], route_class=Route)
BASE = "/ords/relay/api/boarding/v1"
ADMIN = "/homerun/v1/boarding"
BOARDING_TAGS: list[str | Any] = ["Boarding API"]
ADMIN_TAGS: list[str | Any] = ["Homerun boarding admin"]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

QParam = Annotated[
    str | None, Query(description='ORDS filter, a JSON object such as {"merchant_status":"live"}')
]
LimitParam = Annotated[
    str | None, Query(description="Items per page: 25 by default, at most 10000")
]
OffsetParam = Annotated[str | None, Query(description="Items to skip: 0 by default")]
MerchantId = Annotated[int, Path(ge=1, le=2**63 - 1)]
PartnerId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _envelope(
    items: list[dict[str, Any]], page: PageRequest, runtime: Runtime, path: str
) -> dict[str, Any]:
    has_more = len(items) > page.limit
    shown = items[: page.limit]
    return {
        "items": shown,
        "hasMore": has_more,
        "limit": page.limit,
        "offset": page.offset,
        "count": len(shown),
        "links": links(runtime.settings.public_base_url, path, page, has_more),
    }


async def _boarding_claims(request: Request) -> Claims:
    """The boarding access token's claims, checked without the database."""
    return require_token(request, Audience.BOARDING)


BoardingClaims = Annotated[Claims, Depends(_boarding_claims)]


def _boarding_key_scope(_: Request, claims: Claims) -> str:
    return f"boarding:{claims.client_pk}"


# A Boarding API call's unit: keys kept per OAuth client.
BoardingSession = Annotated[AsyncSession, keyed_session(_boarding_claims, _boarding_key_scope)]


async def _partners(claims: BoardingClaims, session: BoardingSession) -> list[int]:
    """The partners the token's client acts for; a revoked client is refused here."""
    client = await require_client(session, claims)
    return await service.client_scope(session, client)


Partners = Annotated[list[int], Depends(_partners)]


# ---- the Boarding API --------------------------------------------------------------------


@router.get(
    f"{BASE}/merchants",
    response_model=schemas.MerchantPage,
    responses=ERROR_RESPONSES,
    tags=BOARDING_TAGS,
    summary="List the merchants of the client's partner hierarchy",
)
async def list_merchants(
    request: Request,
    partners: Partners,
    session: BoardingSession,
    runtime: AppRuntime,
    q: QParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
) -> Response:
    listing = service.listing(q, limit, offset, service.MERCHANT_FIELDS)
    rows = await service.application_page(session, runtime, partners, listing)
    items = [schemas.merchant_item(app, code) for app, code in rows]
    return json_response(_envelope(items, listing.page, runtime, request.url.path))


@router.post(
    f"{BASE}/merchants",
    response_model=schemas.MerchantCreated,
    status_code=201,
    responses=ERROR_RESPONSES,
    tags=BOARDING_TAGS,
    summary="Create a merchant application",
)
async def create_merchant(
    _: BoardingClaims,
    body: Json[schemas.ApplicationCreate],
    partners: Partners,
    session: BoardingSession,
    runtime: AppRuntime,
) -> Response:
    app = await service.create_application(session, runtime, partners, body)
    return json_response({"merchant_id": app.id}, 201)


@router.get(
    f"{BASE}/merchants/{{merchant_id}}",
    response_model=schemas.MerchantDetail,
    responses=ERROR_RESPONSES,
    tags=BOARDING_TAGS,
    summary="A merchant application and its status",
)
async def get_merchant(
    partners: Partners, merchant_id: MerchantId, session: BoardingSession, runtime: AppRuntime
) -> Response:
    app, code = await service.get_application(session, runtime, partners, merchant_id)
    return json_response(schemas.merchant_detail(app, code))


@router.get(
    f"{BASE}/rep_codes",
    response_model=schemas.RepCodePage,
    responses=ERROR_RESPONSES,
    tags=BOARDING_TAGS,
    summary="The rep codes of the client's partner hierarchy",
)
async def list_rep_codes(
    request: Request,
    partners: Partners,
    session: BoardingSession,
    runtime: AppRuntime,
    q: QParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
) -> Response:
    listing = service.listing(q, limit, offset, service.REP_CODE_FIELDS)
    rows = await service.rep_code_page(session, partners, listing)
    items = [_rep_code_item(rep) for rep in rows]
    return json_response(_envelope(items, listing.page, runtime, request.url.path))


def _rep_code_item(rep: RepCode) -> dict[str, Any]:
    return {"rep_code_id": rep.id, "rep_code": rep.code, "name": rep.name}


@router.get(
    f"{BASE}/mcc",
    response_model=schemas.MccPage,
    responses=ERROR_RESPONSES,
    tags=BOARDING_TAGS,
    summary="The valid merchant category codes (ISO 18245) with their descriptions",
)
async def list_mcc(
    request: Request,
    _: Partners,  # a revoked client is refused here too
    runtime: AppRuntime,
    q: QParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
) -> Response:
    listing = service.listing(q, limit, offset, service.MCC_FIELDS)
    items = service.mcc_page(listing)
    return json_response(_envelope(items, listing.page, runtime, request.url.path))


# ---- /homerun/v1/boarding: partners ------------------------------------------------------


def _partner_out(partner: Partner) -> dict[str, Any]:
    return {
        "partner_id": partner.id,
        "name": partner.name,
        "parent_partner_id": partner.parent_id,
        "signature_delay_seconds": partner.signature_delay_seconds,
        "underwriting_delay_seconds": partner.underwriting_delay_seconds,
        "go_live_delay_seconds": partner.go_live_delay_seconds,
        "created_at": as_utc(partner.created_at).isoformat(),
        "updated_at": as_utc(partner.updated_at).isoformat(),
    }


def _client_out(client: OAuthClient, partner_id: int) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "audience": client.audience,
        "name": client.name,
        "partner_id": partner_id,
        "created_at": as_utc(client.created_at).isoformat(),
        "revoked_at": as_utc(client.revoked_at).isoformat() if client.revoked_at else None,
    }


@admin.post(
    f"{ADMIN}/partners",
    status_code=201,
    response_model=admin_answers.PartnerOut,
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="Create a partner (an ISV or agent that boards merchants)",
)
async def create_partner(
    body: Json[schemas.PartnerCreate], session: AdminSession, runtime: AppRuntime
) -> Response:
    partner = await service.create_partner(session, runtime, body)
    return json_response(_partner_out(partner), 201)


@admin.get(f"{ADMIN}/partners", responses=ERROR_RESPONSES, tags=ADMIN_TAGS, summary="Partners")
async def list_partners(session: AdminSession) -> Response:
    partners = await service.list_partners(session)
    return json_response({"items": [_partner_out(p) for p in partners]})


@admin.get(
    f"{ADMIN}/partners/{{partner_id}}",
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="A partner with its rep codes and clients",
)
async def get_partner(partner_id: PartnerId, session: AdminSession) -> Response:
    partner = await service.get_partner(session, partner_id)
    out = _partner_out(partner)
    out["rep_codes"] = [
        _rep_code_item(r) for r in await service.partner_rep_codes(session, partner_id)
    ]
    out["clients"] = [
        _client_out(c, partner_id) for c in await service.partner_clients(session, partner_id)
    ]
    return json_response(out)


@admin.patch(
    f"{ADMIN}/partners/{{partner_id}}",
    response_model=admin_answers.PartnerOut,
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="Rename a partner or change its sandbox clock delays",
)
async def update_partner(
    partner_id: PartnerId,
    body: Json[schemas.PartnerUpdate],
    session: AdminSession,
    runtime: AppRuntime,
) -> Response:
    partner = await service.update_partner(session, runtime, partner_id, body)
    return json_response(_partner_out(partner))


@admin.post(
    f"{ADMIN}/partners/{{partner_id}}/rep_codes",
    status_code=201,
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="Give a partner a rep code",
)
async def add_rep_code(
    partner_id: PartnerId,
    body: Json[schemas.RepCodeCreate],
    session: AdminSession,
    runtime: AppRuntime,
) -> Response:
    rep = await service.add_rep_code(session, runtime, partner_id, body)
    return json_response({**_rep_code_item(rep), "partner_id": partner_id}, 201)


@admin.get(
    f"{ADMIN}/partners/{{partner_id}}/rep_codes",
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="A partner's rep codes",
)
async def partner_rep_codes(partner_id: PartnerId, session: AdminSession) -> Response:
    reps = await service.partner_rep_codes(session, partner_id)
    return json_response({"items": [_rep_code_item(r) for r in reps]})


@admin.post(
    f"{ADMIN}/partners/{{partner_id}}/clients",
    status_code=201,
    response_model=admin_answers.PartnerClientOut,
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="A new OAuth client for the partner (secret shown once), or bind an existing one",
)
async def add_client(
    partner_id: PartnerId,
    body: Json[schemas.PartnerClientCreate],
    session: AdminSession,
    runtime: AppRuntime,
) -> Response:
    if body.client_id is not None:
        client = await service.attach_client(session, partner_id, body.client_id)
        return json_response(_client_out(client, partner_id), 201)
    made = await service.create_partner_client(
        session, runtime, partner_id, body.audience, body.name
    )
    out = _client_out(made.client, partner_id)
    out["client_secret"] = made.client_secret
    return json_response(out, 201, headers=NO_STORE)


@admin.get(
    f"{ADMIN}/partners/{{partner_id}}/clients",
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="A partner's OAuth clients (no secrets)",
)
async def partner_clients(partner_id: PartnerId, session: AdminSession) -> Response:
    clients = await service.partner_clients(session, partner_id)
    return json_response({"items": [_client_out(c, partner_id) for c in clients]})


@admin.post(
    f"{ADMIN}/partners/{{partner_id}}/templates",
    status_code=201,
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="An application template: default pricing, fees and products",
)
async def create_template(
    partner_id: PartnerId,
    body: Json[schemas.TemplateCreate],
    session: AdminSession,
    runtime: AppRuntime,
) -> Response:
    template = await service.create_template(session, runtime, partner_id, body)
    return json_response(schemas.template_out(template), 201)


@admin.get(
    f"{ADMIN}/partners/{{partner_id}}/templates",
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="A partner's application templates",
)
async def partner_templates(partner_id: PartnerId, session: AdminSession) -> Response:
    templates = await service.partner_templates(session, partner_id)
    return json_response({"items": [schemas.template_out(t) for t in templates]})


# ---- /homerun/v1/boarding: merchants -----------------------------------------------------


def _admin_detail(app: Application, code: str) -> dict[str, Any]:
    out = schemas.merchant_detail(app, code)
    out["partner_id"] = app.partner_id
    out["next_step_at"] = as_utc(app.next_step_at).isoformat() if app.next_step_at else None
    return out


@admin.get(
    f"{ADMIN}/merchants",
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="Every merchant application (ORDS envelope; q as on the Boarding API)",
)
async def admin_list_merchants(
    request: Request,
    session: AdminSession,
    runtime: AppRuntime,
    q: QParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
    partner_id: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="Only this partner's")
    ] = None,
) -> Response:
    listing = service.listing(q, limit, offset, service.MERCHANT_FIELDS)
    scope: Sequence[int] | None = None
    if partner_id is not None:
        await service.get_partner(session, partner_id)
        scope = [partner_id]
    rows = await service.application_page(session, runtime, scope, listing)
    items = [
        {**schemas.merchant_item(app, code), "partner_id": app.partner_id} for app, code in rows
    ]
    return json_response(_envelope(items, listing.page, runtime, request.url.path))


@admin.get(
    f"{ADMIN}/merchants/{{merchant_id}}",
    response_model=admin_answers.AdminMerchantDetail,
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="A merchant application, its partner and its next clock step",
)
async def admin_get_merchant(
    merchant_id: MerchantId, session: AdminSession, runtime: AppRuntime
) -> Response:
    app, code = await service.get_application(session, runtime, None, merchant_id)
    return json_response(_admin_detail(app, code))


@admin.post(
    f"{ADMIN}/merchants/{{merchant_id}}/actions/{{action}}",
    response_model=admin_answers.AdminMerchantDetail,
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="Move an application: send_for_signature, sign, approve, decline, go_live, "
    "cancel, delete",
)
async def act(
    merchant_id: MerchantId,
    action: str,
    body: OptionalJson[schemas.ActionRequest],
    session: AdminSession,
    runtime: AppRuntime,
) -> Response:
    app, code = await service.act(session, runtime, merchant_id, action, body.reason)
    return json_response(_admin_detail(app, code))


async def _credentials_scope(request: Request, session: Session) -> list[int] | None:
    """None for the admin token; the partner hierarchy for a partner's boarding token."""
    token = bearer_token(request)
    if token is not None and token.startswith(ACCESS_TOKEN_PREFIX):
        client = await require_client(session, require_token(request, Audience.BOARDING))
        return await service.client_scope(session, client)
    await require_admin(request)
    return None


# Who may handle a boarded merchant's credentials: the admin, or its partner's client.
CredentialsScope = Annotated[list[int] | None, Depends(_credentials_scope)]


@router.get(
    f"{ADMIN}/merchants/{{merchant_id}}/credentials",
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="Hand over the Payments API credentials issued at boarding (once)",
)
async def hand_over_credentials(
    scope: CredentialsScope, merchant_id: MerchantId, session: Session, runtime: AppRuntime
) -> Response:
    app, issued = await service.hand_over_credentials(session, runtime, scope, merchant_id)
    return json_response({"merchant_id": app.id, "mid": app.mid, **issued}, headers=NO_STORE)


@router.post(
    f"{ADMIN}/merchants/{{merchant_id}}/credentials",
    status_code=201,
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="Issue a new set of Payments API credentials for a boarded merchant",
)
async def issue_credentials(
    scope: CredentialsScope, merchant_id: MerchantId, session: Session, runtime: AppRuntime
) -> Response:
    app, issued = await service.issue_credentials(session, runtime, scope, merchant_id)
    return json_response(
        {"merchant_id": app.id, "mid": app.mid, **issued.__dict__}, 201, headers=NO_STORE
    )


@admin.get(
    f"{ADMIN}/merchants/{{merchant_id}}/events",
    responses=ERROR_RESPONSES,
    tags=ADMIN_TAGS,
    summary="The application's merchant.* events (the webhook outbox), oldest first",
)
async def application_events(
    merchant_id: MerchantId, session: AdminSession, runtime: AppRuntime
) -> Response:
    items = await service.application_events(session, runtime, merchant_id)
    return json_response({"items": items})


router.include_router(admin)
