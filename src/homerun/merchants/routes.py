"""Homerun's merchant administration: /homerun/v1/merchants."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service as api_keys
from homerun.calls import keyed, require_admin, runtime_of
from homerun.kit.web import ERROR_RESPONSES, body_schema, json_response, read_json
from homerun.merchants import repository, service
from homerun.merchants.models import Merchant
from homerun.merchants.schemas import MerchantCreate, MerchantList, MerchantOut, MerchantUpdate
from homerun.settlement import schedule

router = APIRouter(prefix="/homerun/v1", tags=["Homerun admin"])


def _out(merchant: Merchant) -> dict[str, object]:
    return MerchantOut.of(merchant).model_dump(mode="json")


@router.post(
    "/merchants",
    response_model=MerchantOut,
    status_code=201,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(MerchantCreate),
    summary="Create a merchant with a new MID",
)
async def create_merchant(request: Request) -> Response:
    require_admin(request)
    runtime = runtime_of(request)
    body = await read_json(request, MerchantCreate)

    async def work(session: AsyncSession) -> Response:
        merchant = await service.create(session, runtime, body)
        await schedule.ensure_for_merchant(session, runtime, merchant)  # its cut-off jobs
        return json_response(_out(merchant), 201)

    return await keyed(request, "admin", work)


@router.get(
    "/merchants",
    response_model=MerchantList,
    responses=ERROR_RESPONSES,
    summary="Every merchant, oldest first",
)
async def list_merchants(
    request: Request,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=2**62),
) -> Response:
    require_admin(request)
    async with runtime_of(request).db.transaction() as session:
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
async def get_merchant(request: Request, mid: str) -> Response:
    require_admin(request)
    async with runtime_of(request).db.transaction() as session:
        return json_response(_out(await service.get(session, mid)))


@router.patch(
    "/merchants/{mid}",
    response_model=MerchantOut,
    responses=ERROR_RESPONSES,
    openapi_extra=body_schema(MerchantUpdate),
    summary="Change a merchant's settings",
)
async def update_merchant(request: Request, mid: str) -> Response:
    require_admin(request)
    runtime = runtime_of(request)
    body = await read_json(request, MerchantUpdate)
    async with runtime.db.transaction() as session:
        merchant = await service.update(session, runtime, mid, body)
        await schedule.ensure_for_merchant(session, runtime, merchant)  # a new cut-off or zone
    api_keys.CACHE.clear()  # authenticated calls must see the new settings (status, rates)
    return json_response(_out(merchant))
