"""The dashboard's pages: template contexts built from service results, then rendered.

Jinja2 autoescapes everything: a merchant's or a shopper's text (a name, an order id, a
custom field) is always shown as text. No page carries an inline script or style.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from homerun.audit.models import AuditEvent
from homerun.dashboard.filters import STATUS_CHOICES, STATUS_LABELS, Filters, cursor_text
from homerun.dashboard.guard import Viewer
from homerun.dashboard.service import Page, Payment, version
from homerun.kit.money import to_dollars
from homerun.kit.pages import Assets, Templates
from homerun.payments.lookup import Figures
from homerun.payments.models import Transaction
from homerun.payments.state import Kind, State
from homerun.people.roles import ROLE_NAMES, Action

templates = Templates("homerun.dashboard")
assets = Assets("homerun.dashboard", "/dashboard/assets")


def money(minor: int, currency: str = "USD") -> str:
    sign = "-" if minor < 0 else ""
    text = to_dollars(abs(minor))
    whole, _, cents = text.partition(".")
    grouped = f"{int(whole):,}.{cents}"
    return f"{sign}${grouped}" if currency == "USD" else f"{sign}{grouped} {currency}"


def when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d %b %Y, %H:%M")


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


def _nav(viewer: Viewer, here: str) -> list[NavItem]:
    items: list[tuple[str, str, Action | None]] = [
        ("Home", "/dashboard", None),
        ("Payments", "/dashboard/payments", Action.VIEW_PAYMENTS),
        ("Applications", "/dashboard/applications", Action.VIEW_BOARDING),
        ("Instance", "/dashboard/instance", Action.VIEW_INSTANCE),
        ("Clock", "/dashboard/clock", Action.MOVE_CLOCK),
        ("Payment tools", "/dashboard/payment-tools", Action.OPEN_CHARGEBACK),
        ("Audit log", "/dashboard/audit", Action.VIEW_AUDIT),
    ]
    return [
        NavItem(label, href, href == here)
        for label, href, action in items
        if action is None or viewer.may(action)
    ]


def _frame(viewer: Viewer | None, here: str = "") -> dict[str, Any]:
    context: dict[str, Any] = {"css_url": assets.url("dashboard.css"), "viewer": None}
    if viewer is not None:
        context.update(
            viewer=viewer,
            nav=_nav(viewer, here),
            csrf=viewer.csrf,
            tenant_name=viewer.tenant_name,
            role_name=ROLE_NAMES[viewer.user.role],
        )
    return context


# ---------------------------------------------------------------- signing in


def sign_in(
    csrf: str, *, email: str = "", error: str | None = None, notice: str | None = None
) -> str:
    return templates.render(
        "sign_in.html",
        title="Sign in",
        csrf=csrf,
        email=email,
        error=error,
        notice=notice,
        **_frame(None),
    )


def code_step(csrf: str, *, error: str | None = None) -> str:
    return templates.render(
        "code.html",
        title="Enter your code",
        step_csrf=csrf,
        error=error,
        **_frame(None),
    )


def welcome(token: str, email: str, *, reset: bool, csrf: str, error: str | None = None) -> str:
    return templates.render(
        "welcome.html",
        title="Choose a new password" if reset else "Set your password",
        token=token,
        email=email,
        reset=reset,
        csrf=csrf,
        error=error,
        **_frame(None),
    )


def message(viewer: Viewer | None, title: str, text: str) -> str:
    return templates.render("message.html", title=title, text=text, **_frame(viewer))


# ---------------------------------------------------------------- merchant pages


def home(viewer: Viewer, figures: Figures | None, currency: str) -> str:
    tiles: list[tuple[str, str, str]] = []
    if figures is not None:
        rate = (
            f"{figures.month_count * 100 / figures.month_answered:.1f}%"
            if figures.month_answered
            else "No payments yet"
        )
        tiles = [
            ("Today", money(figures.today_volume, currency), _count(figures.today_count)),
            ("This month", money(figures.month_volume, currency), _count(figures.month_count)),
            (
                "Approval rate this month",
                rate,
                f"{figures.month_count} of {figures.month_answered} approved",
            ),
            (
                "Refunds this month",
                money(figures.month_refunds, currency),
                _count(figures.month_refund_count, "refund"),
            ),
        ]
    return templates.render("home.html", title="Home", tiles=tiles, **_frame(viewer, "/dashboard"))


def _count(n: int, noun: str = "payment") -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _row(txn: Transaction, zone: ZoneInfo) -> dict[str, Any]:
    amount = txn.amount_captured or txn.amount_authorized or txn.amount_requested
    return {
        "id": str(txn.id),
        "href": f"/dashboard/payments/{txn.id}",
        "when": when(txn.created_at, zone),
        "amount": money(-amount if txn.kind is Kind.REFUND else amount, txn.currency),
        "kind": "Refund" if txn.kind is Kind.REFUND else txn.kind.value.title(),
        "status": STATUS_LABELS.get(txn.state, txn.state.value),
        "status_class": _status_class(txn.state),
        "card": f"{(txn.card_brand or 'Card').title()} ···· {txn.last_four}"
        if txn.last_four
        else "—",
        "order_id": txn.order_id,
    }


def _status_class(state: State) -> str:
    if state in (State.DECLINED, State.UNKNOWN, State.EXPIRED):
        return "bad"
    if state in (State.VOIDED, State.REFUNDED, State.PARTIALLY_REFUNDED):
        return "muted"
    return "good"


def payments(viewer: Viewer, filters: Filters, page: Page | None, zone: ZoneInfo) -> str:
    rows = [_row(txn, zone) for txn in page.rows] if page else []
    next_href = None
    if page is not None and page.next_before is not None:
        next_href = "/dashboard/payments?" + urlencode(filters.query(cursor_text(page.next_before)))
    return templates.render(
        "payments.html",
        title="Payments",
        filters=filters,
        statuses=[(s.value, label) for s, label in STATUS_CHOICES],
        rows=rows,
        next_href=next_href,
        first_href="/dashboard/payments?" + urlencode(filters.query()) if filters.before else None,
        **_frame(viewer, "/dashboard/payments"),
    )


@dataclass(frozen=True)
class ActionForm:
    action: str  # void | refund
    label: str
    max_amount: str  # what is left, in dollars


def _actions(viewer: Viewer, txn: Transaction) -> list[ActionForm]:
    if not viewer.may(Action.REFUND) or txn.kind is Kind.REFUND:
        return []
    if txn.state in (State.AUTHORIZED, State.CAPTURED):
        left = txn.amount_captured if txn.state is State.CAPTURED else txn.amount_authorized
        return [ActionForm("void", "Void payment", to_dollars(left))]
    if txn.state in (State.SETTLED, State.PARTIALLY_REFUNDED):
        return [
            ActionForm("refund", "Refund", to_dollars(txn.amount_captured - txn.amount_refunded))
        ]
    return []


def payment(
    viewer: Viewer,
    found: Payment,
    zone: ZoneInfo,
    *,
    notice: str | None = None,
    error: str | None = None,
    amount: str = "",
) -> str:
    txn = found.txn
    holder = {k: str(v) for k, v in (txn.holder or {}).items() if v not in (None, "")}
    custom = {k: str(v) for k, v in sorted((txn.custom or {}).items()) if v not in (None, "")}
    details = [
        ("Status", STATUS_LABELS.get(txn.state, txn.state.value)),
        ("Kind", "Refund" if txn.kind is Kind.REFUND else txn.kind.value.title()),
        ("Amount authorized", money(txn.amount_authorized, txn.currency)),
        ("Amount captured", money(txn.amount_captured, txn.currency)),
        ("Refunded", money(txn.amount_refunded, txn.currency)),
        ("Surcharge", money(txn.fee_amount, txn.currency)),
        ("Card", _row(txn, zone)["card"]),
        ("Order ID", txn.order_id),
        ("Invoice ID", txn.invoice_id or "—"),
        ("Response", f"{txn.resp_code} {txn.resp_text}"),
        ("Authorization code", txn.auth_code or "—"),
        ("Created", when(txn.created_at, zone)),
        ("Batch", txn.batch_id or "Not yet settled"),
    ]
    return templates.render(
        "payment.html",
        title=f"Payment {txn.id}",
        txn_id=str(txn.id),
        headline=_row(txn, zone),
        details=details,
        holder=sorted(holder.items()),
        custom=list(custom.items()),
        refunds=[_row(r, zone) for r in found.refunds],
        parent=_row(found.parent, zone) if found.parent else None,
        actions=_actions(viewer, txn),
        seen=version(txn),
        notice=notice,
        error=error,
        amount=amount,
        **_frame(viewer, "/dashboard/payments"),
    )


def audit(viewer: Viewer, events: list[AuditEvent], zone: ZoneInfo) -> str:
    rows = [
        {
            "when": when(e.at, zone),
            "actor": e.actor,
            "action": e.action.replace("_", " "),
            "ip": e.ip or "—",
            "detail": ", ".join(f"{k}: {v}" for k, v in sorted(e.detail.items())),
        }
        for e in events
    ]
    return templates.render(
        "audit.html", title="Audit log", rows=rows, **_frame(viewer, "/dashboard/audit")
    )
