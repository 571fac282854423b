"""Vault payment account endpoints (/api/v1/vault_payment_accounts): thin handlers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from homerun.calls import ApiMerchant, AppRuntime, MerchantSession, Route
from homerun.kit.web import ERROR_RESPONSES, Json, json_response
from homerun.vault import answers, service
from homerun.vault.schemas import (
    AccountAnswer,
    CreateAccountAnswer,
    CreateAccountRequest,
    DeleteAccountAnswer,
    UpdateAccountAnswer,
    UpdateAccountRequest,
)

router = APIRouter(
    prefix="/api/v1/vault_payment_accounts", tags=["Payments API: vault"], route_class=Route
)

_ID_DOC = "The account's integer id, its string, or its uuid (ruling R8)"


@router.post(
    "",
    response_model=CreateAccountAnswer,
    responses=ERROR_RESPONSES,
    summary="Create a vault payment account (stores a tokenized card, charges nothing)",
)
async def create(
    merchant: ApiMerchant,
    body: Json[CreateAccountRequest],
    session: MerchantSession,
    runtime: AppRuntime,
) -> Response:
    stored = await service.create(session, runtime, merchant, body)
    return json_response(answers.created(stored, merchant.mid))


@router.get(
    "/{vault_id}",
    response_model=AccountAnswer,
    responses=ERROR_RESPONSES,
    summary="Get a vault payment account",
    description=_ID_DOC,
)
async def get(merchant: ApiMerchant, vault_id: str, session: MerchantSession) -> Response:
    stored = await service.get(session, merchant, vault_id)
    return json_response(answers.account(stored, merchant.mid))


@router.put(
    "/{vault_id}",
    response_model=UpdateAccountAnswer,
    responses=ERROR_RESPONSES,
    summary="Update a vault payment account's details (omitted fields stay as they are)",
    description=_ID_DOC,
)
async def update(
    merchant: ApiMerchant,
    vault_id: str,
    body: Json[UpdateAccountRequest],
    session: MerchantSession,
    runtime: AppRuntime,
) -> Response:
    stored = await service.update(session, runtime, merchant, vault_id, body)
    ref = service.parse_ref(vault_id)
    assert ref is not None
    return json_response(answers.updated(stored, ref, vault_id))


@router.delete(
    "/{vault_id}",
    response_model=DeleteAccountAnswer,
    responses=ERROR_RESPONSES,
    summary="Delete a vault payment account (soft delete; it can no longer be charged)",
    description=_ID_DOC,
)
async def delete(
    merchant: ApiMerchant, vault_id: str, session: MerchantSession, runtime: AppRuntime
) -> Response:
    outcome = await service.delete(session, runtime, merchant, vault_id)
    return json_response(answers.deleted(outcome.account.uuid, outcome.already))
