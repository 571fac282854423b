"""The Customers and Billing plans pages: the vault's holders, one holder with its
accounts and plans, a plan created or cancelled.

Another merchant's customer or plan is not found (404), whatever the role; a role that
may not manage billing sees no forms, and its post is refused (403) with nothing changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.billing.models import BillingPlan
from homerun.billing.schemas import CreatePlanRequest
from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import customer_views, customers, once, plans, replies, service, views
from homerun.dashboard.access import form_viewer, page_viewer
from homerun.dashboard.customers import CustomerDetail
from homerun.dashboard.guard import Viewer
from homerun.dashboard.once import new_form_key
from homerun.dashboard.replies import Fields
from homerun.errors import Conflict, NotFound
from homerun.merchants.models import Merchant
from homerun.people.roles import Action
from homerun.runtime import Runtime

router = APIRouter(route_class=Route, include_in_schema=False)
_UUID = re.compile(r"[0-9a-fA-F-]{36}")
_DONE = {"created": "The billing plan was created.", "cancelled": "The billing plan was cancelled."}


@router.get("/dashboard/customers")
async def customer_list(request: Request, session: Session, runtime: AppRuntime) -> Response:
    allowed = await page_viewer(request, session, runtime, Action.VIEW_CUSTOMERS)
    if isinstance(allowed, Response):
        return allowed
    viewer, merchant = allowed
    zone = service.merchant_zone(merchant)
    wanted = customers.read_search(dict(request.query_params))
    if wanted.errors:
        return replies.page(customer_views.customers(viewer, wanted, None, zone), 400)
    page = await customers.find(session, merchant, wanted)
    return replies.page(customer_views.customers(viewer, wanted, page, zone))


async def _find(session: AsyncSession, merchant: Merchant, uuid: str) -> CustomerDetail | None:
    """The merchant's own customer by the wire id in the URL (anything else: None)."""
    if not _UUID.fullmatch(uuid):
        return None
    return await customers.customer(session, merchant, uuid.lower())


