"""The Payment links pages: the list, a link with its payments and its form, a new link.

A link's description and labels are the merchant's own text: Jinja2 autoescapes them, so
they show as text whatever they hold. The public URL is shown in a read-only field to
select and copy: a copy button would need a script, and the dashboard runs none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from homerun.dashboard.guard import Viewer
from homerun.dashboard.links import PAGE_SIZE, LinkPage
from homerun.dashboard.links_form import ASK, CUSTOMS, OPTION_LABELS, LinkForm
from homerun.dashboard.views import _frame, assets, money, templates, when
from homerun.hpp.models import HostedPage
from homerun.hpp.schemas import OPTION_NAMES
from homerun.hpp.state import PageStatus
from homerun.payments.models import Transaction
from homerun.people.roles import Action

HERE = "/dashboard/links"
STATUS_TABS = (("", "All"), ("active", "Active"), ("disabled", "Disabled"))


def status_of(page: HostedPage) -> tuple[str, str]:
    """(what the merchant reads, the badge's class)."""
    if page.status is PageStatus.ACTIVE:
        return "Active", "good"
    if page.disabled_reason == "paid":
        return "Used (single use)", "muted"
    return "Disabled", "muted"


def amount_of(page: HostedPage, currency: str) -> str:
    if page.lock_amount and page.amount is not None:
        return f"{money(page.amount, currency)}, fixed"
    low, high = page.min_amount, page.max_amount
    limits = ""
    if low is not None and high is not None:
        limits = f"{money(low, currency)} to {money(high, currency)}"
    elif low is not None:
        limits = f"at least {money(low, currency)}"
    elif high is not None:
        limits = f"at most {money(high, currency)}"
    if page.amount is not None:
        shown = f"{money(page.amount, currency)}, the payer may change it"
        return f"{shown} ({limits})" if limits else shown
    return f"The payer enters it ({limits})" if limits else "The payer enters it"


def description_of(page: HostedPage) -> str:
    return page.name or "Untitled link"


def _row(page: HostedPage, currency: str, url: str, zone: ZoneInfo) -> dict[str, Any]:
    status, status_class = status_of(page)
    return {
        "client_id": page.client_id,
        "href": f"{HERE}/{page.client_id}",
        "description": description_of(page),
        "amount": amount_of(page, currency),
        "status": status,
        "status_class": status_class,
        "active": page.status is PageStatus.ACTIVE,
        "payments": page.payment_count,
        "url": url,
        "created": when(page.created_at, zone),
    }


def listing(
    viewer: Viewer,
    found: LinkPage,
    urls: dict[str, str],
    zone: ZoneInfo,
    *,
    status: str,
    notice: str | None = None,
) -> str:
    currency = viewer.merchant.currency if viewer.merchant else "USD"
    query = f"status={status}&" if status else ""
    later = found.offset + PAGE_SIZE
    return templates.render(
        "links.html",
        title="Payment links",
        rows=[_row(p, currency, urls[p.client_id], zone) for p in found.rows],
        tabs=[(v, label, f"{HERE}?status={v}" if v else HERE) for v, label in STATUS_TABS],
        status=status,
        count=found.count,
        first=found.offset + 1,
        last=found.offset + len(found.rows),
        next_href=f"{HERE}?{query}offset={later}" if later < found.count else None,
        first_href=f"{HERE}?{query}".rstrip("?&") if found.offset else None,
        may_manage=viewer.may(Action.MANAGE_PAYMENT_LINKS),
        notice=notice,
        **_frame(viewer, HERE),
    )


def _options(form: LinkForm, page: HostedPage | None) -> list[dict[str, Any]]:
    """Each field a link can ask the payer for, with what the form says of it."""
    presets = {o["name"]: o for o in (page.options if page else []) if o.get("value")}
    rows = []
    for name in OPTION_NAMES:
        preset = presets.get(name)
        rows.append(
            {
                "name": name,
                "label": OPTION_LABELS[name],
                "asked": form.asked(name),
                "custom": name in CUSTOMS,
                "custom_label": form.values.get(f"label_{name}", ""),
                "preset": preset["value"] if preset else None,
                "readonly": bool(preset and preset.get("is_readonly")),
            }
        )
    return rows


def _form_context(form: LinkForm, page: HostedPage | None) -> dict[str, Any]:
    return {
        "form": form,
        "values": form.values,
        "errors": form.errors,
        "summary": form.summary,
        "options": _options(form, page),
        "ask": list(ASK.items()),
    }


def new_link(viewer: Viewer, form: LinkForm, form_key: str) -> str:
    """The new-link form; `form_key` is this rendering's one-time key (dashboard.once)."""
    return templates.render(
        "link_new.html",
        title="New payment link",
        form_key=form_key,
        **_form_context(form, None),
        **_frame(viewer, HERE),
    )


def _payment(txn: Transaction, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": str(txn.id),
        "href": f"/dashboard/payments/{txn.id}",
        "when": when(txn.created_at, zone),
        "amount": money(txn.amount_captured + txn.fee_amount, txn.currency),
        "card": f"{(txn.card_brand or 'Card').title()} ···· {txn.last_four}"
        if txn.last_four
        else "Bank account",
    }


def link(
    viewer: Viewer,
    page: HostedPage,
    paid: Sequence[Transaction],
    url: str,
    zone: ZoneInfo,
    form: LinkForm,
    *,
    notice: str | None = None,
) -> str:
    currency = viewer.merchant.currency if viewer.merchant else "USD"
    asked = [
        OPTION_LABELS[o["name"]] + (" (required)" if o["is_required"] else "") for o in page.options
    ]
    details = [
        ("Amount", amount_of(page, currency)),
        ("Single use", "Yes: it turns off once paid" if page.disable_after_payment else "No"),
        ("Payer's name", page.name_on_account or "—"),
        ("Asks for", ", ".join(asked) or "Card details only"),
        ("Payments", str(page.payment_count)),
        ("Last paid", when(page.last_paid_at, zone) if page.last_paid_at else "—"),
        ("Created", when(page.created_at, zone)),
        ("Changed", when(page.updated_at, zone)),
    ]
    status, status_class = status_of(page)
    return templates.render(
        "link.html",
        title=description_of(page),
        client_id=page.client_id,
        url=url,
        copy_script=assets.url("copy.js"),
        status=status,
        status_class=status_class,
        active=page.status is PageStatus.ACTIVE,
        details=details,
        payments=[_payment(t, zone) for t in paid],
        may_manage=viewer.may(Action.MANAGE_PAYMENT_LINKS),
        may_payments=viewer.may(Action.VIEW_PAYMENTS),
        notice=notice,
        **_form_context(form, page),
        **_frame(viewer, HERE),
    )
