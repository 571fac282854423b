"""Vault payment account endpoints (/api/v1/vault_payment_accounts): thin handlers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import merchant_call, merchant_call_without_body, runtime_of
from homerun.kit.web import ERROR_RESPONSES, body_schema, json_response
from homerun.merchants.models import Merchant
from homerun.vault import answers, service
from homerun.vault.schemas import (
    AccountAnswer,
    CreateAccountAnswer,
    CreateAccountRequest,
    DeleteAccountAnswer,
    UpdateAccountAnswer,
    UpdateAccountRequest,
)

router = APIRouter(prefix="/api/v1/vault_payment_accounts", tags=["Payments API: vault"])

_ID_DOC = "The account's integer id, its string, or its uuid (ruling R8)"


@router.post(
    "",
    response_model=CreateAccountAnswer,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(CreateAccountRequest),
    summary="Create a vault payment account (stores a tokenized card, charges nothing)",
)
async def create(request: Request) -> Response:
    runtime = runtime_of(request)

    async def work(
        session: AsyncSession, merchant: Merchant, body: CreateAccountRequest
    ) -> Response:
        stored = await service.create(session, runtime, merchant, body)
        return json_response(answers.created(stored, merchant.mid))

    return await merchant_call(request, CreateAccountRequest, work)


@router.get(
    "/{vault_id}",
    response_model=AccountAnswer,
    responses=ERROR_RESPONSES,
    summary="Get a vault payment account",
    description=_ID_DOC,
)
async def get(request: Request, vault_id: str) -> Response:
    async def work(session: AsyncSession, merchant: Merchant) -> Response:
        stored = await service.get(session, merchant, vault_id)
        return json_response(answers.account(stored, merchant.mid))

    return await merchant_call_without_body(request, work)


@router.put(
    "/{vault_id}",
    response_model=UpdateAccountAnswer,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(UpdateAccountRequest),
    summary="Update a vault payment account's details (omitted fields stay as they are)",
    description=_ID_DOC,
)
async def update(request: Request, vault_id: str) -> Response:
    runtime = runtime_of(request)

    async def work(
        session: AsyncSession, merchant: Merchant, body: UpdateAccountRequest
    ) -> Response:
        stored = await service.update(session, runtime, merchant, vault_id, body)
        ref = service.parse_ref(vault_id)
        assert ref is not None
        return json_response(answers.updated(stored, ref, vault_id))

    return await merchant_call(request, UpdateAccountRequest, work)


@router.delete(
    "/{vault_id}",
    response_model=DeleteAccountAnswer,
    responses=ERROR_RESPONSES,
    summary="Delete a vault payment account (soft delete; it can no longer be charged)",
    description=_ID_DOC,
)
async def delete(request: Request, vault_id: str) -> Response:
    runtime = runtime_of(request)

    async def work(session: AsyncSession, merchant: Merchant) -> Response:
        outcome = await service.delete(session, runtime, merchant, vault_id)
        return json_response(answers.deleted(outcome.account.uuid, outcome.already))

    return await merchant_call_without_body(request, work)
