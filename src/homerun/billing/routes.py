"""Billing plan endpoints (/api/v1/billing_plans): thin handlers over billing.service."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.billing import answers, service
from homerun.billing.schemas import (
    CancelPlanAnswer,
    CreatePlanAnswer,
    CreatePlanRequest,
    PlanAnswer,
)
from homerun.calls import merchant_call, merchant_call_without_body, runtime_of
from homerun.kit.web import ERROR_RESPONSES, body_schema, json_response
from homerun.merchants.models import Merchant

router = APIRouter(prefix="/api/v1/billing_plans", tags=["Payments API: billing plans"])


@router.post(
    "",
    response_model=CreatePlanAnswer,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(CreatePlanRequest),
    summary="Create a billing plan on a vaulted account (RFC 5545 schedule)",
)
async def create(request: Request) -> Response:
    runtime = runtime_of(request)

    async def work(session: AsyncSession, merchant: Merchant, body: CreatePlanRequest) -> Response:
        plan = await service.create(session, runtime, merchant, body)
        return json_response(answers.created(plan))

    return await merchant_call(request, CreatePlanRequest, work)


@router.get(
    "/{plan_id}",
    response_model=PlanAnswer,
    responses=ERROR_RESPONSES,
    summary="Get a billing plan with its scheduled payments",
)
async def get(request: Request, plan_id: str) -> Response:
    async def work(session: AsyncSession, merchant: Merchant) -> Response:
        view = await service.get(session, merchant, plan_id)
        return json_response(answers.plan(view, merchant.mid))

    return await merchant_call_without_body(request, work)


@router.delete(
    "/{plan_id}",
    response_model=CancelPlanAnswer,
    responses=ERROR_RESPONSES,
    summary="Cancel a billing plan (its open payments are cancelled; irreversible)",
)
async def cancel(request: Request, plan_id: str) -> Response:
    runtime = runtime_of(request)

    async def work(session: AsyncSession, merchant: Merchant) -> Response:
        plan = await service.cancel(session, runtime, merchant, plan_id)
        return json_response(answers.cancelled(plan))

    return await merchant_call_without_body(request, work)
