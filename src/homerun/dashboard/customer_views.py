"""The Customers and Billing plans pages.

A holder's name, nickname, e-mail and a plan's name and description are the merchant's
(or its customer's) text: Jinja2 escapes them, so they always show as text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from homerun.billing.state import PlanStatus
from homerun.dashboard.customers import (
    Customer,
    CustomerDetail,
    CustomerPage,
    PlanLine,
    PlanPage,
    Search,
)
from homerun.dashboard.guard import Viewer
from homerun.dashboard.views import _frame, money, templates, when
from homerun.people.roles import Action
from homerun.vault.models import PaymentAccount

CUSTOMERS = "/dashboard/customers"
PLANS = "/dashboard/plans"
_BANK_KINDS = {3: "Checking", 4: "Savings"}
_PLAN_STATUS = {
    PlanStatus.ACTIVE: ("Active", "good"),
    PlanStatus.COMPLETED: ("Completed", "muted"),
    PlanStatus.CANCELLED: ("Cancelled", "muted"),
    PlanStatus.STOPPED: ("Stopped", "bad"),
}


def masked(account: PaymentAccount) -> str:
    if account.ach_token_id is not None:
        return f"{_BANK_KINDS.get(account.account_type, 'Bank account')} ···· {account.last_four}"
    return f"{account.brand.title()} ···· {account.last_four}"


def _name(customer: Customer) -> str:
    names = [a.name for a in customer.accounts if a.name]
    return names[-1] if names else "No name given"


def _account(account: PaymentAccount) -> dict[str, Any]:
    expiry = account.expiry
    return {
        "uuid": account.uuid,
        "masked": masked(account),
        "kind": "Bank account" if account.ach_token_id is not None else "Card",
        "expires": f"{expiry[:2]}/{expiry[2:]}" if expiry else "—",
        "name": account.name or "—",
        "nickname": account.nickname or "",
        "email": account.email or "—",
        "default": account.is_default,
        "removed": account.is_deleted,
        "recurring": account.cof_permission and not account.is_deleted,
    }


def customers(viewer: Viewer, wanted: Search, page: CustomerPage | None, zone: ZoneInfo) -> str:
    rows = [
        {
            "href": f"{CUSTOMERS}/{c.holder.uuid}",
            "name": _name(c),
            "accounts": [masked(a) for a in c.accounts if not a.is_deleted],
            "since": when(c.holder.created_at, zone),
        }
        for c in (page.rows if page else [])
    ]
    query = {k: v for k, v in (("name", wanted.name), ("last_four", wanted.last_four)) if v}
    next_href = None
    if page is not None and page.next_before is not None:
        next_href = f"{CUSTOMERS}?" + urlencode({**query, "before": str(page.next_before)})
    return templates.render(
        "customers.html",
        title="Customers",
        wanted=wanted,
        rows=rows,
        next_href=next_href,
        first_href=f"{CUSTOMERS}?" + urlencode(query) if wanted.before else None,
        **_frame(viewer, CUSTOMERS),
    )


def plan_row(line: PlanLine, zone: ZoneInfo, may_cancel: bool) -> dict[str, Any]:
    plan = line.plan
    label, css = _PLAN_STATUS[plan.status]
    return {
        "id": plan.id,
        "name": plan.name,
        "description": plan.description or "",
        "amount": money(plan.amount, plan.currency),
        "rule": plan.rrule_pattern,
        "status": label,
        "status_class": css,
        "reason": plan.status_reason or "",
        "next_run": when(line.next_run, zone) if line.next_run else "—",
        "account": masked(line.account) if line.account else "—",
        "customer_href": f"{CUSTOMERS}/{line.holder_uuid}" if line.holder_uuid else None,
        "cancel": may_cancel and plan.status is PlanStatus.ACTIVE,
    }


def customer(
    viewer: Viewer,
    found: CustomerDetail,
    zone: ZoneInfo,
    form_key: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> str:
    c = found.customer
    accounts = [_account(a) for a in c.accounts]
    may_manage = viewer.may(Action.MANAGE_BILLING)
    return templates.render(
        "customer.html",
        title=_name(c),
        holder_name=_name(c),
        uuid=c.holder.uuid,
        since=when(c.holder.created_at, zone),
        accounts=accounts,
        plans=[plan_row(p, zone, may_manage) for p in found.plans],
        may_manage=may_manage,
        chargeable=[a for a in accounts if a["recurring"]],
        form_key=form_key,
        values=values or {},
        errors=errors or {},
        error=(errors or {}).get("form"),
        notice=notice,
        zone=zone.key,
        **_frame(viewer, CUSTOMERS),
    )


def plans(
    viewer: Viewer, page: PlanPage, zone: ZoneInfo, *, first: bool, notice: str | None = None
) -> str:
    may_cancel = viewer.may(Action.MANAGE_BILLING)
    return templates.render(
        "plans.html",
        title="Billing plans",
        plans=[plan_row(p, zone, may_cancel) for p in page.rows],
        next_href=f"{PLANS}?before={page.next_before}" if page.next_before else None,
        first_href=PLANS if first else None,
        notice=notice,
        **_frame(viewer, PLANS),
    )
