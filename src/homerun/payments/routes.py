"""Payments API transaction endpoints (/api/v1): thin handlers over payments.service."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from homerun.calls import ApiMerchant, AppRuntime, MerchantSession, Route
from homerun.kit.db.writes import settle
from homerun.kit.web import ERROR_RESPONSES, Json, json_response
from homerun.observability.context import note_trans_id
from homerun.observability.metrics import count_charge
from homerun.payments import answers, service
from homerun.payments.ach_charging import AchNotTaken
from homerun.payments.schemas import (
    CaptureRequest,
    ChargeAnswer,
    ChargeRequest,
    RefusalAnswer,
    ReversalAnswer,
    SurchargeAnswer,
    SurchargeRequest,
    VoidOrRefundRequest,
)
from homerun.payments.surcharge_check import check_surcharge

router = APIRouter(prefix="/api/v1", tags=["Payments API"], route_class=Route)


@router.post(
    "/charge",
    response_model=ChargeAnswer,
    responses=ERROR_RESPONSES,
    summary="Charge: sale, authorization only, or $0 verification",
)
async def charge(
    merchant: ApiMerchant,
    body: Json[ChargeRequest],
    session: MerchantSession,
    runtime: AppRuntime,
) -> Response:
    try:
        txn = await service.charge(session, runtime, merchant, body)
    except AchNotTaken:
        return Response(status_code=400)  # bare, as Run answers it (spec §4.2, R15)
    await settle(session)  # the answer shows what the writes returned (its trans_id)
    note_trans_id(txn.id)
    count_charge(txn.result, txn.resp_code, txn.card_brand, txn.payment_method)
    return json_response(answers.transaction(txn, merchant.mid, form=body.amount.form))


@router.post(
    "/capture",
    response_model=ChargeAnswer | RefusalAnswer,
    responses=ERROR_RESPONSES,
    summary="Capture an authorization",
)
async def capture(
    merchant: ApiMerchant,
    body: Json[CaptureRequest],
    session: MerchantSession,
    runtime: AppRuntime,
) -> Response:
    outcome = await service.capture(session, runtime, merchant, body)
    if isinstance(outcome, service.Refusal):
        return json_response(answers.refusal(outcome, merchant.mid))
    note_trans_id(outcome.id)
    form = body.amount.form if body.amount else None
    return json_response(answers.transaction(outcome, merchant.mid, form=form))


async def _void_or_refund(
    merchant: ApiMerchant,
    body: Json[VoidOrRefundRequest],
    session: MerchantSession,
    runtime: AppRuntime,
) -> Response:
    outcome = await service.void_or_refund(session, runtime, merchant, body)
    if isinstance(outcome, service.Refusal):
        return json_response(answers.refusal(outcome, merchant.mid))
    note_trans_id(outcome.txn.id)  # the voided row, or the new refund's
    return json_response(answers.reversal(outcome, merchant.mid))


# Every alias gets its own operation id ("/void-or-refund" and "/void_or_refund" must differ).
for _path, _operation_id in (
    ("/void-or-refund", "void_or_refund"),
    ("/void_or_refund", "void_or_refund_underscored"),
    ("/transactions/void-or-refund", "void_or_refund_transactions"),
    ("/void", "void"),
    ("/refund", "refund"),
):
    router.add_api_route(
        _path,
        _void_or_refund,
        methods=["POST"],
        response_model=ReversalAnswer | RefusalAnswer,
        responses=ERROR_RESPONSES,
        summary="Void (before settlement) or refund (after)",
        operation_id=_operation_id,
    )


@router.post(
    "/surcharge",
    response_model=SurchargeAnswer,
    responses=ERROR_RESPONSES,
    summary="Check surcharge",
)
async def surcharge(
    merchant: ApiMerchant,
    body: Json[SurchargeRequest],
    session: MerchantSession,
    runtime: AppRuntime,
) -> Response:
    return json_response(await check_surcharge(session, runtime, merchant, body))
