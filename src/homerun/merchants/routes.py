"""Homerun's merchant administration: /homerun/v1/merchants."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from homerun.calls import AdminSession, AdminToken, AppRuntime, Route
from homerun.kit.web import ERROR_RESPONSES, Json, json_response
from homerun.merchants import repository, service
from homerun.merchants.models import Merchant
from homerun.merchants.schemas import MerchantCreate, MerchantList, MerchantOut, MerchantUpdate
from homerun.settlement import schedule

router = APIRouter(
    prefix="/homerun/v1", tags=["Homerun admin"], dependencies=[AdminToken], route_class=Route
)


def _out(merchant: Merchant) -> dict[str, object]:
    return MerchantOut.of(merchant).model_dump(mode="json")


@router.post(
    "/merchants",
    response_model=MerchantOut,
    status_code=201,
    responses=ERROR_RESPONSES,
    summary="Create a merchant with a new MID",
)
async def create_merchant(
    body: Json[MerchantCreate], session: AdminSession, runtime: AppRuntime
) -> Response:
    merchant = await service.create(session, runtime, body)
    await schedule.ensure_for_merchant(session, runtime, merchant)  # its cut-off jobs
    return json_response(_out(merchant), 201)


@router.get(
    "/merchants",
    response_model=MerchantList,
    responses=ERROR_RESPONSES,
    summary="Every merchant, oldest first",
)
async def list_merchants(
    session: AdminSession,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=2**62),
) -> Response:
    page = await repository.first_page(session, limit + 1, offset)
    count = await repository.count_all(session)
    return json_response(
        {
            "items": [_out(m) for m in page[:limit]],
            "count": count,
            "limit": limit,
            "offset": offset,
            "hasMore": len(page) > limit,
        }
    )


@router.get(
    "/merchants/{mid}",
    response_model=MerchantOut,
    responses=ERROR_RESPONSES,
    summary="A merchant and its settings",
)
async def get_merchant(mid: str, session: AdminSession) -> Response:
    return json_response(_out(await service.get(session, mid)))


@router.patch(
    "/merchants/{mid}",
    response_model=MerchantOut,
    responses=ERROR_RESPONSES,
    summary="Change a merchant's settings",
)
async def update_merchant(
    mid: str, body: Json[MerchantUpdate], session: AdminSession, runtime: AppRuntime
) -> Response:
    merchant = await service.update(session, runtime, mid, body)
    await schedule.ensure_for_merchant(session, runtime, merchant)  # a new cut-off or zone
    return json_response(_out(merchant))
