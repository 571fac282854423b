"""A browser-like HTTP client for the dashboard: its own cookies, forms posted as forms."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.conftest import MerchantAccess
from tests.people.support import PASSWORD, make_user

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_SEEN = re.compile(r'name="seen" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, html
    return found.group(1)


class Visitor:
    """One person's browser: a cookie jar, on a loopback address unless told otherwise."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params or None)

    async def post(self, path: str, **form: str) -> httpx.Response:
        return await self.http.post(path, data=form)

    async def form(self, path: str, action: str | None = None, **form: str) -> httpx.Response:
        """Open the page at `path`, then post its form (with its CSRF token) to `action`."""
        page = await self.get(path)
        assert page.status_code == 200, page.text
        return await self.post(action or path, csrf=csrf_of(page.text), **form)

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
