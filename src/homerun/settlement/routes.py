"""Homerun's settlement controls: close a merchant's batch now."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homerun.calls import require_admin, runtime_of
from homerun.kit.money import to_dollars
from homerun.kit.web import ERROR_RESPONSES, json_response
from homerun.merchants import service as merchants
from homerun.settlement import service

router = APIRouter(prefix="/homerun/v1", tags=["Homerun admin"])


@router.post(
    "/merchants/{mid}/batches/close",
    responses=ERROR_RESPONSES,
    summary="Close the merchant's open batch now: captured transactions become settled",
)
async def close_batch(request: Request, mid: str) -> Response:
    require_admin(request)
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        merchant = await merchants.get(session, mid)
        closed = await service.close_batch(session, runtime, merchant)
        if closed is None:
            return json_response({"batch_id": None, "transaction_count": 0, "net_amount": "0.00"})
        return json_response(
            {
                "batch_id": closed.batch_id,
                "transaction_count": closed.transaction_count,
                "net_amount": to_dollars(closed.net_amount),
                "closed_at": closed.closed_at.isoformat(),
            }
        )