async def _customer_page(
    session: AsyncSession,
    viewer: Viewer,
    uuid: str,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    assert viewer.merchant is not None
    found = await _find(session, viewer.merchant, uuid)
    if found is None:
        return replies.not_found(viewer, "customer")
    zone = service.merchant_zone(viewer.merchant)
    html = customer_views.customer(
        viewer,
        found,
        zone,
        new_form_key(),
        values=values,
        errors=errors,
        notice=notice,
    )
    return replies.page(html, status)


@router.get("/dashboard/customers/{uuid}")
async def customer_page(
    request: Request, uuid: str, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    allowed = await page_viewer(request, session, runtime, Action.VIEW_CUSTOMERS)
    if isinstance(allowed, Response):
        return allowed
    return await _customer_page(session, allowed[0], uuid, notice=_DONE.get(done))


@dataclass(frozen=True, slots=True)
class _PlanForm:
    """A plan form fit to be made: who posts it, its key, what was typed, what it asks."""

    viewer: Viewer
    merchant: Merchant
    key: str
    values: dict[str, str]
    wanted: CreatePlanRequest


async def _plan_form(
    request: Request, runtime: Runtime, uuid: str, fields: dict[str, str]
) -> _PlanForm | Response:
    """Who posts, and their form: the customer their own merchant's, the form sound."""
    async with runtime.db.transaction() as session:
        allowed = await form_viewer(request, session, runtime, fields, Action.MANAGE_BILLING)
        if isinstance(allowed, Response):
            return allowed
        viewer, merchant = allowed
        # The customer is found first: another merchant's is a 404 whatever the form says.
        found = await _find(session, merchant, uuid)
        if found is None:
            return replies.not_found(viewer, "customer")
        values = {name: fields.get(name, "")[:2100] for name in plans.FORM_FIELDS}
        key = once.posted_key(fields)
        status, errors = 422, {"form": once.sentence(once.EXPIRED)}
        if key is not None:
            status = 400
            if values["account"] not in {a.uuid for a in found.customer.accounts}:
                errors = {"account": "Choose one of this customer's accounts."}
            else:
                wanted, errors = plans.read_form(fields, merchant, service.merchant_zone(merchant))
                if wanted is not None:
                    return _PlanForm(viewer, merchant, key, values, wanted)
        return await _customer_page(
            session, viewer, uuid, status=status, values=values, errors=errors
        )


@router.post("/dashboard/customers/{uuid}/plans")
async def create_plan(request: Request, uuid: str, fields: Fields, runtime: AppRuntime) -> Response:
    """Its steps each in a unit of work of their own, never one inside another (the form's
    check, its key's claim, the plan with its kept answer), as the terminal's charge."""
    form = await _plan_form(request, runtime, uuid, fields)
    if isinstance(form, Response):
        return form
    actor, merchant, wanted = replies.actor(request, form.viewer), form.merchant, form.wanted
    path = f"/dashboard/customers/{uuid.lower()}"

    async def make(session: AsyncSession) -> once.Made[BillingPlan] | dict[str, str]:
        made = await plans.create(session, runtime, actor, merchant, wanted)
        if isinstance(made, dict):
            return made
        return once.Made(once.Done(f"{path}?done=created"), made)

    body = await request.body()
    posted = await once.post(runtime, form.viewer.user.id, form.key, f"{path}/plans", body, make)
    if isinstance(posted, once.Done):
        return replies.redirect(posted.location)
    if isinstance(posted, once.Busy | once.Reused):
        text = once.conflict(posted, "plan", "Billing plans")
        status, errors = 409, {"form": once.sentence(text)}
    else:
        status, errors = 400, posted
    async with runtime.db.transaction() as session:
        return await _customer_page(
            session, form.viewer, uuid, status=status, values=form.values, errors=errors
        )


@router.get("/dashboard/plans")
async def plan_list(
    request: Request, session: Session, runtime: AppRuntime, before: str = "", done: str = ""
) -> Response:
    allowed = await page_viewer(request, session, runtime, Action.VIEW_CUSTOMERS)
    if isinstance(allowed, Response):
        return allowed
    viewer, merchant = allowed
    cursor = None
    if before:
        if not (before.isascii() and before.isdigit()) or len(before) > 18:
            html = views.message(viewer, "Not a page", "This page link is not valid. Start over.")
            return replies.page(html, 400)
        cursor = int(before)
    page = await customers.recent_plans(session, merchant, cursor)
    zone = service.merchant_zone(merchant)
    html = customer_views.plans(
        viewer, page, zone, first=cursor is not None, notice=_DONE.get(done)
    )
    return replies.page(html)


@router.post("/dashboard/plans/{plan_id}/cancel")
async def cancel_plan(
    request: Request, plan_id: str, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    allowed = await form_viewer(request, session, runtime, fields, Action.MANAGE_BILLING)
    if isinstance(allowed, Response):
        return allowed
    viewer, merchant = allowed
    if not (plan_id.isascii() and plan_id.isdigit()) or len(plan_id) > 18:
        return replies.not_found(viewer, "billing plan")
    try:
        plan = await plans.cancel(
            session, runtime, replies.actor(request, viewer), merchant, int(plan_id)
        )
    except NotFound:
        plan = None
    except Conflict as refused:
        text = f"Not done: {refused.message}."
        return replies.page(views.message(viewer, "Plan not cancelled", text), 409)
    if plan is None:
        return replies.not_found(viewer, "billing plan")
    if fields.get("back") == "plans":
        return replies.redirect("/dashboard/plans?done=cancelled")
    lines = await customers.plan_lines(session, merchant, [plan])
    holder = lines[0].holder_uuid if lines else None
    return replies.redirect(
        f"/dashboard/customers/{holder}?done=cancelled" if holder else "/dashboard/plans"
    )
