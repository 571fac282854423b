"""Hosted payment pages over HTTP.

- Payments API (Run's): POST /api/v1/hpp, PUT /api/v1/hpp/{hpp_client_id}
- The shopper's page (Run's path): GET and POST /payment?client_id=...
- Homerun's own: list, show, disable and enable pages under /homerun/v1, either with
  the merchant's api_key or with the admin token under /homerun/v1/merchants/{mid}.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import (
    AdminSession,
    ApiMerchant,
    AppRuntime,
    MerchantSession,
    MidMerchant,
    Route,
    Session,
)
from homerun.errors import UnsupportedMediaType, ValidationFailed
from homerun.hpp import service, views
from homerun.hpp.models import HostedPage
from homerun.hpp.schemas import (
    HppAnswer,
    HppCreate,
    HppDetail,
    HppEdit,
    HppList,
    HppOut,
    HppPaymentOut,
    read_payment_form,
)
from homerun.kit.pages import html_response
from homerun.kit.web import ERROR_RESPONSES, Json, json_response, refuse_nul
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime

router = APIRouter(route_class=Route)


def _answer(runtime: Runtime, page: HostedPage, message: str) -> dict[str, Any]:
    return HppAnswer(
        success=True,
        message=message,
        url=service.page_url(runtime.settings, page.client_id),
        client_id=page.client_id,
    ).model_dump()


# ---------------------------------------------------------------- Payments API


@router.post(
    "/api/v1/hpp",
    tags=["Payments API"],
    response_model=HppAnswer,
    responses=ERROR_RESPONSES,
    summary="Create a hosted payment page",
)
async def create_hpp(
    merchant: ApiMerchant, body: Json[HppCreate], session: MerchantSession, runtime: AppRuntime
) -> Response:
    page = await service.create(session, runtime, merchant, body)
    return json_response(_answer(runtime, page, "HPP created successfully"))


@router.put(
    "/api/v1/hpp/{hpp_client_id}",
    tags=["Payments API"],
    response_model=HppAnswer,
    responses=ERROR_RESPONSES,
    summary="Edit a hosted payment page (only the fields sent change; cc_mid never does)",
)
async def edit_hpp(
    merchant: ApiMerchant,
    hpp_client_id: str,
    body: Json[HppEdit],
    session: MerchantSession,
    runtime: AppRuntime,
) -> Response:
    page = await service.edit(session, runtime, merchant, hpp_client_id, body)
    return json_response(_answer(runtime, page, "HPP updated successfully"))


# ---------------------------------------------------------------- Homerun's own
# Each view is served twice: to the merchant's api_key under /homerun/v1/hpp, and to the
# admin token under /homerun/v1/merchants/{mid}/hpp; the registrations below pair them.


def _out(runtime: Runtime, page: HostedPage, mid: str) -> HppOut:
    return HppOut.of(page, mid, service.page_url(runtime.settings, page.client_id))


async def _list(
    runtime: Runtime,
    session: AsyncSession,
    merchant: Merchant,
    status: str | None,
    limit: int,
    offset: int,
) -> Response:
    pages, count = await service.list_pages(
        session, merchant, status=status, limit=limit, offset=offset
    )
    body = HppList(
        items=[_out(runtime, page, merchant.mid) for page in pages],
        count=count,
        limit=limit,
        offset=offset,
        has_more=offset + len(pages) < count,
    )
    return json_response(body.model_dump(mode="json"))


async def _show(
    runtime: Runtime, session: AsyncSession, merchant: Merchant, client_id: str
) -> Response:
    page, paid = await service.get_page(session, merchant, client_id)
    detail = HppDetail(
        **_out(runtime, page, merchant.mid).model_dump(),
        payments=[HppPaymentOut.of(txn) for txn in paid],
    )
    return json_response(detail.model_dump(mode="json"))


async def _set_active(
    runtime: Runtime, session: AsyncSession, merchant: Merchant, client_id: str, active: bool
) -> Response:
    page = await service.set_active(session, runtime, merchant, client_id, active)
    return json_response(_out(runtime, page, merchant.mid).model_dump(mode="json"))


Status = Annotated[str | None, Query(pattern="^(active|disabled)$")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=2**62)]  # beyond: a 400, not the database's 500
_OWN: list[str | Enum] = ["Homerun hosted pages"]
_ADMIN: list[str | Enum] = ["Homerun admin"]


@router.get(
    "/homerun/v1/hpp",
    response_model=HppList,
    summary="The caller's hosted pages",
    tags=_OWN,
    responses=ERROR_RESPONSES,
)
async def list_own(
    merchant: ApiMerchant,
    session: MerchantSession,
    runtime: AppRuntime,
    status: Status = None,
    limit: Limit = 25,
    offset: Offset = 0,
) -> Response:
    return await _list(runtime, session, merchant, status, limit, offset)


@router.get(
    "/homerun/v1/hpp/{client_id}",
    response_model=HppDetail,
    summary="One of the caller's hosted pages, with its payments",
    tags=_OWN,
    responses=ERROR_RESPONSES,
)
async def show_own(
    merchant: ApiMerchant, client_id: str, session: MerchantSession, runtime: AppRuntime
) -> Response:
    return await _show(runtime, session, merchant, client_id)


@router.get(
    "/homerun/v1/merchants/{mid}/hpp",
    response_model=HppList,
    summary="A merchant's hosted pages",
    tags=_ADMIN,
    responses=ERROR_RESPONSES,
)
async def list_admin(
    merchant: MidMerchant,
    session: AdminSession,
    runtime: AppRuntime,
    status: Status = None,
    limit: Limit = 25,
    offset: Offset = 0,
) -> Response:
    return await _list(runtime, session, merchant, status, limit, offset)


@router.get(
    "/homerun/v1/merchants/{mid}/hpp/{client_id}",
    response_model=HppDetail,
    summary="A merchant's hosted page, with its payments",
    tags=_ADMIN,
    responses=ERROR_RESPONSES,
)
async def show_admin(
    merchant: MidMerchant, client_id: str, session: AdminSession, runtime: AppRuntime
) -> Response:
    return await _show(runtime, session, merchant, client_id)


def _register_switch(action: str, active: bool, summary: str, admin_summary: str) -> None:
    async def own(
        merchant: ApiMerchant, client_id: str, session: MerchantSession, runtime: AppRuntime
    ) -> Response:
        return await _set_active(runtime, session, merchant, client_id, active)

    async def admin(
        merchant: MidMerchant, client_id: str, session: AdminSession, runtime: AppRuntime
    ) -> Response:
        return await _set_active(runtime, session, merchant, client_id, active)

    for path, endpoint, text, tags, name in (
        (f"/homerun/v1/hpp/{{client_id}}/{action}", own, summary, _OWN, f"{action}_own"),
        (
            f"/homerun/v1/merchants/{{mid}}/hpp/{{client_id}}/{action}",
            admin,
            admin_summary,
            _ADMIN,
            f"{action}_admin",
        ),
    ):
        router.add_api_route(
            path,
            endpoint,
            methods=["POST"],
            response_model=HppOut,
            summary=text,
            tags=tags,
            responses=ERROR_RESPONSES,
            name=name,
        )


_register_switch("disable", False, "Turn a page off", "Turn a merchant's page off")
_register_switch("enable", True, "Turn a page back on", "Turn a merchant's page back on")


# ---------------------------------------------------------------- the shopper's page


def _html(*answers: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": text}
        for status, text in answers
    }


def _today(runtime: Runtime) -> str:
    return runtime.clock.now().strftime("%Y-%m")


@router.get(
    "/payment",
    tags=["Hosted payment page"],
    response_class=Response,
    responses=_html(
        (200, "The payment page"),
        (403, "The merchant is not accepting payments"),
        (404, "No such payment link"),
        (410, "The link is turned off or its single use is spent"),
    ),
    summary="The hosted payment page a link opens",
)
async def payment_page(
    session: Session, runtime: AppRuntime, client_id: str | None = None
) -> Response:
    opened = await service.open_page(session, client_id)
    if isinstance(opened, service.Unavailable):
        status, html = views.unavailable(opened)
        return html_response(html, status)
    html = views.payment_form(
        opened.page, opened.merchant, attempt=service.new_attempt(), today=_today(runtime)
    )
    return html_response(html)


async def _form_fields(request: Request) -> dict[str, str]:
    """The shopper's form, read before the unit of work begins (a slow body holds nothing)."""
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media not in ("application/x-www-form-urlencoded", ""):
        raise UnsupportedMediaType("the payment form is sent as application/x-www-form-urlencoded")
    raw = (await request.body()).decode("utf-8", errors="replace")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, max_num_fields=64)
    except ValueError:
        raise ValidationFailed("the payment form has too many fields") from None
    refuse_nul(pairs, "form")
    return dict(pairs)


