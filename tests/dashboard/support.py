"""A browser-like HTTP client for the dashboard: its own cookies, forms posted as forms."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from homerun.audit import service as audit
from homerun.idempotency.models import IdempotencyRecord
from homerun.merchants import service as merchants
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.conftest import MerchantAccess
from tests.people.support import PASSWORD, make_user

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_SEEN = re.compile(r'name="seen" value="([^"]+)"')
_FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, html
    return found.group(1)


def form_key_of(html: str) -> str:
    """The one-time key of the page's create form."""
    found = _FORM_KEY.search(html)
    assert found is not None, html
    return found.group(1)


async def key_kept(runtime: Runtime, form_key: str) -> bool:
    """Whether a form's one-time key is held (reserved, or keeping its answer)."""
    async with runtime.db.transaction() as session:
        found = await session.scalar(
            select(IdempotencyRecord.id).where(IdempotencyRecord.key == form_key)
        )
        return found is not None


async def audit_details(
    runtime: Runtime, action: str, *, mid: str | None = None, partner_id: int | None = None
) -> list[dict[str, Any]]:
    """The details of a merchant's (or a partner's) audit entries of `action`, oldest first."""
    async with runtime.db.transaction() as session:
        merchant_id = (await merchants.get(session, mid)).id if mid else None
        logged = await audit.events(session, merchant_id=merchant_id, limit=200)
    return [
        dict(e.detail)
        for e in reversed(logged)
        if e.action == action and (partner_id is None or e.partner_id == partner_id)
    ]


def redirected_to(answer: httpx.Response, location: re.Pattern[str]) -> str:
    """What a 303 to a result page names (the pattern's one group): a payment, a link..."""
    assert answer.status_code == 303, answer.text
    found = location.match(answer.headers["location"])
    assert found is not None, answer.headers["location"]
    return found.group(1)


def same_answers(answers: list[httpx.Response]) -> tuple[int, str]:
    """The one answer every post got: (status, location)."""
    seen = {(a.status_code, a.headers.get("location", "")) for a in answers}
    assert len(seen) == 1, [(a.status_code, a.text[:300]) for a in answers]
    return seen.pop()


class Visitor:
    """One person's browser: a cookie jar, on a loopback address unless told otherwise."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params or None)

    async def post(self, path: str, **form: str) -> httpx.Response:
        return await self.http.post(path, data=form)

    async def form(self, path: str, action: str | None = None, **form: str) -> httpx.Response:
        """Open the page at `path`, then post its form (with its CSRF token, and its one-time
        key when it is a create form) to `action`."""
        return await self.post(action or path, **{**await self.opened(path), **form})

    async def opened(self, path: str) -> dict[str, str]:
        """The page at `path` opened: what its form carries (its CSRF token, and the
        one-time key of a create form)."""
        page = await self.get(path)
        assert page.status_code == 200, page.text
        found = _FORM_KEY.search(page.text)
        return {"csrf": csrf_of(page.text), **({"form_key": found.group(1)} if found else {})}

    async def posts_at_once(self, action: str, times: int, **form: str) -> list[httpx.Response]:
        """The same form posted `times` times at once (a double click, impatient reloads)."""
        return list(await asyncio.gather(*(self.post(action, **form) for _ in range(times))))

    async def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.form("/dashboard/sign-in", email=email, password=password)

    async def seen(self, trans_id: str) -> str:
        """What a payment's page showed of it (its forms send it back); "" without a form."""
        found = _SEEN.search((await self.get(f"/dashboard/payments/{trans_id}")).text)
        return found.group(1) if found else ""

    async def csrf(self) -> str:
        home = await self.get("/dashboard")
        assert home.status_code == 200, home.text
        return csrf_of(home.text)


VisitorFactory = Callable[..., Any]


@asynccontextmanager
async def visitors(app: FastAPI) -> AsyncIterator[Callable[[str], Visitor]]:
    opened: list[httpx.AsyncClient] = []

    def make(base_url: str = "http://127.0.0.1") -> Visitor:
        transport = httpx.ASGITransport(
            app=app, raise_app_exceptions=False, client=("192.0.2.9", 5000)
        )
        http = httpx.AsyncClient(transport=transport, base_url=base_url)
        opened.append(http)
        return Visitor(http)

    try:
        yield make
    finally:
        for http in opened:
            await http.aclose()


async def signed_in(
    runtime: Runtime, visitor: Callable[..., Visitor], m: MerchantAccess, role: Role
) -> Visitor:
    """A new user of the merchant with this role, signed in in a browser of their own."""
    user = await make_user(runtime, role, mid=m.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


async def partner_visitor(
    runtime: Runtime, visitor: Callable[..., Visitor], role: Role, partner_id: int
) -> Visitor:
    """A browser signed in as a new user of the partner, in the given role."""
    user = await make_user(runtime, role, partner_id=partner_id)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v
