"""The Deposits pages: the merchant's deposits, newest first, and one deposit's contents.

Read only. Another merchant's deposit is not found (404), whatever the role.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import deposits, replies, service, views
from homerun.people.roles import Action

router = APIRouter(route_class=Route, include_in_schema=False)
_FUNDING_ID = re.compile(r"F[0-9]{1,15}")


@router.get("/dashboard/deposits")
async def deposit_list(
    request: Request, session: Session, runtime: AppRuntime, before: str = ""
) -> Response:
    viewer = await replies.signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    merchant = viewer.merchant
    if merchant is None or not viewer.may(Action.VIEW_DEPOSITS):
        return replies.forbidden(viewer)
    cursor = None
    if before:
        if not before.isdigit() or len(before) > 18:
            html = views.message(viewer, "Not a page", "This page link is not valid. Start over.")
            return replies.page(html, 400)
        cursor = int(before)
    page = await deposits.recent(session, merchant, cursor)
    zone = service.merchant_zone(merchant)
    return replies.page(views.deposits(viewer, page, zone, first=cursor is not None))


@router.get("/dashboard/deposits/{funding_master_id}")
async def deposit_page(
    request: Request, funding_master_id: str, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await replies.signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    merchant = viewer.merchant
    if merchant is None or not viewer.may(Action.VIEW_DEPOSITS):
        return replies.forbidden(viewer)
    found = None
    if _FUNDING_ID.fullmatch(funding_master_id):
        found = await deposits.detail(session, merchant, funding_master_id)
    if found is None:
        return replies.not_found(viewer, "deposit")
    return replies.page(views.deposit(viewer, found, service.merchant_zone(merchant)))
