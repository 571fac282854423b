"""GET /homerun/v1/merchants/{mid}/ach/batches[/{batch_id}/nacha] (admin; docs/ach.md).

The NACHA file is streamed: its transaction stays open while the records are written and
sent, and closes when the last one is (or the client goes away)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse

from homerun.bankfiles import service
from homerun.calls import AdminSession, AdminToken, AppRuntime, MidMerchant, Route
from homerun.kit.money import to_dollars
from homerun.kit.web import ERROR_RESPONSES, json_response
from homerun.merchants import service as merchants

router = APIRouter(
    prefix="/homerun/v1", tags=["Homerun admin"], dependencies=[AdminToken], route_class=Route
)


@router.get(
    "/merchants/{mid}/ach/batches",
    responses=ERROR_RESPONSES,
    summary="The merchant's originated ACH batches with their counts and totals",
)
async def list_ach_batches(merchant: MidMerchant, session: AdminSession) -> Response:
    found = await service.batches(session, merchant)
    return json_response(
        {
            "mid": merchant.mid,
            "batches": [
                {
                    "batch_id": batch.batch_id,
                    "originated_at": batch.originated_at.isoformat(),
                    "entry_count": batch.entry_count,
                    "debit_count": batch.debit_count,
                    "debit_total": to_dollars(batch.debit_total),
                    "credit_count": batch.credit_count,
                    "credit_total": to_dollars(batch.credit_total),
                }
                for batch in found
            ],
        }
    )


@router.get(
    "/merchants/{mid}/ach/batches/{batch_id}/nacha",
    responses={200: {"content": {"text/plain": {}}}, **ERROR_RESPONSES},
    response_class=StreamingResponse,
    summary="The NACHA file of an originated ACH batch (94-character records)",
)
async def nacha_file(mid: str, batch_id: str, runtime: AppRuntime) -> Response:
    # Its own transaction, not the route's unit: it must outlive this function (SQLite
    # would also refuse a second writer beside the unit).
    stack = AsyncExitStack()
    try:
        session = await stack.enter_async_context(runtime.db.transaction())
        merchant = await merchants.get(session, mid)
        batch = await service.find_batch(session, merchant, batch_id)
    except BaseException:
        await stack.aclose()
        raise

    async def streamed() -> Any:
        try:
            async for piece in service.nacha_file(session, runtime, merchant, batch):
                yield piece.encode("ascii")
        finally:
            await stack.aclose()

    disposition = f'attachment; filename="{service.file_name(batch)}"'
    return StreamingResponse(
        streamed(),
        media_type="text/plain; charset=us-ascii",
        headers={"Content-Disposition": disposition},
    )
