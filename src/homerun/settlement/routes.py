"""Homerun's settlement administration: batches, deposits, chargebacks, adjustments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from homerun.calls import AdminSession, AdminToken, AppRuntime, MidMerchant, Route
from homerun.kit.money import to_dollars
from homerun.kit.web import ERROR_RESPONSES, Json, json_response
from homerun.merchants import service as merchants
from homerun.settlement import adjustments, chargebacks, schemas, service
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit
from homerun.settlement.state import ChargebackEvent

router = APIRouter(
    prefix="/homerun/v1",
    tags=["Homerun settlement"],
    dependencies=[AdminToken],
    route_class=Route,
)

AfterId = Query(default=0, ge=0, le=2**62, description="Only rows with a larger id")
Limit = Query(default=100, ge=1, le=1000)


@router.post(
    "/merchants/{mid}/batches/close",
    responses=ERROR_RESPONSES,
    summary="Close the merchant's open batch now: captured transactions become settled",
)
async def close_batch(
    merchant: MidMerchant, session: AdminSession, runtime: AppRuntime
) -> Response:
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


def _shape(row: Batch | Deposit | Chargeback | Adjustment, mid: str) -> dict[str, Any]:
    if isinstance(row, Batch):
        return schemas.batch_out(row)
    if isinstance(row, Deposit):
        return schemas.deposit_out(row)
    if isinstance(row, Chargeback):
        return schemas.chargeback_out(row, mid)
    return schemas.adjustment_out(row, mid)


def _register_listing(path: str, model: Any, summary: str) -> None:
    async def listing(
        merchant: MidMerchant,
        session: AdminSession,
        after_id: int = AfterId,
        limit: int = Limit,
    ) -> Response:
        rows = await service.page(session, model, merchant, after_id, limit)
        return json_response({"items": [_shape(row, merchant.mid) for row in rows]})

    router.add_api_route(
        f"/merchants/{{mid}}/{path}",
        listing,
        methods=["GET"],
        responses=ERROR_RESPONSES,
        summary=summary,
        name=f"list_{path}",
    )


_register_listing("batches", Batch, "Closed batches")
_register_listing("deposits", Deposit, "Deposits made")
_register_listing("chargebacks", Chargeback, "Chargebacks")
_register_listing("adjustments", Adjustment, "Adjustments")


@router.get(
    "/merchants/{mid}/balance",
    responses=ERROR_RESPONSES,
    summary="The merchant's money from the ledger: booked, deposited, pending",
)
async def get_balance(merchant: MidMerchant, session: AdminSession) -> Response:
    balance = await service.balance(session, merchant)
    return json_response(
        schemas.balance_out(balance.position, balance.pending_settlement, merchant.currency)
    )


@router.post(
    "/chargebacks",
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="Open a chargeback on a settled sale",
)
async def open_chargeback(
    body: Json[schemas.ChargebackOpen], session: AdminSession, runtime: AppRuntime
) -> Response:
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


ChargebackId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # beyond 64 bits: a 400


def _register_decision(action: str, event: ChargebackEvent, summary: str) -> None:
    async def decide(
        chargeback_id: ChargebackId, session: AdminSession, runtime: AppRuntime
    ) -> Response:
        cb, merchant = await chargebacks.decide(
            session, runtime, None, chargeback_id, event, "admin"
        )
        return json_response(schemas.chargeback_out(cb, merchant.mid))

    router.add_api_route(
        f"/chargebacks/{{chargeback_id}}/{action}",
        decide,
        methods=["POST"],
        responses=ERROR_RESPONSES,
        summary=summary,
        name=action,
    )


_register_decision(
    "win",
    ChargebackEvent.WIN,
    "Decide an open chargeback for the merchant: the reversal credits it back",
)
_register_decision(
    "lose", ChargebackEvent.LOSE, "Decide an open chargeback against the merchant: the debit stands"
)


@router.post(
    "/adjustments",
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="Make a manual adjustment: a negative amount debits the merchant",
)
async def create_adjustment(
    body: Json[schemas.AdjustmentCreate], session: AdminSession, runtime: AppRuntime
) -> Response:
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
