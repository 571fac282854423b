"""Webhook endpoints and deliveries: the rules behind /homerun/v1/webhooks and the CLI.

Secrets are shown once (at creation and at each rotation) and kept sealed under the
master key, since signing needs them in the clear. Deleting an endpoint is a soft
delete: its pending deliveries fail, its history stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import Conflict, NotFound, ValidationFailed
from homerun.merchants import service as merchants
from homerun.outbox import repository as outbox
from homerun.outbox.models import OutboxEvent
from homerun.runtime import Runtime
from homerun.webhooks import catalogue, repository, signing
from homerun.webhooks.dispatcher import SECRET_CONTEXT, address_policy
from homerun.webhooks.models import FAILED, WebhookDelivery, WebhookEndpoint
from homerun.webhooks.schemas import EndpointCreate, EndpointUpdate
from homerun.webhooks.transport import Refused, check_url


@dataclass(frozen=True)
class Owned:
    """An endpoint with its merchant's MID (None for a partner's endpoint)."""

    endpoint: WebhookEndpoint
    mid: str | None


@dataclass(frozen=True)
class WithSecret(Owned):
    secret: str


def _checked_url(runtime: Runtime, url: str) -> str:
    try:
        check_url(url, address_policy(runtime.settings))
    except Refused as problem:
        raise ValidationFailed.field("url", str(problem)) from None
    return url


def _checked_patterns(patterns: list[str], *, partner: bool) -> list[str]:
    unique: list[str] = []
    for pattern in patterns:
        problem = catalogue.pattern_problem(pattern, partner=partner)
        if problem is not None:
            raise ValidationFailed.field("event_types", problem)
        if pattern not in unique:
            unique.append(pattern)
    return [catalogue.ALL] if catalogue.ALL in unique else unique


def _seal(runtime: Runtime, secret: str) -> bytes:
    return runtime.sealer.seal(secret, SECRET_CONTEXT)


async def create_endpoint(
    session: AsyncSession, runtime: Runtime, data: EndpointCreate
) -> WithSecret:
    url = _checked_url(runtime, data.url)
    merchant_id: int | None = None
    if data.mid is not None:
        merchant_id = (await merchants.get(session, data.mid)).id
    elif data.partner_id is not None and not await repository.partner_exists(
        session, data.partner_id
    ):
        raise NotFound(f"partner {data.partner_id} not found")
    patterns = _checked_patterns(data.event_types, partner=data.partner_id is not None)
    now = runtime.clock.now()
    secret = signing.new_secret()
    endpoint = await repository.add_endpoint(
        session,
        WebhookEndpoint(
            merchant_id=merchant_id,
            partner_id=data.partner_id,
            url=url,
            description=data.description,
            event_types=patterns,
            enabled=data.enabled,
            secret_sealed=_seal(runtime, secret),
            secret_last4=secret[-4:],
            created_at=now,
            updated_at=now,
        ),
    )
    return WithSecret(endpoint, data.mid, secret)


async def _owned(session: AsyncSession, endpoint: WebhookEndpoint) -> Owned:
    mid = None
    if endpoint.merchant_id is not None:
        mid = await repository.mid_of(session, endpoint.merchant_id)
    return Owned(endpoint, mid)


async def _endpoint(session: AsyncSession, endpoint_id: int, *, lock: bool = False) -> Owned:
    endpoint = await repository.endpoint(session, endpoint_id, lock=lock)
    if endpoint is None:
        raise NotFound(f"webhook endpoint {endpoint_id} not found")
    return await _owned(session, endpoint)


async def get_endpoint(session: AsyncSession, endpoint_id: int) -> Owned:
    return await _endpoint(session, endpoint_id)


async def list_endpoints(
    session: AsyncSession,
    *,
    mid: str | None,
    partner_id: int | None,
    after_id: int,
    limit: int,
) -> list[Owned]:
    merchant_id = (await merchants.get(session, mid)).id if mid is not None else None
    page = await repository.endpoint_page(
        session, merchant_id=merchant_id, partner_id=partner_id, after_id=after_id, limit=limit
    )
    return [Owned(endpoint, owner_mid) for endpoint, owner_mid in page]


async def update_endpoint(
    session: AsyncSession, runtime: Runtime, endpoint_id: int, data: EndpointUpdate
) -> Owned:
    owned = await _endpoint(session, endpoint_id, lock=True)
    endpoint = owned.endpoint
    if data.url is not None:
        endpoint.url = _checked_url(runtime, data.url)
    if data.event_types is not None:
        endpoint.event_types = _checked_patterns(
            data.event_types, partner=endpoint.partner_id is not None
        )
    if data.enabled is not None:
        endpoint.enabled = data.enabled
    if "description" in data.model_fields_set:
        endpoint.description = data.description
    endpoint.updated_at = runtime.clock.now()
    await session.flush()
    return owned


async def delete_endpoint(session: AsyncSession, runtime: Runtime, endpoint_id: int) -> None:
    owned = await _endpoint(session, endpoint_id, lock=True)
    now = runtime.clock.now()
    owned.endpoint.deleted_at = now
    owned.endpoint.enabled = False
    owned.endpoint.updated_at = now
    await session.flush()
    await repository.fail_pending_of_endpoint(
        session, endpoint_id, now, "not sent: the endpoint was deleted"
    )


async def rotate_secret(
    session: AsyncSession, runtime: Runtime, endpoint_id: int, overlap_seconds: int | None
) -> WithSecret:
    """A new secret signs from now on; the current one keeps signing, in the second
    header, for `overlap_seconds` (the setting when None; 0 ends it at once)."""
    owned = await _endpoint(session, endpoint_id, lock=True)
    endpoint = owned.endpoint
    overlap = (
        runtime.settings.webhook_secret_overlap_seconds
        if overlap_seconds is None
        else overlap_seconds
    )
    now = runtime.clock.now()
    secret = signing.new_secret()
    if overlap > 0:
        endpoint.previous_secret_sealed = endpoint.secret_sealed
        endpoint.previous_secret_expires_at = now + timedelta(seconds=overlap)
    else:
        endpoint.previous_secret_sealed = None
        endpoint.previous_secret_expires_at = None
    endpoint.secret_sealed = _seal(runtime, secret)
    endpoint.secret_last4 = secret[-4:]
    endpoint.secret_rotated_at = now
    endpoint.updated_at = now
    await session.flush()
    return WithSecret(endpoint, owned.mid, secret)


# ---- deliveries -------------------------------------------------------------------------------


async def list_deliveries(
    session: AsyncSession,
    *,
    state: str | None,
    endpoint_id: int | None,
    mid: str | None,
    event_type: str | None,
    after_id: int,
    limit: int,
) -> list[WebhookDelivery]:
    merchant_id = (await merchants.get(session, mid)).id if mid is not None else None
    page = await repository.delivery_page(
        session,
        state=state,
        endpoint_id=endpoint_id,
        merchant_id=merchant_id,
        event_type=event_type,
        after_id=after_id,
        limit=limit,
    )
    return list(page)


async def recent_deliveries(
    session: AsyncSession, endpoint_id: int, limit: int
) -> list[WebhookDelivery]:
    """An endpoint's latest deliveries, newest first (the dashboard's delivery log)."""
    return list(await repository.newest_deliveries(session, endpoint_id, limit))


@dataclass(frozen=True)
class Sent:
    """A domain event and its deliveries, each with its endpoint's URL."""

    event: OutboxEvent
    deliveries: list[tuple[WebhookDelivery, str]]


