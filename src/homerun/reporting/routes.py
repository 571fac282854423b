"""GET /ords/sprint/api/3p/v1/{transactions,deposits,chargebacks,adjustments} (spec §6, R9).

Bearer access token of a reporting client (RFC 6750); `q`, `limit`, `offset`; the ORDS
envelope. One request is one read-only database transaction; a page of more than 500 rows is
streamed, its transaction held open while it streams and closed when it ends.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from homerun.calls import Route, runtime_of
from homerun.kit.web import ERROR_RESPONSES
from homerun.oauth.guard import BearerClient, ReportingClient
from homerun.reporting import envelope, service
from homerun.reporting.schemas import PAGE_MODELS

router = APIRouter(prefix="/ords/sprint/api/3p/v1", tags=["Reporting API"], route_class=Route)

QParam = Annotated[
    str | None,
    Query(
        description='ORDS filter, a JSON object such as {"mid":"800000001780"}',
    ),
]
LimitParam = Annotated[
    str | None, Query(description="Items per page: 25 by default, at most 10000")
]
OffsetParam = Annotated[str | None, Query(description="Items to skip: 0 by default")]


async def _collection(
    request: Request,
    caller: BearerClient,
    endpoint: str,
    q: str | None,
    limit: str | None,
    offset: str | None,
) -> Response:
    prepared = service.prepare(endpoint, q, limit, offset)
    client = caller.client
    runtime = runtime_of(request)
    base_url, path = runtime.settings.public_base_url, request.url.path
    if not prepared.streamed:
        # A page of up to 500 rows: read at once, encoded, the transaction closed, then sent.
        async with runtime.db.transaction() as session:
            page = await service.items(session, client.pk, prepared)
            parts = [p async for p in envelope.stream(page.chunks, prepared.page, base_url, path)]
        return Response(b"".join(parts), media_type="application/json")

    # A larger page streams: its transaction stays open until the last row is sent.
    stack = AsyncExitStack()
    try:
        session = await stack.enter_async_context(runtime.db.transaction())
        page = await service.items(session, client.pk, prepared)
    except BaseException:
        await stack.aclose()
        raise

    async def streamed() -> Any:
        try:
            async for part in envelope.stream(page.chunks, prepared.page, base_url, path):
                yield part
        finally:
            await stack.aclose()

    return StreamingResponse(streamed(), media_type="application/json")


def _register(endpoint: str, summary: str) -> None:
    async def handler(
        request: Request,
        caller: ReportingClient,
        q: QParam = None,
        limit: LimitParam = None,
        offset: OffsetParam = None,
    ) -> Response:
        return await _collection(request, caller, endpoint, q, limit, offset)

    router.add_api_route(
        f"/{endpoint}",
        handler,
        methods=["GET"],
        summary=summary,
        operation_id=f"reporting_{endpoint}",
        responses={200: {"model": PAGE_MODELS[endpoint]}, **ERROR_RESPONSES},
    )


_register("transactions", "Transactions of the client's merchants")
_register("deposits", "Deposits (fundings) of the client's merchants")
_register("chargebacks", "Chargebacks of the client's merchants")
_register("adjustments", "Adjustments of the client's merchants")
