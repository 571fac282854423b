"""The Chargebacks pages: the merchant's chargebacks, and one with its payment and history.

A chargeback still open whose response deadline is within `DUE_SOON` is marked, so that
nobody lets the clock decide one by accident.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from homerun.dashboard.chargebacks import ChargebackDetail, ChargebackPage, cursor_text
from homerun.dashboard.guard import Viewer
from homerun.dashboard.views import _frame, _row, money, templates, when
from homerun.people.roles import Action
from homerun.settlement.models import Chargeback
from homerun.settlement.state import ChargebackState

DUE_SOON = timedelta(days=3)
HERE = "/dashboard/chargebacks"
_STATE = {
    ChargebackState.OPEN: ("Open", "warn"),
    ChargebackState.WON: ("Won", "good"),
    ChargebackState.LOST: ("Lost", "bad"),
}
_DECIDER = {
    "merchant": "You accepted it",
    "network": "You challenged it and the network decided",
    "clock": "Nobody answered by the deadline, so the network decided",
    "admin": "The processor decided",
}


def _card(cb: Chargeback) -> str:
    return f"{(cb.card_brand or 'Card').title()} ···· {cb.last_four}" if cb.last_four else "—"


def _deadline(cb: Chargeback, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """The response deadline, and whether it needs attention (open and due soon)."""
    left = cb.respond_by - now
    is_open = cb.state is ChargebackState.OPEN
    soon = is_open and timedelta(0) < left <= DUE_SOON
    note = ""
    if is_open and left <= timedelta(0):
        note = "Deadline passed"
    elif soon:
        hours = int(left.total_seconds() // 3600)
        note = f"Due in {hours // 24} days" if hours >= 48 else f"Due in {max(hours, 1)} hours"
    return {"respond_by": when(cb.respond_by, zone), "soon": soon, "note": note}


def _line(cb: Chargeback, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    label, css = _STATE[cb.state]
    return {
        "id": cb.id,
        "href": f"{HERE}/{cb.id}",
        "case": cb.case_number,
        "opened": when(cb.opened_at, zone),
        "card": _card(cb),
        "amount": money(cb.amount, cb.currency),
        "reason": f"{cb.reason_code} {cb.reason_text}",
        "status": label,
        "status_class": css,
        **_deadline(cb, now, zone),
    }


def chargebacks(
    viewer: Viewer, page: ChargebackPage, now: datetime, zone: ZoneInfo, *, first: bool
) -> str:
    next_href = None
    if page.next_before is not None:
        next_href = f"{HERE}?before={cursor_text(page.next_before)}"
    return templates.render(
        "chargebacks.html",
        title="Chargebacks",
        rows=[_line(cb, now, zone) for cb in page.rows],
        next_href=next_href,
        first_href=HERE if first else None,
        **_frame(viewer, HERE),
    )


def _history(found: ChargebackDetail, zone: ZoneInfo) -> list[tuple[str, str]]:
    cb = found.chargeback
    opened = f"The cardholder disputed {money(cb.amount, cb.currency)} of the payment"
    events = [(when(cb.opened_at, zone), opened)]
    events += [
        (when(fee.adjustment_date, zone), f"Chargeback fee charged: {money(-fee.amount)}")
        for fee in found.fees
    ]
    if cb.decided_at is not None:
        who = _DECIDER.get(cb.decided_by or "", "Decided")
        events.append((when(cb.decided_at, zone), f"{who}: {_STATE[cb.state][0].lower()}"))
    return events


def chargeback(
    viewer: Viewer,
    found: ChargebackDetail,
    now: datetime,
    zone: ZoneInfo,
    *,
    notice: str | None = None,
    error: str | None = None,
) -> str:
    cb = found.chargeback
    line = _line(cb, now, zone)
    details = [
        ("Case number", cb.case_number),
        ("Reason", line["reason"]),
        ("Amount", line["amount"]),
        ("Fee", money(cb.fee_amount, cb.currency)),
        ("Opened", line["opened"]),
        ("Respond by", line["respond_by"]),
        ("Debited in deposit", cb.funding_master_id or "Not yet funded"),
    ]
    if cb.state is ChargebackState.WON:
        details.append(("Credited back in deposit", cb.reversal_funding_master_id or "Not yet"))
    may_respond = (
        viewer.may(Action.RESPOND_CHARGEBACK)
        and cb.state is ChargebackState.OPEN
        and now < cb.respond_by
    )
    return templates.render(
        "chargeback.html",
        title=f"Chargeback {cb.case_number}",
        cb=line,
        details=details,
        payment=_row(found.payment, zone) if found.payment else None,
        history=_history(found, zone),
        may_respond=may_respond,
        notice=notice,
        error=error,
        **_frame(viewer, HERE),
    )
