"""Request plumbing as FastAPI dependencies: who calls, the JSON body, the unit of work.

A route says what it needs in its signature, in this order:

    async def charge(merchant: ApiMerchant, body: Json[ChargeRequest],
                     session: MerchantSession) -> Response

1. the credential, checked before anything else of the request is looked at (R2, R6):
   `ApiMerchant` (Bearer api_key), `require_admin` (a router's `dependencies=`), or a
   package's own (an OAuth token, a public key);
2. path and query values, and the body, `Json[Model]` (kit.web: R6 errors that name the
   field; unknown fields ignored);
3. the session: the request's unit of work, one transaction that commits when the route
   returns and before the answer is sent (it is entered on FastAPI's exit stack of the
   route call, `_route_call_stack`; a dependency with `yield` and FastAPI's default scope
   would end after the answer). A unit bound to a credential
   (`MerchantSession`, `AdminSession`, `keyed_session(...)`) also honours an
   Idempotency-Key on POST, PUT and PATCH (R12): the key is reserved first in a short
   transaction of its own (a concurrent retry gets 409), the route's answer is kept in
   the work's transaction (`Route`, below), a request-level fault is kept after the
   rollback, and a retry is answered from what was kept with `Idempotent-Replayed: true`.

Every router is an `APIRouter(route_class=Route)`: Route documents the `Json` body in the
OpenAPI document and hands a keyed unit its answer before the unit commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service as auth
from homerun.errors import HomerunError, Unauthorized
from homerun.idempotency import service as idempotent
from homerun.instance.service import admin_token_matches
from homerun.kit.db.writes import before_commit
from homerun.kit.web import JSON_BODY_DOC, error_response, require_bearer
from homerun.merchants import service as merchants
from homerun.merchants.models import Merchant
from homerun.observability.context import note_merchant
from homerun.runtime import Runtime
from homerun.worker.registry import JobRegistry

REPLAY_HEADER = "Idempotent-Replayed"
# The methods whose Idempotency-Key is honoured; a GET or a DELETE is safe to repeat as is.
KEYED_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Headers that are part of an answer's meaning and so are replayed with it.
_KEPT_HEADERS = ("cache-control", "www-authenticate", "location", "allow")
# Where a keyed unit waits for its route's answer, in the request's ASGI scope.
_PENDING = "homerun.keyed_unit"


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _runtime(request: Request) -> Runtime:
    return runtime_of(request)


AppRuntime = Annotated[Runtime, Depends(_runtime)]


async def _jobs(request: Request) -> JobRegistry:
    """The job registry the app was built with (homerun.jobs, at start-up)."""
    jobs = request.app.state.jobs
    assert isinstance(jobs, JobRegistry)
    return jobs


AppJobs = Annotated[JobRegistry, Depends(_jobs)]


# ---- credentials ----------------------------------------------------------------------


async def _api_key_merchant(request: Request) -> Merchant:
    """The merchant whose Bearer api_key this is (401 `Key not found` otherwise)."""
    merchant = await auth.authenticate(runtime_of(request), require_bearer(request))
    note_merchant(merchant.mid)  # for the request's log line
    return merchant


ApiMerchant = Annotated[Merchant, Depends(_api_key_merchant)]


async def require_admin(request: Request) -> None:
    """The Bearer admin token, or 401. Routers of admin routes list it in `dependencies`."""
    if not admin_token_matches(runtime_of(request).keys, require_bearer(request)):
        raise Unauthorized("admin token not recognised")


AdminToken = Depends(require_admin)


# ---- the unit of work -----------------------------------------------------------------


class Replayed(Exception):
    """The request's key was answered before: the answer kept then is the answer now."""

    def __init__(self, answer: idempotent.Answer) -> None:
        super().__init__("replayed")
        self.answer = answer

    def response(self) -> Response:
        return Response(
            self.answer.body,
            status_code=self.answer.status_code,
            media_type="application/json",
            headers={**self.answer.headers, REPLAY_HEADER: "true"},
        )


def _kept(response: Response) -> idempotent.Answer:
    headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
    return idempotent.Answer(response.status_code, bytes(response.body), headers)


class _KeyedUnit:
    """A reserved key, waiting for its route's answer to keep in the same transaction."""

    def __init__(self, runtime: Runtime, scope: str, key: str) -> None:
        self.runtime, self.scope, self.key = runtime, scope, key
        self.answer: idempotent.Answer | None = None

    def keep(self, response: Response) -> None:
        self.answer = _kept(response)

    async def write_answer(self, session: AsyncSession) -> None:
        """The unit's closing write: the route's answer, in the work's own transaction."""
        if self.answer is None:  # a route outside Route would commit work without it
            raise RuntimeError("a keyed unit of work ended without its answer")
        await idempotent.finish(self.runtime, session, self.scope, self.key, self.answer)


