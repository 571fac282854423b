"""The partner's rep codes and Boarding API clients pages."""

from __future__ import annotations

from collections.abc import Sequence

from homerun.boarding.models import RepCode
from homerun.dashboard.filters import UTC_ZONE
from homerun.dashboard.guard import Viewer
from homerun.dashboard.views import _frame, templates, when
from homerun.oauth.models import OAuthClient
from homerun.oauth.service import ClientWithSecret
from homerun.people.roles import Action


def _may_add(viewer: Viewer) -> bool:
    """Rep codes and clients are added to the viewer's own partner: partner admins only."""
    return viewer.may(Action.MANAGE_BOARDING) and viewer.user.partner_id is not None


def rep_codes(
    viewer: Viewer,
    rows: Sequence[RepCode],
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
) -> str:
    return templates.render(
        "rep_codes.html",
        title="Rep codes",
        rows=[
            {"code": r.code, "name": r.name or "", "created": when(r.created_at, UTC_ZONE)}
            for r in rows
        ],
        may_add=_may_add(viewer),
        values=values or {},
        errors=errors or {},
        notice=notice,
        **_frame(viewer, "/dashboard/applications"),
    )


def clients(
    viewer: Viewer,
    rows: Sequence[OAuthClient],
    *,
    made: ClientWithSecret | None = None,
    notice: str | None = None,
) -> str:
    return templates.render(
        "api_clients.html",
        title="Boarding API clients",
        rows=[
            {
                "client_id": c.client_id,
                "name": c.name,
                "created": when(c.created_at, UTC_ZONE),
                "revoked": when(c.revoked_at, UTC_ZONE) if c.revoked_at else "",
            }
            for c in rows
        ],
        made=made,
        may_add=_may_add(viewer),
        notice=notice,
        **_frame(viewer, "/dashboard/applications"),
    )
