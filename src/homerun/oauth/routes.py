"""The token endpoints: RFC 6749 §4.4 client credentials, errors exactly as §5.2.

Reporting: POST /ords/sprint/oauth/token (alias /oauth/token); Boarding: POST
/ords/relay/oauth/token. A client only gets tokens from its own audience's endpoint.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal
from urllib.parse import parse_qs, unquote_plus

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from homerun.calls import AppRuntime, Route, runtime_of
from homerun.kit.web import ERROR_RESPONSES, field_with_nul
from homerun.oauth import service
from homerun.oauth.guard import AnyOAuthClient
from homerun.oauth.state import Audience

router = APIRouter(tags=["OAuth 2.0"], route_class=Route)
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_FORM = "application/x-www-form-urlencoded"


class OAuthError(Exception):
    def __init__(
        self, error: str, description: str, status: int = 400, challenge: str | None = None
    ) -> None:
        super().__init__(description)
        self.error, self.description, self.status, self.challenge = (
            error,
            description,
            status,
            challenge,
        )

    def response(self) -> Response:
        headers = dict(_NO_STORE)
        if self.challenge:
            headers["WWW-Authenticate"] = self.challenge
        body = {"error": self.error, "error_description": self.description}
        return Response(orjson.dumps(body), self.status, headers, media_type="application/json")


def _form(request_body: bytes, content_type: str | None) -> dict[str, str]:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != _FORM:
        raise OAuthError("invalid_request", f"Content-Type must be {_FORM}")
    try:
        parsed = parse_qs(request_body.decode(), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "the body is not UTF-8") from None
    nul = field_with_nul(((n, v) for n, values in parsed.items() for v in values), "")
    if nul is not None:  # PostgreSQL refuses NUL in text: refused here, not there
        named = f"parameter {nul}" if nul else "a parameter name"
        raise OAuthError("invalid_request", f"{named} must not contain the NUL character")
    repeated = sorted(name for name, values in parsed.items() if len(values) > 1)
    if repeated:
        raise OAuthError("invalid_request", f"parameter {repeated[0]} is repeated")
    return {name: values[0] for name, values in parsed.items()}


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise _invalid_client("the Basic credentials are not valid base64") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise _invalid_client("the Basic credentials need client_id:client_secret")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return unquote_plus(client_id), unquote_plus(secret)


def _invalid_client(description: str) -> OAuthError:
    # 401 with a Basic challenge: required when the client used the header (RFC 6749 §5.2),
    # and what clients that posted their credentials in the body handle too.
    return OAuthError("invalid_client", description, 401, 'Basic realm="homerun"')


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    basic = _basic(request.headers.get("authorization"))
    if basic:
        # A client_id alone in the body is no second method (many libraries add it); a
        # client_secret there is, and a client_id that names another client is a conflict.
        if "client_secret" in form:
            raise OAuthError("invalid_request", "use one client authentication method, not two")
        if "client_id" in form and form["client_id"] != basic[0]:
            raise OAuthError(
                "invalid_request", "client_id in the body differs from the Authorization header"
            )
        return basic
    in_body = "client_id" in form or "client_secret" in form
    if in_body:
        if not form.get("client_id") or not form.get("client_secret"):
            raise _invalid_client("client_id and client_secret are both required")
        return form["client_id"], form["client_secret"]
    raise _invalid_client("client authentication is required")


async def _token(request: Request, audience: str) -> Response:
    try:
        form = _form(await request.body(), request.headers.get("content-type"))
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required")
        client_id, secret = _client_credentials(request, form)
        if grant_type != "client_credentials":
            raise OAuthError("unsupported_grant_type", "only client_credentials is supported")
        scope = form.get("scope", "").split()
        if any(s != audience for s in scope):
            raise OAuthError("invalid_scope", f"the only scope here is {audience}")
        runtime = runtime_of(request)
        client = await service.authenticate(runtime, client_id, secret)
        if client is None or client.audience != audience:
            raise _invalid_client("client authentication failed")
    except OAuthError as error:
        return error.response()
    body: dict[str, Any] = {
        "access_token": service.issue_access_token(runtime, client),
        "token_type": "Bearer",
        "expires_in": service.ACCESS_TOKEN_SECONDS,
    }
    if scope:
        body["scope"] = audience
    return Response(orjson.dumps(body), 200, _NO_STORE, media_type="application/json")


_TOKEN_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            _FORM: {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "scope": {"type": "string"},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                    },
                }
            }
        },
    }
}


class TokenAnswer(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds")
    scope: str | None = Field(default=None, description="Only when the request named a scope")


class OAuthErrorBody(BaseModel):
    """RFC 6749 section 5.2."""

    error: str
    error_description: str


_TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": TokenAnswer, "description": "An access token (Cache-Control: no-store)"},
    400: {"model": OAuthErrorBody, "description": "invalid_request, unsupported_grant_type, ..."},
    401: {"model": OAuthErrorBody, "description": "invalid_client (WWW-Authenticate: Basic)"},
}


async def reporting_token(request: Request) -> Response:
    return await _token(request, Audience.REPORTING)


async def boarding_token(request: Request) -> Response:
    return await _token(request, Audience.BOARDING)


for _path, _handler in (
    ("/ords/sprint/oauth/token", reporting_token),
    ("/oauth/token", reporting_token),
    ("/ords/relay/oauth/token", boarding_token),
):
    router.add_api_route(
        _path,
        _handler,
        methods=["POST"],
        openapi_extra=_TOKEN_DOC,
        responses=_TOKEN_RESPONSES,
        summary="OAuth 2.0 client credentials token",
        operation_id="token_" + _path.strip("/").replace("/", "_"),
    )


class TokenInfo(BaseModel):
    client_id: str
    audience: str = Field(description="reporting or boarding")
    expires_in: int = Field(description="Seconds the token has left")


@router.get(
    "/homerun/v1/oauth/token-info",
    responses={200: {"model": TokenInfo}, **ERROR_RESPONSES},
    summary="Whose access token this is: the cheapest authenticated call",
    tags=["Homerun"],
)
async def token_info(caller: AnyOAuthClient, runtime: AppRuntime) -> Response:
    client = caller.client
    left = caller.claims.expires_at - int(runtime.clock.now().timestamp())
    body = {"client_id": client.client_id, "audience": client.audience, "expires_in": left}
    return Response(orjson.dumps(body), 200, _NO_STORE, media_type="application/json")
