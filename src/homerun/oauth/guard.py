"""Bearer access tokens on the protected ORDS endpoints (RFC 6750)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import runtime_of
from homerun.errors import InvalidToken, Unauthorized
from homerun.kit.web import bearer_token
from homerun.oauth import service, tokens
from homerun.oauth.cache import ClientRef
from homerun.oauth.models import OAuthClient
from homerun.oauth.state import Audience
from homerun.oauth.tokens import Claims


class MissingToken(Unauthorized):
    code = "missing_token"

    def __init__(self) -> None:
        super().__init__("an OAuth access token is required (Authorization: Bearer <token>)")
        # RFC 6750 §3.1: no error code when the request carried no credentials at all.
        self.challenge = 'Bearer realm="homerun"'


def require_token(request: Request, audience: str | None) -> Claims:
    """The token's claims, checked without the database (signature, audience, expiry).

    `audience` None accepts a token of either API (Homerun's own token-info endpoint).
    """
    token = bearer_token(request)
    if token is None:
        raise MissingToken()
    runtime = runtime_of(request)
    try:
        return tokens.verify(service.signing_key(runtime), token, audience, runtime.clock.now())
    except tokens.TokenError as problem:
        raise InvalidToken(str(problem)) from None


async def require_client(session: AsyncSession, claims: Claims) -> OAuthClient:
    """The token's client, refused if it has been revoked since the token was issued."""
    client = await service.active_client(session, claims)
    if client is None:
        raise InvalidToken("the client of this access token was revoked")
    return client


async def require_active(request: Request, claims: Claims) -> ClientRef:
    """The token's client, refused if revoked; from the per-process cache when fresh."""
    client = await service.active_client_ref(runtime_of(request), claims)
    if client is None:
        raise InvalidToken("the client of this access token was revoked")
    return client


@dataclass(frozen=True, slots=True)
class BearerClient:
    """An OAuth caller: its token's claims and its (unrevoked) client."""

    claims: Claims
    client: ClientRef


def bearer_client(audience: str | None) -> Any:
    """A dependency: the request's access token of `audience` (None: either API) and its
    client, checked before anything else of the request is read."""

    async def caller(request: Request) -> BearerClient:
        claims = require_token(request, audience)
        return BearerClient(claims, await require_active(request, claims))

    return Depends(caller)


ReportingClient = Annotated[BearerClient, bearer_client(Audience.REPORTING)]
AnyOAuthClient = Annotated[BearerClient, bearer_client(None)]
