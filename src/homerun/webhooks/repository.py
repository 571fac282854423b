"""SQL for webhooks: endpoints, what the fan-out looks up and writes, and deliveries
(the outbox's own rows are read and marked by homerun.outbox).

Pickup of due deliveries takes rows with FOR UPDATE SKIP LOCKED on PostgreSQL, so any
number of workers share the work without taking the same row; SQLite serialises every
writer (BEGIN IMMEDIATE), which does the same job there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Select,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from homerun.boarding.models import Application, Partner
from homerun.kit.db.base import UTCDateTime
from homerun.kit.db.sql import delete_oldest, ids_match
from homerun.merchants.models import Merchant
from homerun.outbox.models import OutboxEvent
from homerun.webhooks.models import (
    DELIVERED,
    FAILED,
    PENDING,
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
)

_deliveries = cast(Table, WebhookDelivery.__table__)

# 'pending' written into the SQL rather than bound: PostgreSQL can use the partial
# indexes (WHERE state = 'pending') only when it sees the value, also in a cached plan.
_PENDING_SQL: Any = literal_column(f"'{PENDING}'")


# ---- endpoints ------------------------------------------------------------------------------


async def add_endpoint(session: AsyncSession, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    session.add(endpoint)
    await session.flush()
    return endpoint


async def endpoint(
    session: AsyncSession, endpoint_id: int, *, lock: bool = False
) -> WebhookEndpoint | None:
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.deleted_at.is_(None)
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def endpoint_page(
    session: AsyncSession,
    *,
    merchant_id: int | None,
    partner_id: int | None,
    after_id: int,
    limit: int,
) -> list[tuple[WebhookEndpoint, str | None]]:
    """Live endpoints by id, each with its merchant's MID (None for partner endpoints)."""
    stmt = (
        select(WebhookEndpoint, Merchant.mid)
        .outerjoin(Merchant, Merchant.id == WebhookEndpoint.merchant_id)
        .where(WebhookEndpoint.deleted_at.is_(None), WebhookEndpoint.id > after_id)
        .order_by(WebhookEndpoint.id)
        .limit(limit)
    )
    if merchant_id is not None:
        stmt = stmt.where(WebhookEndpoint.merchant_id == merchant_id)
    if partner_id is not None:
        stmt = stmt.where(WebhookEndpoint.partner_id == partner_id)
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def active_endpoints(session: AsyncSession) -> Sequence[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(
        WebhookEndpoint.enabled.is_(True), WebhookEndpoint.deleted_at.is_(None)
    )
    return (await session.execute(stmt)).scalars().all()


async def mid_of(session: AsyncSession, merchant_id: int) -> str | None:
    return await session.scalar(select(Merchant.mid).where(Merchant.id == merchant_id))


async def partner_exists(session: AsyncSession, partner_id: int) -> bool:
    return await session.scalar(select(Partner.id).where(Partner.id == partner_id)) is not None


# ---- what the fan-out looks up and writes ---------------------------------------------------


async def partners_of_applications(
    session: AsyncSession, application_ids: Iterable[int]
) -> dict[int, int]:
    ids = sorted(set(application_ids))
    if not ids:
        return {}
    stmt = select(Application.id, Application.partner_id).where(Application.id.in_(ids))
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def partners_of_merchants(
    session: AsyncSession, merchant_ids: Iterable[int]
) -> dict[int, int]:
    """The partner that boarded each merchant (merchants made by hand have none)."""
    ids = sorted(set(merchant_ids))
    if not ids:
        return {}
    stmt = select(Application.merchant_pk, Application.partner_id).where(
        Application.merchant_pk.in_(ids)
    )
    return {row[0]: row[1] for row in (await session.execute(stmt)).all() if row[0] is not None}


async def parents_of(session: AsyncSession, partner_ids: Iterable[int]) -> dict[int, int | None]:
    ids = sorted(set(partner_ids))
    if not ids:
        return {}
    stmt = select(Partner.id, Partner.parent_id).where(Partner.id.in_(ids))
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def add_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert deliveries; one that exists for the same (event, endpoint) is left alone (the
    constraint holds the event's occurred_at too, as a partitioned table needs)."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(WebhookDelivery).on_conflict_do_nothing(
        index_elements=["event_id", "endpoint_id", "occurred_at"]
    )
    await session.execute(stmt, rows)


# ---- picking up due deliveries --------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A delivery that may be attempted now, with what the attempt needs."""

    id: int
    webhook_id: str
    idempotency_key: str
    endpoint_id: int
    event_id: int
    event_type: str
    lane: str
    occurred_at: datetime
    attempts: int
    round_first_attempt: int
    round_started_at: datetime | None
    source_id: str
    payload: dict[str, Any]
    url: str
    secret_sealed: bytes
    previous_secret_sealed: bytes | None
    previous_secret_expires_at: datetime | None


def _claimable_statement() -> Select[*tuple[Any, ...]]:
    """Built once (the dispatcher polls with it several times a second): a call binds
    `now`, `limit` and the endpoints to skip."""
    d = WebhookDelivery
    other = aliased(WebhookDelivery, name="other")
    now = bindparam("now", type_=UTCDateTime())
    ahead = (
        select(other.id)
        .where(
            other.endpoint_id == d.endpoint_id,
            other.lane == d.lane,
            other.state == _PENDING_SQL,
            tuple_(other.occurred_at, other.event_id) < tuple_(d.occurred_at, d.event_id),
        )
        .exists()
    )
    return (
        select(
            d.id,
            d.webhook_id,
            d.idempotency_key,
            d.endpoint_id,
            d.event_id,
            d.event_type,
            d.lane,
            d.occurred_at,
            d.attempts,
            d.round_first_attempt,
            d.round_started_at,
            OutboxEvent.source_id,
            OutboxEvent.payload,
            WebhookEndpoint.url,
            WebhookEndpoint.secret_sealed,
            WebhookEndpoint.previous_secret_sealed,
            WebhookEndpoint.previous_secret_expires_at,
        )
        .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
        .join(OutboxEvent, OutboxEvent.id == d.event_id)
        .where(
            d.state == _PENDING_SQL,
            d.next_attempt_at <= now,
            or_(d.locked_until.is_(None), d.locked_until <= now),
            WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
            d.endpoint_id.not_in(bindparam("skip_endpoints", expanding=True)),
            ~ahead,
        )
        .order_by(d.next_attempt_at, d.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True, of=d)
    )


_CLAIMABLE = _claimable_statement()


async def claimable(
    session: AsyncSession, *, now: datetime, limit: int, skip_endpoints: Sequence[int]
) -> list[Due]:
    """Due deliveries, earliest first, at most one per (endpoint, lane): the first pending
    one in event order (while it is pending, in flight or waiting for a retry, the rest
    of its lane waits). Locked; other workers skip them."""
    params = {"now": now, "limit": limit, "skip_endpoints": list(skip_endpoints)}
    return [Due(**dict(row._mapping)) for row in (await session.execute(_CLAIMABLE, params))]


async def lease(
    session: AsyncSession, ids: list[int], *, token: str, now: datetime, until: datetime
) -> None:
    """Number and lease the next attempt of each (the rows are locked by claimable)."""
    if not ids:
        return
    d = WebhookDelivery
    await session.execute(
        update(d)
        .where(ids_match(session, d.id, ids))
        .values(
            attempts=d.attempts + 1,
            round_started_at=func.coalesce(d.round_started_at, literal(now, UTCDateTime())),
            last_attempt_at=now,
            updated_at=now,
            locked_by=token,
            locked_until=until,
        )
        .execution_options(synchronize_session=False)
    )


# ---- recording what happened ----------------------------------------------------------------


async def mark_delivered(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Rows of {id, token, at, status, response, duration_ms}; fenced by the lease token."""
    if not rows:
        return
    t = _deliveries
    stmt = (
        update(t)
        .where(t.c.id == bindparam("b_id"), t.c.locked_by == bindparam("b_token"))
        .values(
            state=DELIVERED,
            delivered_at=bindparam("b_at"),
            updated_at=bindparam("b_at"),
            last_status=bindparam("b_status"),
            last_error=None,
            last_response=bindparam("b_response"),
            last_duration_ms=bindparam("b_duration_ms"),
            locked_by=None,
            locked_until=None,
        )
    )
    await session.execute(stmt, rows)


async def mark_retry(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Rows of {id, token, at, next, status, error, response, duration_ms}."""
    if not rows:
        return
    t = _deliveries
    stmt = (
        update(t)
        .where(t.c.id == bindparam("b_id"), t.c.locked_by == bindparam("b_token"))
        .values(
            next_attempt_at=bindparam("b_next"),
            updated_at=bindparam("b_at"),
            last_status=bindparam("b_status"),
            last_error=bindparam("b_error"),
            last_response=bindparam("b_response"),
            last_duration_ms=bindparam("b_duration_ms"),
            locked_by=None,
            locked_until=None,
        )
    )
    await session.execute(stmt, rows)


async def mark_failed(
    session: AsyncSession,
    delivery_id: int,
    *,
    token: str | None,
    at: datetime,
    status: int | None,
    error: str | None,
    response: str | None,
    duration_ms: int | None,
) -> bool:
    """Give a delivery up; False when the lease was no longer ours (nothing changed)."""
    d = WebhookDelivery
    stmt = (
        update(d)
        .where(d.id == delivery_id, d.state == PENDING)
        .values(
            state=FAILED,
            failed_at=at,
            updated_at=at,
            last_status=status,
            last_error=error,
            last_response=response,
            last_duration_ms=duration_ms,
            locked_by=None,
            locked_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    stmt = stmt.where(d.locked_by == token) if token is not None else stmt
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def fail_followers(
    session: AsyncSession,
    *,
    endpoint_id: int,
    lane: str,
    occurred_at: datetime,
    event_id: int,
    now: datetime,
    reason: str,
) -> int:
    """Fail the deliveries waiting behind one that failed (same endpoint and lane)."""
    d = WebhookDelivery
    stmt = (
        update(d)
        .where(
            d.endpoint_id == endpoint_id,
            d.lane == lane,
            d.state == _PENDING_SQL,
            or_(d.locked_until.is_(None), d.locked_until <= now),
            or_(
                d.occurred_at > occurred_at,
                and_(d.occurred_at == occurred_at, d.event_id > event_id),
            ),
        )
        .values(state=FAILED, failed_at=now, updated_at=now, last_error=reason[:500])
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


async def fail_pending_of_endpoint(
    session: AsyncSession, endpoint_id: int, now: datetime, reason: str
) -> int:
    d = WebhookDelivery
    stmt = (
        update(d)
        .where(d.endpoint_id == endpoint_id, d.state == PENDING)
        .values(
            state=FAILED,
            failed_at=now,
            updated_at=now,
            last_error=reason,
            locked_by=None,
            locked_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


# ---- listing and re-sending -----------------------------------------------------------------


async def delivery(
    session: AsyncSession, webhook_id: str, *, lock: bool = False
) -> WebhookDelivery | None:
    stmt = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def delivery_page(
    session: AsyncSession,
    *,
    state: str | None,
    endpoint_id: int | None,
    merchant_id: int | None,
    event_type: str | None,
    after_id: int,
    limit: int,
) -> Sequence[WebhookDelivery]:
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.id > after_id)
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    if state is not None:
        # Inlined, so that a cached plan can still use the partial index of failed rows.
        stmt = stmt.where(WebhookDelivery.state == bindparam("state", state, literal_execute=True))
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    if merchant_id is not None:
        stmt = stmt.where(WebhookDelivery.merchant_id == merchant_id)
    if event_type is not None:
        stmt = stmt.where(WebhookDelivery.event_type == event_type)
    return (await session.execute(stmt)).scalars().all()


async def newest_deliveries(
    session: AsyncSession, endpoint_id: int, limit: int
) -> Sequence[WebhookDelivery]:
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def deliveries_of_events(
    session: AsyncSession, event_ids: Sequence[int]
) -> Sequence[tuple[WebhookDelivery, str]]:
    """Every delivery of these events with its endpoint's URL (on the (event_id,
    endpoint_id) unique index), in the order they were due."""
    if not event_ids:
        return []
    d = WebhookDelivery
    stmt = (
        select(d, WebhookEndpoint.url)
        .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
        .where(d.event_id.in_(event_ids))
        .order_by(d.occurred_at, d.event_id, d.id)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


def _resend_values(now: datetime) -> dict[str, Any]:
    d = WebhookDelivery
    return {
        "state": PENDING,
        "next_attempt_at": now,
        "round_first_attempt": d.attempts + 1,
        "round_started_at": None,
        "failed_at": None,
        "locked_by": None,
        "locked_until": None,
        "updated_at": now,
    }


async def resend(session: AsyncSession, delivery_id: int, now: datetime) -> None:
    d = WebhookDelivery
    await session.execute(
        update(d)
        .where(d.id == delivery_id, d.state == FAILED)
        .values(**_resend_values(now))
        .execution_options(synchronize_session=False)
    )


async def resend_failed(session: AsyncSession, endpoint_id: int, now: datetime) -> int:
    d = WebhookDelivery
    result = await session.execute(
        update(d)
        .where(d.endpoint_id == endpoint_id, d.state == FAILED)
        .values(**_resend_values(now))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def count_by_state(session: AsyncSession, endpoint_id: int) -> dict[DeliveryState, int]:
    d = WebhookDelivery
    stmt = select(d.state, func.count(d.id)).where(d.endpoint_id == endpoint_id).group_by(d.state)
    counts = dict.fromkeys(DeliveryState, 0)
    counts.update({row[0]: int(row[1]) for row in (await session.execute(stmt)).all()})
    return counts


async def purge_finished(session: AsyncSession, before: datetime, limit: int) -> int:
    """Delete up to `limit` delivery logs that ended (delivered or failed) before `before`;
    pending deliveries are never purged."""
    d = WebhookDelivery
    return await delete_oldest(
        session, d.id, d.state != PENDING, d.updated_at < before, limit=limit
    )


def delivery_refers_to(event_id: Any) -> Any:
    """True where a delivery of the event `event_id` (a column) is still kept."""
    d = WebhookDelivery
    return exists().where(d.event_id == event_id)


async def pending_summary(session: AsyncSession, now: datetime) -> tuple[int, datetime | None]:
    """Deliveries still pending, and the earliest moment one of them fell due by `now`
    (the attempt the dispatcher is furthest behind on; None when none is due)."""
    stmt = select(
        func.count(),
        func.min(
            case((WebhookDelivery.next_attempt_at <= now, WebhookDelivery.next_attempt_at)),
            type_=UTCDateTime,
        ),
    ).where(WebhookDelivery.state == _PENDING_SQL)
    count, oldest = (await session.execute(stmt)).one()
    return int(count), oldest
