"""Homerun's settlement administration: batches, deposits, chargebacks, adjustments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import keyed, require_admin, runtime_of
from homerun.kit.money import to_dollars
from homerun.kit.web import ERROR_RESPONSES, body_schema, json_response, read_json
from homerun.merchants import service as merchants
from homerun.settlement import adjustments, chargebacks, schemas, service
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit
from homerun.settlement.state import ChargebackEvent

router = APIRouter(prefix="/homerun/v1", tags=["Homerun settlement"])

AfterId = Query(default=0, ge=0, le=2**62, description="Only rows with a larger id")
Limit = Query(default=100, ge=1, le=1000)


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
                "processing_fee": to_dollars(closed.processing_fee),
                "closed_at": closed.closed_at.isoformat(),
                "business_date": closed.business_date.isoformat(),
                "deposit_date": closed.deposit_date.isoformat(),
            }
        )


async def _listing(request: Request, mid: str, model: Any, after_id: int, limit: int) -> Response:
    require_admin(request)
    async with runtime_of(request).db.transaction() as session:
        merchant = await merchants.get(session, mid)
        rows = await service.page(session, model, merchant, after_id, limit)
    return json_response({"items": [_shape(row, mid) for row in rows]})


def _shape(row: Batch | Deposit | Chargeback | Adjustment, mid: str) -> dict[str, Any]:
    if isinstance(row, Batch):
        return schemas.batch_out(row)
    if isinstance(row, Deposit):
        return schemas.deposit_out(row)
    if isinstance(row, Chargeback):
        return schemas.chargeback_out(row, mid)
    return schemas.adjustment_out(row, mid)


@router.get("/merchants/{mid}/batches", responses=ERROR_RESPONSES, summary="Closed batches")
async def list_batches(
    request: Request, mid: str, after_id: int = AfterId, limit: int = Limit
) -> Response:
    return await _listing(request, mid, Batch, after_id, limit)


@router.get("/merchants/{mid}/deposits", responses=ERROR_RESPONSES, summary="Deposits made")
async def list_deposits(
    request: Request, mid: str, after_id: int = AfterId, limit: int = Limit
) -> Response:
    return await _listing(request, mid, Deposit, after_id, limit)


@router.get("/merchants/{mid}/chargebacks", responses=ERROR_RESPONSES, summary="Chargebacks")
async def list_chargebacks(
    request: Request, mid: str, after_id: int = AfterId, limit: int = Limit
) -> Response:
    return await _listing(request, mid, Chargeback, after_id, limit)


@router.get("/merchants/{mid}/adjustments", responses=ERROR_RESPONSES, summary="Adjustments")
async def list_adjustments(
    request: Request, mid: str, after_id: int = AfterId, limit: int = Limit
) -> Response:
    return await _listing(request, mid, Adjustment, after_id, limit)


@router.get(
    "/merchants/{mid}/balance",
    responses=ERROR_RESPONSES,
    summary="The merchant's money from the ledger: booked, deposited, pending",
)
async def get_balance(request: Request, mid: str) -> Response:
    require_admin(request)
    async with runtime_of(request).db.transaction() as session:
        merchant = await merchants.get(session, mid)
        balance = await service.balance(session, merchant)
    return json_response(
        schemas.balance_out(balance.position, balance.pending_settlement, merchant.currency)
    )


@router.post(
    "/chargebacks",
    status_code=201,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(schemas.ChargebackOpen),
    summary="Open a chargeback on a settled sale",
)
async def open_chargeback(request: Request) -> Response:
    require_admin(request)
    runtime = runtime_of(request)
    body = await read_json(request, schemas.ChargebackOpen)

    async def work(session: AsyncSession) -> Response:
        merchant = await merchants.get(session, body.mid)
        cb = await chargebacks.open_for(
            session,
            runtime,
            merchant,
            body.trans_id,
            amount=body.amount,
            reason_code=body.reason_code,
        )
        return json_response(schemas.chargeback_out(cb, merchant.mid), 201)

    return await keyed(request, "admin", work)


ChargebackId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # beyond 64 bits: a 400


async def _decide(request: Request, chargeback_id: int, event: ChargebackEvent) -> Response:
    require_admin(request)
    runtime = runtime_of(request)
    async with runtime.db.transaction() as session:
        cb, merchant = await chargebacks.decide(
            session, runtime, None, chargeback_id, event, "admin"
        )
        return json_response(schemas.chargeback_out(cb, merchant.mid))


@router.post(
    "/chargebacks/{chargeback_id}/win",
    responses=ERROR_RESPONSES,
    summary="Decide an open chargeback for the merchant: the reversal credits it back",
)
async def win(request: Request, chargeback_id: ChargebackId) -> Response:
    return await _decide(request, chargeback_id, ChargebackEvent.WIN)


@router.post(
    "/chargebacks/{chargeback_id}/lose",
    responses=ERROR_RESPONSES,
    summary="Decide an open chargeback against the merchant: the debit stands",
)
async def lose(request: Request, chargeback_id: ChargebackId) -> Response:
    return await _decide(request, chargeback_id, ChargebackEvent.LOSE)


@router.post(
    "/adjustments",
    status_code=201,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(schemas.AdjustmentCreate),
    summary="Make a manual adjustment: a negative amount debits the merchant",
)
async def create_adjustment(request: Request) -> Response:
    require_admin(request)
    runtime = runtime_of(request)
    body = await read_json(request, schemas.AdjustmentCreate)

    async def work(session: AsyncSession) -> Response:
        merchant = await merchants.get(session, body.mid)
        adj = await adjustments.add_manual(
            session,
            runtime,
            merchant,
            amount=body.amount,
            adjustment_type=body.adjustment_type,
            reason=body.adjustment_reason,
        )
        return json_response(schemas.adjustment_out(adj, merchant.mid), 201)

    return await keyed(request, "admin", work)
