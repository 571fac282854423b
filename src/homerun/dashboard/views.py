"""The dashboard's pages: template contexts built from service results, then rendered.

Jinja2 autoescapes everything: a merchant's or a shopper's text (a name, an order id, a
custom field) is always shown as text. No page carries an inline script or style.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from homerun.audit.models import AuditEvent
from homerun.auth.service import IssuedCredentials
from homerun.dashboard.deposits import DepositDetail, DepositPage
from homerun.dashboard.developers import Overview
from homerun.dashboard.filters import STATUS_CHOICES, STATUS_LABELS, Filters, cursor_text
from homerun.dashboard.guard import Viewer
from homerun.dashboard.service import Page, Payment, version
from homerun.kit.money import to_dollars
from homerun.kit.pages import Assets, Templates
from homerun.payments.lookup import Figures
from homerun.payments.models import Transaction
from homerun.payments.state import Kind, State
from homerun.people.roles import ROLE_NAMES, Action
from homerun.webhooks.models import WebhookDelivery

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
        ("Terminal", "/dashboard/terminal", Action.CHARGE),
        ("Deposits", "/dashboard/deposits", Action.VIEW_DEPOSITS),
        ("Chargebacks", "/dashboard/chargebacks", Action.VIEW_CHARGEBACKS),
        ("Customers", "/dashboard/customers", Action.VIEW_CUSTOMERS),
        ("Billing plans", "/dashboard/plans", Action.VIEW_CUSTOMERS),
        ("Payment links", "/dashboard/links", Action.VIEW_PAYMENT_LINKS),
        ("Developers", "/dashboard/developers", Action.MANAGE_CREDENTIALS),
        ("Applications", "/dashboard/applications", Action.VIEW_BOARDING),
        ("Instance", "/dashboard/instance", Action.VIEW_INSTANCE),
        ("Clock", "/dashboard/clock", Action.MOVE_CLOCK),
        ("Payment tools", "/dashboard/payment-tools", Action.OPEN_CHARGEBACK),
        ("Audit log", "/dashboard/audit", Action.VIEW_AUDIT),
        ("Team", "/dashboard/team", Action.MANAGE_USERS),
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


def home(
    viewer: Viewer,
    figures: Figures | None,
    currency: str,
    drawn: dict[str, Any] | None = None,
) -> str:
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
    return templates.render(
        "home.html", title="Home", tiles=tiles, charts=drawn, **_frame(viewer, "/dashboard")
    )


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


def _with_query(path: str, values: dict[str, str]) -> str:
    return f"{path}?{urlencode(values)}" if values else path


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
        export_href=_with_query("/dashboard/payments.csv", filters.query()) if rows else None,
        **_frame(viewer, "/dashboard/payments"),
    )


@dataclass(frozen=True)
class ActionForm:
    action: str  # capture | void | refund
    label: str
    max_amount: str  # what is left, in dollars


def _actions(viewer: Viewer, txn: Transaction) -> list[ActionForm]:
    if not viewer.may(Action.REFUND) or txn.kind is Kind.REFUND:
        return []
    if txn.state is State.AUTHORIZED:
        authorized = to_dollars(txn.amount_authorized)
        return [
            ActionForm("capture", "Capture", authorized),
            ActionForm("void", "Void payment", authorized),
        ]
    if txn.state is State.CAPTURED:
        return [ActionForm("void", "Void payment", to_dollars(txn.amount_captured))]
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
        timeline=[
            {"when": when(e.at, zone), "title": e.title, "detail": e.detail, "tone": e.tone}
            for e in found.timeline
        ],
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


# ---------------------------------------------------------------- developers


@dataclass(frozen=True)
class Issued:
    """Secrets just made: shown on the answer to the POST that made them, and never again."""

    credentials: IssuedCredentials
    rolled: bool


_RUNNER_VERSION = "1.5.5"


def runner_snippet(base_url: str, public_key: str) -> str:
    """A checkout page's few lines to draw the card fields with the merchant's public key."""
    return (
        f'<script src="{base_url}/javascripts/{_RUNNER_VERSION}/runner.js"></script>\n'
        '<div id="run-form"></div>\n'
        "<script>\n"
        "  var runner = new Runner();\n"
        f"  runner.init({{ element: '#run-form', publicKey: '{public_key}',\n"
        "                useExpiry: true, useCvv: true });\n"
        "  // On submit: runner.tokenize(function (res) { ... }) and send\n"
        "  // res.account_token to your server, which calls POST /api/v1/charge.\n"
        "</script>"
    )


def _delivery_row(d: WebhookDelivery, zone: ZoneInfo, may_resend: bool) -> dict[str, Any]:
    return {
        "webhook_id": d.webhook_id,
        "event_type": d.event_type,
        "when": when(d.occurred_at, zone),
        "state": d.state.value.title(),
        "state_class": {"delivered": "good", "failed": "bad"}.get(d.state.value, "muted"),
        "attempts": d.attempts,
        "last_status": str(d.last_status) if d.last_status is not None else "—",
        "last_response": (d.last_error or d.last_response or "—")[:200],
        "resend": may_resend and d.state.value == "failed",
    }


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds:
        return f"{seconds // 3600} hour" + ("" if seconds == 3600 else "s")
    if seconds % 60 == 0 and seconds:
        return f"{seconds // 60} minute" + ("" if seconds == 60 else "s")
    return f"{seconds} second" + ("" if seconds == 1 else "s")


def developers(
    viewer: Viewer,
    found: Overview,
    zone: ZoneInfo,
    base_url: str,
    grace_seconds: int,
    *,
    issued: Issued | None = None,
    notice: str | None = None,
    error: str | None = None,
    faults_now: str | None = None,
    **more: Any,
) -> str:
    keys = [
        {
            "id": c.id,
            "public_key": c.public_key,
            "created": when(c.created_at, zone),
            "revoked": when(c.revoked_at, zone) if c.revoked_at else None,
        }
        for c in found.credentials
    ]
    live = [c.public_key for c in found.credentials if c.revoked_at is None]
    public_key = live[-1] if live else None
    may_resend = viewer.may(Action.MANAGE_WEBHOOKS)
    endpoints = [
        {
            "id": e.endpoint.id,
            "url": e.endpoint.url,
            "description": e.endpoint.description or "",
            "events": ", ".join(e.endpoint.event_types),
            "enabled": e.endpoint.enabled,
            "deliveries": [_delivery_row(d, zone, may_resend) for d in e.deliveries],
        }
        for e in found.endpoints
    ]
    return templates.render(
        "developers.html",
        title="Developers",
        keys=keys,
        may_keys=viewer.may(Action.MANAGE_CREDENTIALS),
        public_key=public_key,
        snippet=runner_snippet(base_url, public_key) if public_key else None,
        endpoints=endpoints,
        issued=issued,
        faults_now=faults_now,
        grace=_duration(grace_seconds),
        notice=notice,
        error=error,
        **more,
        **_frame(viewer, "/dashboard/developers"),
    )


# ---------------------------------------------------------------- deposits


def _day(value: date) -> str:
    return value.strftime("%d %b %Y")


def deposits(viewer: Viewer, page: DepositPage, zone: ZoneInfo, *, first: bool) -> str:
    rows = [
        {
            "id": d.funding_master_id,
            "href": f"/dashboard/deposits/{d.funding_master_id}",
            "date": _day(d.deposit_date),
            "batch": d.batch_id or "—",
            "sales": money(d.sales_amount, d.currency),
            "refunds": money(-d.refunds_amount, d.currency),
            "fees": money(-d.fees_amount, d.currency),
            "other": money(
                d.reversals_amount + d.adjustments_amount - d.chargebacks_amount, d.currency
            ),
            "amount": money(d.amount, d.currency),
            "amount_class": "bad" if d.amount < 0 else "",
        }
        for d in page.rows
    ]
    return templates.render(
        "deposits.html",
        title="Deposits",
        rows=rows,
        next_href=f"/dashboard/deposits?before={page.next_before}" if page.next_before else None,
        first_href="/dashboard/deposits" if first else None,
        **_frame(viewer, "/dashboard/deposits"),
    )


def deposit(viewer: Viewer, found: DepositDetail, zone: ZoneInfo) -> str:
    d = found.contents.deposit
    cur = d.currency
    fmid = d.funding_master_id
    summary = [
        (f"Sales ({d.sales_count})", money(d.sales_amount, cur)),
        (f"Refunds ({d.refunds_count})", money(-d.refunds_amount, cur)),
        ("Processing fees", money(-d.fees_amount, cur)),
        ("Chargebacks", money(-d.chargebacks_amount, cur)),
        ("Chargebacks won back", money(d.reversals_amount, cur)),
        ("Adjustments", money(d.adjustments_amount, cur)),
    ]
    chargebacks = [
        {
            "case": c.case_number,
            "href": f"/dashboard/payments/{c.transaction_id}",
            "trans_id": str(c.transaction_id),
            "card": f"{(c.card_brand or 'Card').title()} ···· {c.last_four}"
            if c.last_four
            else "—",
            "reason": f"{c.reason_code} {c.reason_text}",
            "state": c.state.value.title(),
            "amount": money(c.amount if c.reversal_funding_master_id == fmid else -c.amount, cur),
            "here": "Won back" if c.reversal_funding_master_id == fmid else "Debited",
        }
        for c in found.contents.chargebacks
    ]
    adjustments = [
        {
            "when": when(a.adjustment_date, zone),
            "type": a.adjustment_type.replace("_", " "),
            "reason": a.adjustment_reason,
            "amount": money(a.amount, cur),
        }
        for a in found.contents.adjustments
    ]
    return templates.render(
        "deposit.html",
        title=f"Deposit {fmid}",
        fmid=fmid,
        amount=money(d.amount, cur),
        date=_day(d.deposit_date),
        funded=when(d.funded_at, zone),
        batch=d.batch_id,
        summary=summary,
        payments=[_row(t, zone) for t in found.transactions],
        chargebacks=chargebacks,
        adjustments=adjustments,
        **_frame(viewer, "/dashboard/deposits"),
    )
