"""The team page: a tenant's users and their roles, the invitation form, a new link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from homerun.dashboard.filters import UTC_ZONE
from homerun.dashboard.guard import Viewer
from homerun.dashboard.team import Invited, roles_for
from homerun.dashboard.views import _frame, templates, when
from homerun.people.models import User
from homerun.people.roles import ROLE_NAMES


def _row(viewer: Viewer, user: User) -> dict[str, Any]:
    if user.disabled:
        status, status_class = "Removed", "bad"
    elif user.password_hash is None:
        status, status_class = "Invited", "muted"
    else:
        status, status_class = "Active", "good"
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role.value,
        "role_name": ROLE_NAMES[user.role],
        "status": status,
        "status_class": status_class,
        "invited": user.password_hash is None and not user.disabled,
        "you": user.id == viewer.user.id,
        "active": not user.disabled,
        "added": when(user.created_at, UTC_ZONE),
    }


def team(
    viewer: Viewer,
    users: Sequence[User],
    *,
    invited: Invited | None = None,
    email: str = "",
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
    error: str | None = None,
) -> str:
    return templates.render(
        "team.html",
        title="Team",
        rows=[_row(viewer, u) for u in users],
        roles=[(role.value, ROLE_NAMES[role]) for role in roles_for(viewer.user)],
        invited=invited,
        invited_role=ROLE_NAMES[invited.user.role] if invited else "",
        email=email,
        errors=errors or {},
        notice=notice,
        error=error,
        **_frame(viewer, "/dashboard/team"),
    )
