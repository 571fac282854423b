"""OAuth client administration under /homerun/v1/oauth/clients."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from homerun.calls import AdminSession, AdminToken, AppRuntime, Route
from homerun.kit.web import ERROR_RESPONSES, Json, json_response
from homerun.oauth import repository, service
from homerun.oauth.models import OAuthClient

router = APIRouter(
    prefix="/homerun/v1/oauth", tags=["Homerun admin"], dependencies=[AdminToken], route_class=Route
)


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    audience: Annotated[str, Field(pattern="^(reporting|boarding)$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    mids: list[Annotated[str, Field(min_length=1, max_length=32)]] = []


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    overlap_seconds: Annotated[int, Field(ge=0, le=30 * 86400)] = 3600


def _client_out(client: OAuthClient, mids: list[str]) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "audience": client.audience,
        "name": client.name,
        "mids": mids,
        "created_at": client.created_at.isoformat(),
        "revoked_at": client.revoked_at.isoformat() if client.revoked_at else None,
    }


@router.post(
    "/clients",
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="Create an OAuth client; the secret is shown once",
)
async def create_client(
    body: Json[ClientCreate], session: AdminSession, runtime: AppRuntime
) -> Response:
    made = await service.create_client(
        session, runtime, audience=body.audience, name=body.name, mids=body.mids
    )
    out = _client_out(made.client, made.mids)
    out["client_secret"] = made.client_secret
    return json_response(out, 201)


@router.get("/clients", responses=ERROR_RESPONSES, summary="Every OAuth client (no secrets)")
async def list_clients(session: AdminSession) -> Response:
    items = [
        _client_out(c, list(await repository.bound_mids(session, c.id)))
        for c in await repository.all_clients(session)
    ]
    return json_response({"items": items})


@router.post(
    "/clients/{client_id}/rotate",
    responses=ERROR_RESPONSES,
    summary="A new secret; the old one works until the overlap ends",
)
async def rotate(
    client_id: str, body: Json[SecretRotation], session: AdminSession, runtime: AppRuntime
) -> Response:
    secret = await service.rotate_secret(session, runtime, client_id, body.overlap_seconds)
    return json_response(
        {
            "client_id": client_id,
            "client_secret": secret,
            "old_secrets_expire_in": body.overlap_seconds,
        }
    )


@router.delete(
    "/clients/{client_id}",
    responses=ERROR_RESPONSES,
    summary="Revoke a client: no new tokens, and its tokens stop working",
)
async def revoke(client_id: str, session: AdminSession, runtime: AppRuntime) -> Response:
    client = await service.revoke_client(session, runtime, client_id)
    mids = list(await repository.bound_mids(session, client.id))
    return json_response(_client_out(client, mids))