def _route_call_stack(request: Request) -> AsyncExitStack:
    """FastAPI's exit stack of the route call: closed when the route returns, before the
    answer is sent; where a unit of work is entered, so that it commits there.

    A dependency written with `yield` and scope="function" would end there too, but FastAPI
    wraps each such one in two more context managers and a cancel scope shared by the
    request, which cost more than the rest of a charge's plumbing together. The unit is a
    context manager already, so it is entered on the stack directly. FastAPI asserts this
    stack exists before it solves any dependency."""
    stack = request.scope.get("fastapi_function_astack")
    if not isinstance(stack, AsyncExitStack):
        raise RuntimeError("a unit of work outside a FastAPI route call")
    return stack


async def _plain_unit(request: Request) -> AsyncSession:
    return await _route_call_stack(request).enter_async_context(
        runtime_of(request).db.transaction()
    )


@asynccontextmanager
async def _keyed_unit(
    request: Request, runtime: Runtime, scope: str, key: str
) -> AsyncIterator[AsyncSession]:
    fingerprint = idempotent.request_fingerprint(
        runtime, request.method, request.url.path, await request.body()
    )
    replay = await idempotent.reserve(runtime, scope, key, fingerprint)
    if replay is not None:
        raise Replayed(replay)
    unit = request.scope[_PENDING] = _KeyedUnit(runtime, scope, key)
    try:
        async with runtime.db.transaction() as session:
            # Stated before the work, so the unit knows the work is not all it writes: the
            # work and the answer then commit together (kit.db.writes).
            before_commit(session, unit.write_answer)
            yield session
    except HomerunError as fault:
        await idempotent.keep_fault(runtime, scope, key, _kept(error_response(fault)))
        raise
    except BaseException:
        await idempotent.release(runtime, scope, key)
        raise


# How a credential names the scope its Idempotency-Keys are kept in.
CallerScope = Callable[[Request, Any], str]


def keyed_session(caller: Callable[..., Awaitable[Any]], scope_of: CallerScope) -> Any:
    """A unit of work for the routes of one kind of credential: `caller` is its dependency
    (resolved first, and once), `scope_of` names the caller for its Idempotency-Keys."""

    async def unit(request: Request, credential: Any) -> AsyncSession:
        runtime = runtime_of(request)
        key = request.headers.get("idempotency-key") if request.method in KEYED_METHODS else None
        work = (
            runtime.db.transaction()
            if key is None
            else _keyed_unit(request, runtime, scope_of(request, credential), key)
        )
        return await _route_call_stack(request).enter_async_context(work)

    # Set here, not written above: FastAPI reads annotations from the module's globals.
    unit.__annotations__["credential"] = Annotated[Any, Depends(caller)]
    return Depends(unit)


def _merchant_scope(_: Request, merchant: Merchant) -> str:
    return f"merchant:{merchant.id}"


def _admin_scope(_: Request, __: None) -> str:
    return "admin"


# One transaction; no Idempotency-Key (a page, a read, a caller without a credential).
Session = Annotated[AsyncSession, Depends(_plain_unit)]
# A Payments API call's unit: keys kept per merchant.
MerchantSession = Annotated[AsyncSession, keyed_session(_api_key_merchant, _merchant_scope)]
# An admin call's unit: keys kept in the admin's own scope.
AdminSession = Annotated[AsyncSession, keyed_session(require_admin, _admin_scope)]


async def _merchant_of_path(mid: str, session: AdminSession) -> Merchant:
    return await merchants.get(session, mid)


# The merchant named by the path's {mid}, for the admin (404 when there is none).
MidMerchant = Annotated[Merchant, Depends(_merchant_of_path)]


# ---- the route class ------------------------------------------------------------------


class Route(APIRoute):
    """Every Homerun route: its `Json` body documented, a keyed unit given its answer."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        doc = _body_doc(self.dependant)
        if doc is not None and "requestBody" not in (self.openapi_extra or {}):
            self.openapi_extra = {**(self.openapi_extra or {}), "requestBody": doc}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            # Runs inside FastAPI's function-scoped exit stack: the unit is still open.
            try:
                response = await handle(request)
            except Replayed as replay:
                return replay.response()
            unit: _KeyedUnit | None = request.scope.get(_PENDING)
            if unit is not None:
                unit.keep(response)
            return response

        return handler


def _body_doc(dependant: Dependant) -> dict[str, Any] | None:
    for sub in dependant.dependencies:
        doc = getattr(sub.call, JSON_BODY_DOC, None)
        if doc is None:
            doc = _body_doc(sub)
        if doc is not None:
            return dict(doc)
    return None
