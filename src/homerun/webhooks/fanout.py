"""Fan-out: each committed outbox event becomes one delivery per endpoint that wants it.

One worker fans out at a time (outbox.take_fan_out_turn), taking events in the order
they were written; a worker that finds the turn taken only claims and posts this cycle.
That is what lets the claim's "nothing earlier pending in this lane" hold: the
deliveries of an event are committed no later than those of any event written after
it committed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.outbox import repository as outbox
from homerun.outbox.repository import NewEvent
from homerun.runtime import Runtime
from homerun.webhooks import catalogue, repository, signing
from homerun.webhooks.models import PENDING, WebhookEndpoint

FAN_OUT_BATCH = 500


def lane_of(event_type: str, merchant_id: int | None, source_id: str, event_id: int) -> str:
    """What order is kept within: a boarding application, or a merchant."""
    if catalogue.is_boarding(event_type):
        return f"a{source_id}"
    return f"m{merchant_id}" if merchant_id is not None else f"e{event_id}"


async def _ancestry(session: AsyncSession, partner_ids: set[int]) -> dict[int, list[int]]:
    """Each partner with every partner above it."""
    parent: dict[int, int | None] = {}
    frontier = set(partner_ids)
    while frontier:
        found = await repository.parents_of(session, frontier)
        for partner_id in frontier:
            parent[partner_id] = found.get(partner_id)
        frontier = {p for p in found.values() if p is not None and p not in parent}
    chains: dict[int, list[int]] = {}
    for start in partner_ids:
        chain: list[int] = []
        at: int | None = start
        while at is not None and at not in chain:
            chain.append(at)
            at = parent.get(at)
        chains[start] = chain
    return chains


@dataclass
class Routes:
    """Who wants the events of one batch: endpoints by merchant and by partner, and the
    partners (with those above them) of the batch's applications and merchants."""

    by_merchant: dict[int, list[WebhookEndpoint]] = field(default_factory=dict)
    by_partner: dict[int, list[WebhookEndpoint]] = field(default_factory=dict)
    app_partner: dict[int, int] = field(default_factory=dict)
    merchant_partner: dict[int, int] = field(default_factory=dict)
    chains: dict[int, list[int]] = field(default_factory=dict)

    def wanted(self, ev: NewEvent) -> list[WebhookEndpoint]:
        boarding = catalogue.is_boarding(ev.event_type)
        found: list[WebhookEndpoint] = []
        if not boarding and ev.merchant_id is not None:
            found.extend(self.by_merchant.get(ev.merchant_id, ()))
        if self.by_partner:
            if boarding:
                owner = self.app_partner.get(int(ev.source_id)) if ev.source_id.isdigit() else None
            else:
                owner = self.merchant_partner.get(ev.merchant_id or 0)
            for partner_id in self.chains.get(owner or 0, ()):
                found.extend(self.by_partner.get(partner_id, ()))
        return [
            ep
            for ep in found
            if ep.created_at <= ev.occurred_at and catalogue.matches(ep.event_types, ev.event_type)
        ]


async def _routes(
    session: AsyncSession, endpoints: Sequence[WebhookEndpoint], events: Sequence[NewEvent]
) -> Routes:
    by_merchant: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    by_partner: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    for ep in endpoints:
        if ep.merchant_id is not None:
            by_merchant[ep.merchant_id].append(ep)
        elif ep.partner_id is not None:
            by_partner[ep.partner_id].append(ep)
    routes = Routes(by_merchant=by_merchant, by_partner=by_partner)
    if not by_partner:
        return routes
    routes.app_partner = await repository.partners_of_applications(
        session,
        (
            int(ev.source_id)
            for ev in events
            if catalogue.is_boarding(ev.event_type) and ev.source_id.isdigit()
        ),
    )
    routes.merchant_partner = await repository.partners_of_merchants(
        session,
        (
            ev.merchant_id
            for ev in events
            if ev.merchant_id is not None and not catalogue.is_boarding(ev.event_type)
        ),
    )
    routes.chains = await _ancestry(
        session, set(routes.app_partner.values()) | set(routes.merchant_partner.values())
    )
    return routes


def _delivery_row(ev: NewEvent, ep: WebhookEndpoint, now: datetime) -> dict[str, Any]:
    return {
        "webhook_id": signing.new_webhook_id(),
        "idempotency_key": signing.new_idempotency_key(),
        "endpoint_id": ep.id,
        "event_id": ev.id,
        "merchant_id": ev.merchant_id,
        "event_type": ev.event_type,
        "lane": lane_of(ev.event_type, ev.merchant_id, ev.source_id, ev.id),
        "occurred_at": ev.occurred_at,
        "state": PENDING,
        "attempts": 0,
        "round_first_attempt": 1,
        "round_started_at": None,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


async def fan_out(session: AsyncSession, runtime: Runtime, limit: int = FAN_OUT_BATCH) -> int:
    """Make the deliveries of up to `limit` new outbox events; how many events it took
    (0 as well when another worker's fan-out is under way)."""
    if not await outbox.take_fan_out_turn(session):
        return 0
    events = await outbox.undispatched(session, limit)
    if not events:
        return 0
    now = runtime.clock.now()
    endpoints = await repository.active_endpoints(session)
    if endpoints:
        routes = await _routes(session, endpoints, events)
        rows = [_delivery_row(ev, ep, now) for ev in events for ep in routes.wanted(ev)]
        await repository.add_deliveries(session, rows)
    await outbox.mark_dispatched(session, [ev.id for ev in events], now)
    return len(events)
