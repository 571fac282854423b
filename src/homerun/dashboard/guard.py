"""Who is looking at a dashboard page: the session cookie, its CSRF token, the client.

The cookie holds a random token (its keyed hash is the session's key in the database);
it is HttpOnly, SameSite=Lax, limited to /dashboard, and Secure unless the page was asked
for on a loopback address (a developer's http://127.0.0.1). Every form carries a CSRF
token: the session's own once signed in, and before that one bound to a short-lived
sign-in cookie (so a sign-in form cannot be posted from another site either).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.boarding import partners
from homerun.errors import UnsupportedMediaType, ValidationFailed
from homerun.kit.ids import keyed_hash
from homerun.merchants import service as merchants
from homerun.merchants.models import Merchant
from homerun.people import service as people
from homerun.people.crypto import new_token
from homerun.people.models import User, UserSession
from homerun.people.roles import Action, may
from homerun.people.state import SessionStage
from homerun.runtime import Runtime

SESSION_COOKIE = "homerun_session"
SIGN_IN_COOKIE = "homerun_sign_in"
PATH = "/dashboard"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _secure(request: Request) -> bool:
    host = (request.url.hostname or "").strip("[]")
    if host == "localhost":
        return False
    try:
        return not ip_address(host).is_loopback
    except ValueError:
        return True


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=PATH,
        httponly=True,
        secure=_secure(request),
        samesite="lax",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path=PATH, httponly=True, secure=_secure(request), samesite="lax")


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in user, their session, and their merchant (for a merchant's user)."""

    user: User
    row: UserSession
    merchant: Merchant | None
    tenant_name: str  # the merchant's or partner's name, or the instance's operators

    @property
    def csrf(self) -> str:
        return self.row.csrf_token

    def may(self, action: Action) -> bool:
        return may(self.user.role, action)


async def viewer(request: Request, session: AsyncSession, runtime: Runtime) -> Viewer | None:
    found = await people.current(
        session, runtime, request.cookies.get(SESSION_COOKIE), stage=SessionStage.SIGNED_IN
    )
    if found is None:
        return None
    user = found.user
    merchant, name = None, "Homerun operators"
    if user.merchant_id is not None:
        merchant = await merchants.by_id(session, user.merchant_id)
        name = merchant.name if merchant is not None else ""
    elif user.partner_id is not None:
        name = (await partners.get_partner(session, user.partner_id)).name
    return Viewer(user, found.row, merchant, name)


async def pending(
    request: Request, session: AsyncSession, runtime: Runtime
) -> people.Current | None:
    """A session that has had its password and waits for its TOTP code."""
    return await people.current(
        session, runtime, request.cookies.get(SESSION_COOKIE), stage=SessionStage.CODE_NEEDED
    )


# ---------------------------------------------------------------- forms and CSRF


async def form_fields(request: Request) -> dict[str, str]:
    """A form's fields (application/x-www-form-urlencoded; at most 32 of them)."""
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media not in ("application/x-www-form-urlencoded", ""):
        raise UnsupportedMediaType("dashboard forms are sent as application/x-www-form-urlencoded")
    raw = (await request.body()).decode("utf-8", errors="replace")
    try:
        return dict(parse_qsl(raw, keep_blank_values=True, max_num_fields=32))
    except ValueError:
        raise ValidationFailed("the form has too many fields") from None


def csrf_matches(expected: str, fields: dict[str, str]) -> bool:
    return hmac.compare_digest(expected.encode(), fields.get("csrf", "").encode())


def sign_in_nonce(request: Request) -> tuple[str, bool]:
    """The sign-in cookie's value, and whether it is new (and so must be set)."""
    nonce = request.cookies.get(SIGN_IN_COOKIE)
    if nonce and 20 <= len(nonce) <= 100:
        return nonce, False
    return new_token(), True


def sign_in_csrf(runtime: Runtime, nonce: str) -> str:
    return keyed_hash(runtime.keys.secret_key, "dashboard-sign-in:" + nonce)
