"""POST /api/v1/api_keys/refresh (ruling R2) and credential administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service
from homerun.auth.models import CredentialSet
from homerun.auth.schemas import RefreshAnswer, RefreshRequest
from homerun.calls import (
    AdminSession,
    AdminToken,
    AppRuntime,
    MidMerchant,
    Route,
    keyed_session,
    runtime_of,
)
from homerun.kit.web import ERROR_RESPONSES, Json, bearer_token, json_response
from homerun.merchants.schemas import CredentialsOut, CredentialSummary

router = APIRouter(prefix="/api/v1", tags=["Payments API"], route_class=Route)
# Answers that carry secrets must never sit in a cache (as RFC 6749 §5.1 asks of tokens).
NO_STORE = {"Cache-Control": "no-store"}
# The largest id a BIGINT column holds; anything above is no credential at all.
CredentialId = Annotated[int, Path(ge=1, le=2**63 - 1)]
admin_router = APIRouter(
    prefix="/homerun/v1", tags=["Homerun admin"], dependencies=[AdminToken], route_class=Route
)


async def _presented(request: Request, body: Json[RefreshRequest]) -> list[str]:
    """Every secret the refresh presents, in any of the shapes of R2: the credential is
    the body here, so the body is read first."""
    return [v for v in (bearer_token(request), body.token, body.refresh_token) if v]


Presented = Annotated[list[str], Depends(_presented)]


def _refresh_scope(request: Request, presented: list[str]) -> str:
    secrets = "|".join(sorted(presented))
    return "refresh:" + runtime_of(request).secret_hash(secrets)[:40]


# Keys kept per set of presented secrets: a refresh has no other caller to name.
RefreshSession = Annotated[AsyncSession, keyed_session(_presented, _refresh_scope)]


@router.post(
    "/api_keys/refresh",
    response_model=RefreshAnswer,
    responses=ERROR_RESPONSES,
    summary="Refresh API keys",
)
async def refresh(
    presented: Presented,
    session: RefreshSession,
    runtime: AppRuntime,
) -> Response:
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


@admin_router.post(
    "/merchants/{mid}/credentials",
    response_model=CredentialsOut,
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="Issue Payments API credentials",
)
async def issue_credentials(
    merchant: MidMerchant, session: AdminSession, runtime: AppRuntime
) -> Response:
    issued = await service.issue(session, runtime, merchant)
    return json_response(CredentialsOut(**issued.__dict__).model_dump(), 201, headers=NO_STORE)


@admin_router.get(
    "/merchants/{mid}/credentials",
    response_model=list[CredentialSummary],
    responses=ERROR_RESPONSES,
    summary="List a merchant's credentials (no secrets)",
)
async def list_credentials(merchant: MidMerchant, session: AdminSession) -> Response:
    sets = await service.list_sets(session, merchant)
    return json_response([_summary(s).model_dump(mode="json") for s in sets])


@admin_router.delete(
    "/merchants/{mid}/credentials/{credential_id}",
    response_model=CredentialSummary,
    responses=ERROR_RESPONSES,
    summary="Revoke credentials: every key of the set stops working",
)
async def revoke_credentials(
    merchant: MidMerchant,
    credential_id: CredentialId,
    session: AdminSession,
    runtime: AppRuntime,
) -> Response:
    revoked = await service.revoke(session, runtime, merchant, credential_id)
    return json_response(_summary(revoked).model_dump(mode="json"))


def _summary(credential_set: CredentialSet) -> CredentialSummary:
    return CredentialSummary(
        credential_id=credential_set.id,
        public_key=credential_set.public_key,
        created_at=credential_set.created_at,
        revoked_at=credential_set.revoked_at,
    )
