"""Every outbox event is delivered or still scheduled (docs/webhooks.md, "How it works").

An event not yet fanned out (`dispatched_at` unset) waits for the fan-out, which takes every
such event in id order, and has no deliveries yet: they are made, and the event marked, in
one transaction. A fanned-out event's deliveries each are delivered (with when), pending
(waiting for their next attempt, to an endpoint that still exists) or failed (given up after
the retry schedule, with when, and listed for a re-send).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from sqlalchemy import ColumnElement, String, and_, case, exists, literal, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.outbox.models import OutboxEvent
from homerun.verify.reader import rows
from homerun.verify.violation import Check, Scope, Violation
from homerun.webhooks.models import DELIVERED, FAILED, PENDING, WebhookDelivery, WebhookEndpoint

FAN_OUT = "outbox.fan_out"
DELIVERIES = "webhooks.deliveries"

D = WebhookDelivery


async def half_fanned_out(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    has_deliveries = exists().where(D.event_id == OutboxEvent.id)
    stmt = select(OutboxEvent.id, OutboxEvent.event_type).where(
        OutboxEvent.dispatched_at.is_(None), has_deliveries
    )
    async for event_id, event_type in rows(session, stmt):
        yield Violation(
            FAN_OUT,
            str(event_id),
            f"{event_type}: has deliveries but is not marked fanned out (it would be fanned"
            " out again)",
        )


_DELIVERY_RULES: Sequence[tuple[str, ColumnElement[bool]]] = (
    ("delivered with no delivered_at", and_(D.state == DELIVERED, D.delivered_at.is_(None))),
    ("failed with no failed_at", and_(D.state == FAILED, D.failed_at.is_(None))),
    ("in no known state", D.state.not_in((PENDING, DELIVERED, FAILED))),
    (
        "pending to a deleted endpoint",
        and_(D.state == PENDING, WebhookEndpoint.deleted_at.is_not(None)),
    ),
    (
        "its event type, merchant or time is not its event's",
        or_(
            D.event_type != OutboxEvent.event_type,
            D.occurred_at != OutboxEvent.occurred_at,
            and_(D.merchant_id.is_(None), OutboxEvent.merchant_id.is_not(None)),
            and_(D.merchant_id.is_not(None), OutboxEvent.merchant_id.is_(None)),
            D.merchant_id != OutboxEvent.merchant_id,
        ),
    ),
)


async def deliveries_astray(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    labels = [case((when, literal(what, String)), else_=null()) for what, when in _DELIVERY_RULES]
    stmt = (
        select(D.webhook_id, D.event_id, D.state, *labels)
        .join(OutboxEvent, OutboxEvent.id == D.event_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == D.endpoint_id)
        .where(or_(*(when for _, when in _DELIVERY_RULES)))
    )
    async for row in rows(session, stmt):
        problems = "; ".join(label for label in row[3:] if label is not None)
        yield Violation(DELIVERIES, row[0], f"event {row[1]}, {row[2]}: {problems}")


CHECKS = (
    Check(
        FAN_OUT,
        "an outbox event not yet fanned out has no deliveries (the fan-out makes them and"
        " marks the event in one transaction)",
        half_fanned_out,
    ),
    Check(
        DELIVERIES,
        "every delivery of a fanned-out event is delivered, pending to a live endpoint, or"
        " failed (given up and listed for re-send), and copies its event's type, merchant and"
        " time",
        deliveries_astray,
    ),
)
