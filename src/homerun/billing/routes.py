"""Billing plan endpoints (/api/v1/billing_plans): thin handlers over billing.service."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from homerun.billing import answers, service
from homerun.billing.schemas import (
    CancelPlanAnswer,
    CreatePlanAnswer,
    CreatePlanRequest,
    PlanAnswer,
)
from homerun.calls import ApiMerchant, AppRuntime, MerchantSession, Route
from homerun.kit.web import ERROR_RESPONSES, Json, json_response

router = APIRouter(
    prefix="/api/v1/billing_plans", tags=["Payments API: billing plans"], route_class=Route
)


@router.post(
    "",
    response_model=CreatePlanAnswer,
    responses=ERROR_RESPONSES,
    summary="Create a billing plan on a vaulted account (RFC 5545 schedule)",
)
async def create(
    merchant: ApiMerchant,
    body: Json[CreatePlanRequest],
    session: MerchantSession,
    runtime: AppRuntime,
) -> Response:
    plan = await service.create(session, runtime, merchant, body)
    return json_response(answers.created(plan))


@router.get(
    "/{plan_id}",
    response_model=PlanAnswer,
    responses=ERROR_RESPONSES,
    summary="Get a billing plan with its scheduled payments",
)
async def get(merchant: ApiMerchant, plan_id: str, session: MerchantSession) -> Response:
    view = await service.get(session, merchant, plan_id)
    return json_response(answers.plan(view, merchant.mid))


@router.delete(
    "/{plan_id}",
    response_model=CancelPlanAnswer,
    responses=ERROR_RESPONSES,
    summary="Cancel a billing plan (its open payments are cancelled; irreversible)",
)
async def cancel(
    merchant: ApiMerchant, plan_id: str, session: MerchantSession, runtime: AppRuntime
) -> Response:
    plan = await service.cancel(session, runtime, merchant, plan_id)
    return json_response(answers.cancelled(plan))
