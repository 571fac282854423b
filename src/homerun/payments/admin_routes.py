"""Homerun's own view of transactions: look-up, reconciliation, the event outbox."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from homerun.calls import AdminSession, AdminToken, AppRuntime, MidMerchant, Route
from homerun.errors import NotFound
from homerun.kit.web import ERROR_RESPONSES, Json, json_response
from homerun.outbox import repository as outbox
from homerun.payments import ach_lifecycle, answers, repository, service
from homerun.payments.schemas import AchReturnRequest
from homerun.settlement import ach_books

router = APIRouter(
    prefix="/homerun/v1", tags=["Homerun admin"], dependencies=[AdminToken], route_class=Route
)


@router.get(
    "/merchants/{mid}/transactions/{trans_id}",
    responses=ERROR_RESPONSES,
    summary="A transaction as the Payments API would answer it, plus its state",
)
async def get_transaction(merchant: MidMerchant, trans_id: str, session: AdminSession) -> Response:
    txn = await repository.get(session, merchant.id, trans_id)
    if txn is None:
        raise NotFound(f"transaction {trans_id} not found for merchant {merchant.mid}")
    body = answers.transaction(txn, merchant.mid)
    body.update(
        state=txn.state,
        amount_authorized=txn.amount_authorized,
        amount_captured=txn.amount_captured,
        amount_refunded=txn.amount_refunded,
        fee_refunded=txn.fee_refunded,
        parent_trans_id=str(txn.parent_id) if txn.parent_id else None,
    )
    return json_response(body)


@router.post(
    "/merchants/{mid}/transactions/{trans_id}/reconcile",
    responses=ERROR_RESPONSES,
    summary="Resolve a transaction left unknown by a processor timeout",
)
async def reconcile(
    merchant: MidMerchant, trans_id: str, session: AdminSession, runtime: AppRuntime
) -> Response:
    outcome = await service.reconcile(session, runtime, merchant, trans_id)
    if isinstance(outcome, service.Refusal):
        return json_response(answers.refusal(outcome, merchant.mid))
    return json_response(answers.transaction(outcome, merchant.mid))


@router.get(
    "/merchants/{mid}/events",
    responses=ERROR_RESPONSES,
    summary="The merchant's domain events (the webhook outbox), oldest first",
)
async def list_events(
    merchant: MidMerchant,
    session: AdminSession,
    after_id: int = Query(default=0, ge=0, le=2**62),  # beyond a 64-bit id: a 400, not a 500
    limit: int = Query(default=100, ge=1, le=1000),
) -> Response:
    rows = await outbox.events_of(session, merchant.id, after_id, limit)
    items: list[dict[str, Any]] = [
        {
            "id": e.id,
            "event_type": e.event_type,
            "source_id": e.source_id,
            "timestamp": e.occurred_at.isoformat(),
            "payload": e.payload,
        }
        for e in rows
    ]
    return json_response({"items": items})


@router.post(
    "/merchants/{mid}/ach/originate",
    responses=ERROR_RESPONSES,
    summary="Originate the merchant's accepted ACH payments now (what its cut-off does)",
)
async def originate_ach(
    merchant: MidMerchant, session: AdminSession, runtime: AppRuntime
) -> Response:
    done = await ach_lifecycle.originate_now(session, runtime, merchant)
    return json_response({"batch_id": done.batch_id, "transaction_count": done.count})


@router.post(
    "/merchants/{mid}/ach/settle",
    responses=ERROR_RESPONSES,
    summary="Settle the merchant's originated ACH payments now",
)
async def settle_ach(merchant: MidMerchant, session: AdminSession, runtime: AppRuntime) -> Response:
    count = await ach_lifecycle.settle_now(session, runtime, merchant)
    await ach_books.book(session, merchant, runtime.clock.now())
    return json_response({"transaction_count": count})


@router.post(
    "/merchants/{mid}/transactions/{trans_id}/ach-return",
    responses=ERROR_RESPONSES,
    summary="The payer's bank returns an ACH payment (R01..R85) or notifies a change (C01..)",
)
async def ach_return(
    merchant: MidMerchant,
    trans_id: str,
    body: Json[AchReturnRequest],
    session: AdminSession,
    runtime: AppRuntime,
) -> Response:
    txn = await ach_lifecycle.bank_answer(
        session, runtime, merchant, trans_id, body.return_code, body.return_reason
    )
    # A route sits above both packages: settlement books the return's money, once.
    await ach_books.book(session, merchant, runtime.clock.now())
    return json_response(answers.transaction(txn, merchant.mid))