@router.post(
    "/payment",
    tags=["Hosted payment page"],
    response_class=Response,
    responses={
        **_html(
            (200, "The receipt, or the form again with the decline"),
            (403, "The merchant is not accepting payments"),
            (404, "No such payment link"),
            (410, "The link is turned off or its single use is spent"),
            (422, "The form again, with what to correct"),
        ),
        400: ERROR_RESPONSES[400],
        413: ERROR_RESPONSES[413],
        415: ERROR_RESPONSES[415],
    },
    summary="Pay on a hosted payment page (the page's form posts here)",
)
async def pay(
    fields: Annotated[dict[str, str], Depends(_form_fields)],
    session: Session,
    runtime: AppRuntime,
    client_id: str | None = None,
) -> Response:
    form = read_payment_form(fields)
    outcome = await service.pay(session, runtime, client_id or fields.get("client_id"), form)
    if isinstance(outcome, service.Unavailable):
        status, html = views.unavailable(outcome)
        return html_response(html, status)
    if isinstance(outcome, service.Paid):
        return html_response(views.receipt(outcome.page, outcome.merchant, outcome.txn))
    attempt = service.new_attempt()
    if isinstance(outcome, service.Declined):
        html = views.payment_form(
            outcome.page,
            outcome.merchant,
            attempt=attempt,
            typed=form,
            decline=outcome.txn,
            today=_today(runtime),
        )
        return html_response(html)
    html = views.payment_form(
        outcome.page,
        outcome.merchant,
        attempt=attempt,
        typed=form,
        errors=outcome.errors,
        today=_today(runtime),
    )
    return html_response(html, 422)


@router.get("/homerun/v1/hpp/assets/{name}", include_in_schema=False)
async def hpp_asset(request: Request, name: str) -> Response:
    return views.assets.response(request, name)
