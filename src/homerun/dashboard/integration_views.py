"""The Developers page's OAuth clients, endpoint form and event list, as template context.

A secret just made (an OAuth client's, an endpoint's signing secret) is put in the page
that answers the POST that made it, and in no other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from homerun.dashboard.guard import Viewer
from homerun.dashboard.integrations import EventPage, event_choices
from homerun.dashboard.views import _frame, templates, when
from homerun.oauth.service import ClientWithSecret, MerchantClient
from homerun.people.roles import Action
from homerun.webhooks.catalogue import ALL, BY_NAME
from homerun.webhooks.service import WithSecret

FIELD_PREFIX = "event:"  # one checkbox per pattern: the form reader keeps one value a name


@dataclass(frozen=True)
class EndpointForm:
    """What the endpoint form shows: empty, or what was sent when it was refused."""

    url: str = ""
    description: str = ""
    chosen: frozenset[str] = field(default_factory=lambda: frozenset({ALL}))


def chosen_events(fields: dict[str, str]) -> list[str]:
    return [p for p in event_choices() if fields.get(FIELD_PREFIX + p) == "on"]


def _choice_label(pattern: str) -> str:
    if pattern == ALL:
        return "Every event"
    if pattern.endswith(".*"):
        return f"Every {pattern[:-2]} event"
    return f"{pattern}: {BY_NAME[pattern].meaning}"


def context(
    viewer: Viewer,
    clients: Sequence[MerchantClient],
    zone: ZoneInfo,
    *,
    made_client: ClientWithSecret | None = None,
    made_endpoint: WithSecret | None = None,
    form: EndpointForm | None = None,
) -> dict[str, Any]:
    shown = form or EndpointForm()
    return {
        "may_hooks": viewer.may(Action.MANAGE_WEBHOOKS),
        "clients": [
            {
                "client_id": c.client.client_id,
                "name": c.client.name,
                "created": when(c.client.created_at, zone),
                "revoked": when(c.client.revoked_at, zone) if c.client.revoked_at else None,
                "shared": c.shared,
            }
            for c in clients
        ],
        "made_client": made_client,
        "made_endpoint": made_endpoint,
        "endpoint_form": shown,
        "event_choices": [
            {
                "pattern": p,
                "name": FIELD_PREFIX + p,
                "id": "event-" + p.replace("*", "all").replace(".", "-"),
                "label": _choice_label(p),
                "checked": p in shown.chosen,
            }
            for p in event_choices()
        ],
    }


def events(viewer: Viewer, page: EventPage, zone: ZoneInfo, *, first: bool) -> str:
    rows = [
        {
            "id": e.id,
            "type": e.event_type,
            "source": e.source_id,
            "when": when(e.occurred_at, zone),
            "payload": json.dumps(e.payload, indent=2, sort_keys=True),
        }
        for e in page.rows
    ]
    return templates.render(
        "events.html",
        title="Events",
        rows=rows,
        next_href=f"/dashboard/developers/events?before={page.next_before}"
        if page.next_before
        else None,
        first_href="/dashboard/developers/events" if not first else None,
        **_frame(viewer, "/dashboard/developers"),
    )
