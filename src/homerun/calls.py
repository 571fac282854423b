"""Request plumbing shared by the routes: who is calling, one transaction, idempotency.

A route hands its work to one of these; the work runs inside a single database
transaction that commits before the response is returned (R12 when keyed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service as auth
from homerun.errors import Unauthorized, ValidationFailed
from homerun.idempotency import service as idempotent
from homerun.instance.service import admin_token_matches
from homerun.kit.web import read_json, require_bearer
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime

B = TypeVar("B", bound=BaseModel)
MerchantWork = Callable[[AsyncSession, Merchant, B], Awaitable[Response]]
SessionWork = Callable[[AsyncSession], Awaitable[Response]]
MerchantOnlyWork = Callable[[AsyncSession, Merchant], Awaitable[Response]]


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def keyed(request: Request, scope: str, work: SessionWork) -> Response:
    """Run `work` in one transaction, under the request's Idempotency-Key if it has one."""
    runtime = runtime_of(request)
    key = request.headers.get("idempotency-key")
    if key is None:
        async with runtime.db.transaction() as session:
            return await work(session)
    fingerprint = idempotent.request_fingerprint(
        runtime, request.method, request.url.path, await request.body()
    )
    return await idempotent.run(runtime, scope=scope, key=key, fingerprint=fingerprint, work=work)


async def merchant_call(request: Request, model: type[B], work: MerchantWork[B]) -> Response:
    """A Payments API call: Bearer api_key, a JSON body of `model`, the merchant's work."""
    runtime = runtime_of(request)
    api_key = require_bearer(request)
    body = await read_json(request, model)
    header_mid = request.headers.get("mid")
    body_mid = getattr(body, "mid", None)
    if header_mid and body_mid and header_mid.strip() != body_mid:
        raise ValidationFailed.field("mid", "the mid header disagrees with the body's mid")
    if request.headers.get("idempotency-key") is None:
        # The common path: authentication and work share one transaction.
        async with runtime.db.transaction() as session:
            merchant = await auth.authenticate(session, runtime, api_key)
            return await work(session, merchant, body)
    async with runtime.db.transaction() as session:
        merchant = await auth.authenticate(session, runtime, api_key)
    return await keyed(
        request, f"merchant:{merchant.id}", lambda session: work(session, merchant, body)
    )


async def merchant_call_without_body(request: Request, work: MerchantOnlyWork) -> Response:
    """A Payments API call with no body (GET, DELETE): Bearer api_key, the merchant's work,
    in one transaction."""
    runtime = runtime_of(request)
    api_key = require_bearer(request)
    async with runtime.db.transaction() as session:
        merchant = await auth.authenticate(session, runtime, api_key)
        return await work(session, merchant)


def require_admin(request: Request) -> None:
    token = require_bearer(request)
    if not admin_token_matches(runtime_of(request).keys, token):
        raise Unauthorized("admin token not recognised")
