"""Self-contained access tokens: an HMAC-signed claim set, checked without the database.

`hr_at_<payload>.<signature>`, both base64url; the payload names the client,
the audience and the expiry. Validation is a hash and a comparison, which is
what lets protected endpoints authenticate thousands of requests per second.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

import orjson

PREFIX = "hr_at_"


@dataclass(frozen=True, slots=True)
class Claims:
    client_pk: int
    audience: str
    expires_at: int  # Unix seconds


class TokenError(ValueError):
    """Why a bearer token was refused (RFC 6750 error_description)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def issue(key: bytes, claims: Claims) -> str:
    payload = _b64(
        orjson.dumps({"c": claims.client_pk, "a": claims.audience, "e": claims.expires_at})
    )
    return f"{PREFIX}{payload}.{_sign(key, payload)}"


def verify(key: bytes, token: str, audience: str | None, now: datetime) -> Claims:
    """The claims of a genuine, unexpired token (of `audience`, unless that is None)."""
    if not token.startswith(PREFIX) or token.count(".") != 1:
        raise TokenError("the access token is malformed")
    payload, signature = token[len(PREFIX) :].split(".")
    # Bytes, not str: compare_digest refuses non-ASCII text, which a client can send.
    if not hmac.compare_digest(signature.encode(), _sign(key, payload).encode()):
        raise TokenError("the access token is not valid")
    try:
        data = orjson.loads(_unb64(payload))
        claims = Claims(int(data["c"]), str(data["a"]), int(data["e"]))
    except (ValueError, KeyError, TypeError):
        raise TokenError("the access token is malformed") from None
    if audience is not None and claims.audience != audience:
        raise TokenError(f"the access token is not valid for the {audience} API")
    if claims.expires_at <= int(now.timestamp()):
        raise TokenError("the access token expired")
    return claims
