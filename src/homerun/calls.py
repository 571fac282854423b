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
from homerun.errors import HomerunError, Unauthorized, ValidationFailed
from homerun.idempotency import service as idempotent
from homerun.instance.service import admin_token_matches
from homerun.kit.web import error_response, read_json, require_bearer
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime

B = TypeVar("B", bound=BaseModel)
MerchantWork = Callable[[AsyncSession, Merchant, B], Awaitable[Response]]
SessionWork = Callable[[AsyncSession], Awaitable[Response]]
MerchantOnlyWork = Callable[[AsyncSession, Merchant], Awaitable[Response]]


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


REPLAY_HEADER = "Idempotent-Replayed"


def is_keyed(request: Request) -> bool:
    """Sent with an Idempotency-Key: the work's unit of work then also stores the answer,
    after the work (R12), so the work is not the last thing written in it."""
    return request.headers.get("idempotency-key") is not None


# Headers that are part of an answer's meaning and so are replayed with it.
_KEPT_HEADERS = ("cache-control", "www-authenticate", "location", "allow")


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
    answered: list[Response] = []  # the response this request made, if it made one

    async def work_answer(session: AsyncSession) -> idempotent.Answer:
        answered.append(await work(session))
        return _kept(answered[-1])

    def fault_answer(fault: HomerunError) -> idempotent.Answer:
        answered.append(error_response(fault))
        return _kept(answered[-1])

    answer = await idempotent.run(
        runtime,
        scope=scope,
        key=key,
        fingerprint=fingerprint,
        work=work_answer,
        answer_fault=fault_answer,
    )
    if not answer.replayed:
        return answered[-1]
    return Response(
        answer.body,
        status_code=answer.status_code,
        media_type="application/json",
        headers={**answer.headers, REPLAY_HEADER: "true"},
    )


def _kept(response: Response) -> idempotent.Answer:
    headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
    return idempotent.Answer(response.status_code, bytes(response.body), headers)


async def merchant_call(request: Request, model: type[B], work: MerchantWork[B]) -> Response:
    """A Payments API call: Bearer api_key, a JSON body of `model`, the merchant's work."""
    runtime = runtime_of(request)
    api_key = require_bearer(request)
    body = await read_json(request, model)
    header_mid = request.headers.get("mid")
    body_mid = getattr(body, "mid", None)
    if header_mid and body_mid and header_mid.strip() != body_mid:
        raise ValidationFailed.field("mid", "the mid header disagrees with the body's mid")
    if not is_keyed(request):
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
