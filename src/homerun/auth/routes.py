"""POST /api/v1/api_keys/refresh (ruling R2) and credential administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service
from homerun.auth.models import CredentialSet
from homerun.auth.schemas import RefreshAnswer, RefreshRequest
from homerun.calls import keyed, require_admin, runtime_of
from homerun.kit.web import ERROR_RESPONSES, bearer_token, body_schema, json_response, read_json
from homerun.merchants import service as merchants
from homerun.merchants.schemas import CredentialsOut, CredentialSummary

router = APIRouter(prefix="/api/v1", tags=["Payments API"])
# Answers that carry secrets must never sit in a cache (as RFC 6749 §5.1 asks of tokens).
NO_STORE = {"Cache-Control": "no-store"}
# The largest id a BIGINT column holds; anything above is no credential at all.
CredentialId = Annotated[int, Path(ge=1, le=2**63 - 1)]
admin_router = APIRouter(prefix="/homerun/v1", tags=["Homerun admin"])


@router.post(
    "/api_keys/refresh",
    response_model=RefreshAnswer,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(RefreshRequest),
    summary="Refresh API keys",
)
async def refresh(request: Request) -> Response:
    runtime = runtime_of(request)
    body = await read_json(request, RefreshRequest)
    presented = [v for v in (bearer_token(request), body.token, body.refresh_token) if v]

    async def work(session: AsyncSession) -> Response:
        issued = await service.refresh(session, runtime, presented)
        return json_response(
            {
                "api_key": issued.api_key,
                "public_key": issued.public_key,
                "refresh_token": issued.refresh_token,
                "api_key_expires_at": issued.api_key_expires_at,
                "refresh_token_expires_at": issued.refresh_token_expires_at,
            },
            headers=NO_STORE,
        )

    scope = "refresh:" + runtime.secret_hash("|".join(sorted(presented)))[:40]
    return await keyed(request, scope, work)


@admin_router.post(
    "/merchants/{mid}/credentials",
    response_model=CredentialsOut,
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="Issue Payments API credentials",
)
async def issue_credentials(request: Request, mid: str) -> Response:
    require_admin(request)
    runtime = runtime_of(request)

    async def work(session: AsyncSession) -> Response:
        merchant = await merchants.get(session, mid)
        issued = await service.issue(session, runtime, merchant)
        return json_response(CredentialsOut(**issued.__dict__).model_dump(), 201, headers=NO_STORE)

    return await keyed(request, "admin", work)


@admin_router.get(
    "/merchants/{mid}/credentials",
    response_model=list[CredentialSummary],
    responses=ERROR_RESPONSES,
    summary="List a merchant's credentials (no secrets)",
)
async def list_credentials(request: Request, mid: str) -> Response:
    require_admin(request)
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        merchant = await merchants.get(session, mid)
        sets = await service.list_sets(session, merchant)
        return json_response([_summary(s).model_dump(mode="json") for s in sets])


@admin_router.delete(
    "/merchants/{mid}/credentials/{credential_id}",
    response_model=CredentialSummary,
    responses=ERROR_RESPONSES,
    summary="Revoke credentials: every key of the set stops working",
)
async def revoke_credentials(request: Request, mid: str, credential_id: CredentialId) -> Response:
    require_admin(request)
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        merchant = await merchants.get(session, mid)
        revoked = await service.revoke(session, runtime, merchant, credential_id)
        return json_response(_summary(revoked).model_dump(mode="json"))


def _summary(credential_set: CredentialSet) -> CredentialSummary:
    return CredentialSummary(
        credential_id=credential_set.id,
        public_key=credential_set.public_key,
        created_at=credential_set.created_at,
        revoked_at=credential_set.revoked_at,
    )
