"""Payments API transaction endpoints (/api/v1): thin handlers over payments.service."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import merchant_call, runtime_of
from homerun.kit.db.writes import settle
from homerun.kit.web import ERROR_RESPONSES, body_schema, json_response
from homerun.merchants.models import Merchant
from homerun.payments import answers, service
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

router = APIRouter(prefix="/api/v1", tags=["Payments API"])


@router.post(
    "/charge",
    response_model=ChargeAnswer,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(ChargeRequest),
    summary="Charge: sale, authorization only, or $0 verification",
)
async def charge(request: Request) -> Response:
    runtime = runtime_of(request)

    async def work(session: AsyncSession, merchant: Merchant, body: ChargeRequest) -> Response:
        txn = await service.charge(session, runtime, merchant, body)
        await settle(session)  # the answer shows what the writes returned (its trans_id)
        return json_response(answers.transaction(txn, merchant.mid, form=body.amount.form))

    return await merchant_call(request, ChargeRequest, work)


@router.post(
    "/capture",
    response_model=ChargeAnswer | RefusalAnswer,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(CaptureRequest),
    summary="Capture an authorization",
)
async def capture(request: Request) -> Response:
    runtime = runtime_of(request)

    async def work(session: AsyncSession, merchant: Merchant, body: CaptureRequest) -> Response:
        outcome = await service.capture(session, runtime, merchant, body)
        if isinstance(outcome, service.Refusal):
            return json_response(answers.refusal(outcome, merchant.mid))
        form = body.amount.form if body.amount else None
        return json_response(answers.transaction(outcome, merchant.mid, form=form))

    return await merchant_call(request, CaptureRequest, work)


async def _void_or_refund(request: Request) -> Response:
    runtime = runtime_of(request)

    async def work(
        session: AsyncSession, merchant: Merchant, body: VoidOrRefundRequest
    ) -> Response:
        outcome = await service.void_or_refund(session, runtime, merchant, body)
        if isinstance(outcome, service.Refusal):
            return json_response(answers.refusal(outcome, merchant.mid))
        return json_response(answers.reversal(outcome, merchant.mid))

    return await merchant_call(request, VoidOrRefundRequest, work)


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
        openapi_extra=body_schema(VoidOrRefundRequest),
        summary="Void (before settlement) or refund (after)",
        operation_id=_operation_id,
    )


@router.post(
    "/surcharge",
    response_model=SurchargeAnswer,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(SurchargeRequest),
    summary="Check surcharge",
)
async def surcharge(request: Request) -> Response:
    runtime = runtime_of(request)

    async def work(session: AsyncSession, merchant: Merchant, body: SurchargeRequest) -> Response:
        return json_response(await check_surcharge(session, runtime, merchant, body))

    return await merchant_call(request, SurchargeRequest, work)
