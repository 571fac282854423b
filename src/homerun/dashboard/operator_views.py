"""The operator's console: the instance, the sandbox clock, payment tools."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homerun.dashboard.filters import UTC_ZONE
from homerun.dashboard.guard import Viewer
from homerun.dashboard.operator import Instance, Preview
from homerun.dashboard.views import _frame, templates, when


def _utc(moment: datetime) -> str:
    return when(moment, UTC_ZONE) + " UTC"


def instance(viewer: Viewer, found: Instance) -> str:
    merchants = [
        {
            "name": m.name,
            "mid": m.mid,
            "timezone": m.timezone,
            "cutoff": m.batch_cutoff,
            "accepts": {"cards": "Cards", "ach": "ACH", "both": "Cards and ACH"}[m.accepts.value],
        }
        for m in found.merchants
    ]
    partners = [
        {"id": p.id, "name": p.name, "parent": p.parent_id or "—", "since": _utc(p.created_at)}
        for p in found.partners
    ]
    return templates.render(
        "instance.html",
        title="Instance",
        merchants=merchants,
        merchant_count=found.merchant_count,
        partners=partners,
        **_frame(viewer, "/dashboard/instance"),
    )


def clock(
    viewer: Viewer,
    *,
    now: datetime,
    sandbox: bool,
    amount: str = "",
    unit: str = "days",
    preview: Preview | None = None,
    result: list[tuple[str, int]] | None = None,
    moved: tuple[datetime, datetime] | None = None,
    error: str | None = None,
    notice: str | None = None,
) -> str:
    context: dict[str, Any] = {}
    if preview is not None:
        context = {
            "target": _utc(preview.target),
            "target_iso": preview.target.isoformat(),
            "jobs": [
                {"when": _utc(j.due_at), "name": j.name, "merchant": j.merchant}
                for j in preview.jobs
            ],
            "total": preview.total,
            "by_name": preview.by_name,
        }
    return templates.render(
        "clock.html",
        title="Sandbox clock",
        now=_utc(now),
        sandbox=sandbox,
        amount=amount,
        unit=unit,
        units=[("hours", "Hours"), ("days", "Days")],
        preview=preview is not None,
        result=result,
        moved=(_utc(moved[0]), _utc(moved[1])) if moved else None,
        error=error,
        notice=notice,
        **context,
        **_frame(viewer, "/dashboard/clock"),
    )


def tools(
    viewer: Viewer,
    *,
    may_chargeback: bool,
    may_return: bool,
    values: dict[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
) -> str:
    return templates.render(
        "payment_tools.html",
        title="Payment tools",
        may_chargeback=may_chargeback,
        may_return=may_return,
        values=values or {},
        error=error,
        notice=notice,
        **_frame(viewer, "/dashboard/payment-tools"),
    )