async def events_about(
    session: AsyncSession, merchant_id: int, about: Sequence[tuple[str, str]]
) -> list[Sent]:
    """A merchant's events about some things ((event type prefix, source id) each), in
    time order, with the webhooks sent for them (a payment's page)."""
    events = await outbox.events_about(session, merchant_id, about)
    found = await repository.deliveries_of_events(session, [e.id for e in events])
    by_event: dict[int, list[tuple[WebhookDelivery, str]]] = {}
    for delivery, url in found:
        by_event.setdefault(delivery.event_id, []).append((delivery, url))
    return [Sent(e, by_event.get(e.id, [])) for e in events]


async def get_delivery(session: AsyncSession, webhook_id: str) -> WebhookDelivery:
    found = await repository.delivery(session, webhook_id)
    if found is None:
        raise NotFound(f"webhook delivery {webhook_id} not found")
    return found


async def resend(session: AsyncSession, runtime: Runtime, webhook_id: str) -> WebhookDelivery:
    """Put a failed delivery back in line, due now, with a fresh round of 8 attempts
    (numbered on from the last one; the same webhook_id and idempotency key)."""
    found = await repository.delivery(session, webhook_id, lock=True)
    if found is None:
        raise NotFound(f"webhook delivery {webhook_id} not found")
    if found.state != FAILED:
        raise Conflict(f"webhook delivery {webhook_id} is {found.state}; only failed ones resend")
    if await repository.endpoint(session, found.endpoint_id) is None:
        raise Conflict(f"the endpoint of {webhook_id} was deleted")
    await repository.resend(session, found.id, runtime.clock.now())
    await session.refresh(found)
    return found


async def resend_failed(session: AsyncSession, runtime: Runtime, endpoint_id: int) -> int:
    """Every failed delivery of an endpoint back in line (they go out in event order)."""
    await _endpoint(session, endpoint_id, lock=True)
    return await repository.resend_failed(session, endpoint_id, runtime.clock.now())
