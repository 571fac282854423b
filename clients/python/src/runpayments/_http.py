"""What the sync and async engines share: the URL, headers and body of a Call, and the
reading of an answer (errors raised, 2xx passed on)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from . import __version__
from ._call import Call, parser
from .credentials import ApiCredentials
from .errors import error_from_response
from .models import AccessToken, RefreshedKeys

USER_AGENT = f"runpayments-python/{__version__}"
TOKEN_PATHS = {"reporting": "/ords/sprint/oauth/token", "boarding": "/ords/relay/oauth/token"}


@dataclass(frozen=True)
class Hosts:
    """Run serves the Payments API and ORDS on two hosts; Homerun serves both on one."""

    payments: str
    ords: str

    def url(self, path: str) -> str:
        base = self.ords if path.startswith("/ords/") else self.payments
        return base.rstrip("/") + path


def request_of(hosts: Hosts, call: Call[Any], authorization: str | None) -> httpx.Request:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **call.headers}
    if authorization is not None:
        headers["Authorization"] = authorization
    if call.idempotency_key is not None:
        headers["Idempotency-Key"] = call.idempotency_key
    return httpx.Request(
        call.method,
        hosts.url(call.path),
        params=call.params,
        json=call.json,
        data=call.form,
        headers=headers,
    )


def content_of(response: httpx.Response) -> bytes:
    if response.is_success:
        return response.content
    raise error_from_response(response)


def refresh_call(creds: ApiCredentials) -> Call[RefreshedKeys]:
    """Present the refresh token alone (ruling R2, the same value in both places): it works
    whether the api_key is live, expired or already purged."""
    return Call(
        "POST",
        "/api/v1/api_keys/refresh",
        parser(RefreshedKeys),
        "none",
        json={"token": creds.refresh_token},
        headers={"Authorization": f"Bearer {creds.refresh_token}"},
        idempotency_key=creds.pending_refresh,
    )


def token_call(audience: str, basic: str) -> Call[AccessToken]:
    return Call(
        "POST",
        TOKEN_PATHS[audience],
        parser(AccessToken),
        "none",
        form={"grant_type": "client_credentials"},
        headers={"Authorization": basic},
    )
