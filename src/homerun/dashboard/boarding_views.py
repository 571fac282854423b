"""The partner's pages: the pipeline of applications by status, an application, merchants."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from homerun.boarding.models import Application
from homerun.boarding.state import Status
from homerun.dashboard import application_form
from homerun.dashboard.boarding import Detail
from homerun.dashboard.filters import UTC_ZONE
from homerun.dashboard.guard import Viewer
from homerun.dashboard.views import _frame, money, templates, when
from homerun.people.roles import Action

STATUS_NAMES: dict[Status, str] = {
    Status.NEW: "New",
    Status.SENT_FOR_SIGNATURE: "Sent for signature",
    Status.SIGNED: "Signed",
    Status.IN_UNDERWRITING: "In underwriting",
    Status.BOARDED: "Boarded",
    Status.LIVE: "Live",
    Status.DECLINED: "Declined",
    Status.CANCELLED: "Cancelled",
    Status.DELETED: "Deleted",
}
# The moves a page offers, as buttons; those that end an application ask for a reason.
MOVE_NAMES: dict[str, str] = {
    "send_for_signature": "Send for signature",
    "sign": "Mark as signed",
    "approve": "Approve",
    "decline": "Decline",
    "go_live": "Go live",
    "cancel": "Cancel application",
    "delete": "Delete application",
}
WITH_REASON = frozenset({"decline", "cancel"})
ENDING = frozenset({"decline", "cancel", "delete"})
MERCHANTS = (Status.BOARDED, Status.LIVE)


def status_class(status: Status) -> str:
    if status in (Status.DECLINED, Status.CANCELLED, Status.DELETED):
        return "bad"
    if status in MERCHANTS:
        return "good"
    return "muted"


def _event_status(event_type: str) -> str:
    """merchant.signed -> Signed (the status the event announced)."""
    value = event_type.removeprefix("merchant.")
    named = {status.value: name for status, name in STATUS_NAMES.items()}
    return named.get(value, event_type)


def _card(app: Application) -> dict[str, Any]:
    return {
        "id": app.id,
        "href": f"/dashboard/applications/{app.id}",
        "name": app.dba_name,
        "when": when(app.updated_at, UTC_ZONE),
        "mid": app.mid or "",
        "status": STATUS_NAMES[app.status],
        "status_class": status_class(app.status),
    }


def pipeline(viewer: Viewer, apps: Sequence[Application]) -> str:
    columns = [
        {
            "status": status.value,
            "name": name,
            "cards": [_card(a) for a in apps if a.status is status],
        }
        for status, name in STATUS_NAMES.items()
    ]
    return templates.render(
        "applications.html",
        title="Applications",
        columns=columns,
        total=len(apps),
        may_create=viewer.may(Action.MANAGE_BOARDING),
        partner_user=viewer.user.partner_id is not None,
        **_frame(viewer, "/dashboard/applications"),
    )


def _merchant_row(app: Application, volumes: dict[int, tuple[int, int]]) -> dict[str, Any]:
    volume, count = volumes.get(app.merchant_pk or 0, (0, 0))
    return {**_card(app), "volume": money(volume), "count": count}


def merchants(
    viewer: Viewer, apps: Sequence[Application], volumes: dict[int, tuple[int, int]]
) -> str:
    rows = [_merchant_row(a, volumes) for a in apps if a.status in MERCHANTS]
    return templates.render(
        "boarded.html",
        title="Merchants",
        rows=rows,
        **_frame(viewer, "/dashboard/boarded"),
    )


def application(
    viewer: Viewer,
    found: Detail,
    *,
    notice: str | None = None,
    error: str | None = None,
) -> str:
    app = found.app
    details = [
        ("Status", STATUS_NAMES[app.status]),
        ("Reason", app.status_reason or "—"),
        ("Application ID", str(app.id)),
        ("MID", app.mid or "Not boarded yet"),
        ("Legal name", app.legal_name or "—"),
        ("Rep code", found.rep_code),
        ("Signer", f"{app.signer_first_name} {app.signer_last_name}"),
        ("Signer email", app.signer_email),
        ("Platform", app.platform),
        ("MCC", app.mcc_code or "—"),
        ("Sent by the clock", "Yes" if app.auto_send else "No"),
        ("Next clock step", when(app.next_step_at, UTC_ZONE) if app.next_step_at else "—"),
        ("Created", when(app.created_at, UTC_ZONE)),
        ("Last changed", when(app.updated_at, UTC_ZONE)),
    ]
    history = [
        {
            "when": when(e.occurred_at, UTC_ZONE),
            "status": _event_status(e.event_type),
            "event": e.event_type,
        }
        for e in found.history
    ]
    moves = []
    if viewer.may(Action.MANAGE_BOARDING):
        moves = [
            {
                "action": name,
                "label": MOVE_NAMES[name],
                "reason": name in WITH_REASON,
                "reason_label": f"Why {name}? (optional)",
                "ending": name in ENDING,
            }
            for name in found.moves
        ]
    return templates.render(
        "application.html",
        title=app.dba_name,
        app_id=app.id,
        dba_name=app.dba_name,
        status=STATUS_NAMES[app.status],
        status_class=status_class(app.status),
        seen=app.status.value,
        details=details,
        history=history,
        moves=moves,
        notice=notice,
        error=error,
        **_frame(viewer, "/dashboard/applications"),
    )


def _input(field: application_form.Input) -> dict[str, Any]:
    return {
        "name": field.name,
        "label": field.label,
        "required": field.required,
        "kind": field.kind,
        "hint": field.hint,
        "choices": field.choices,
        "max_length": field.max_length,
    }


def new_application(
    viewer: Viewer,
    rep_codes: list[tuple[str, str]],
    values: dict[str, str],
    errors: dict[str, list[str]],
    form_key: str,
) -> str:
    """The new-application form; `values` are what was sent (re-shown after an error),
    `form_key` this rendering's one-time key (dashboard.once)."""
    shown = {k: v for k, v in values.items() if k not in application_form.NOT_ECHOED}
    count = len([name for name in errors if name])  # "" is the page's own, not a field's
    return templates.render(
        "application_new.html",
        title="New application",
        groups=[
            {"key": g.key, "title": g.title, "inputs": [_input(i) for i in g.inputs]}
            for g in application_form.groups(rep_codes)
        ],
        values=shown,
        form_key=form_key,
        errors=errors,
        general=errors.get("", []),
        error=(
            f"Not saved: {count} field{'' if count == 1 else 's'} to fix, marked below."
            if count
            else None
        ),
        has_rep_codes=bool(rep_codes),
        **_frame(viewer, "/dashboard/applications"),
    )
