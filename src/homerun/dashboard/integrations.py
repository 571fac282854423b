"""What the Developers page asks of oauth, webhooks and the outbox beyond API keys.

Reporting OAuth clients are made and revoked by `oauth.service` (the admin API's functions);
webhook endpoints are added, paused, resumed and deleted by `webhooks.service` with the
API's own request models (`EndpointCreate`, `EndpointUpdate`), so a URL or an event type
the API refuses is refused here with the same words. Each is scoped to the signed-in
user's merchant (another merchant's client or endpoint is not found) and recorded in the
audit log; the events are read through the outbox's own read function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.errors import NotFound, ValidationFailed
from homerun.merchants.models import Merchant
from homerun.oauth import service as oauth
from homerun.oauth.service import ClientWithSecret, MerchantClient
from homerun.oauth.state import Audience
from homerun.outbox import repository as outbox
from homerun.outbox.models import OutboxEvent
from homerun.runtime import Runtime
from homerun.webhooks import catalogue
from homerun.webhooks import service as webhooks
from homerun.webhooks.schemas import EndpointCreate, EndpointUpdate
from homerun.webhooks.service import WithSecret

EVENTS_PAGE = 25
NAME_LIMIT = 200


class Refused:
    """The form was not right: `message` names the field and says why; nothing changed."""

    def __init__(self, message: str) -> None:
        self.message = message


def event_choices() -> list[str]:
    """The patterns a merchant's endpoint may ask for: every event, each family, each type."""
    merchant = [t for t in catalogue.EVENT_TYPES if t.audience == catalogue.MERCHANT and t.emitted]
    families = sorted({t.name.split(".", 1)[0] for t in merchant})
    return [catalogue.ALL, *(f"{f}.*" for f in families), *(t.name for t in merchant)]


# ---------------------------------------------------------------- OAuth clients


async def clients(session: AsyncSession, merchant: Merchant) -> list[MerchantClient]:
    return await oauth.merchant_clients(session, merchant.id, Audience.REPORTING)


async def create_client(
    session: AsyncSession, runtime: Runtime, actor: Actor, merchant: Merchant, name: str
) -> ClientWithSecret | Refused:
    """A Reporting client that reads this merchant alone; its secret is in the answer only."""
    name = name.strip()
    if not name or len(name) > NAME_LIMIT:
        return Refused(f"Name: give the client a name of 1 to {NAME_LIMIT} characters.")
    made = await oauth.create_client(
        session, runtime, audience=Audience.REPORTING, name=name, mids=[merchant.mid]
    )
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AuditAction.OAUTH_CLIENT_CREATED,
        merchant_id=merchant.id,
        client_id=made.client.client_id,
        name=name,
    )
    return made


async def revoke_client(
    session: AsyncSession, runtime: Runtime, actor: Actor, merchant: Merchant, client_id: str
) -> bool | Refused:
    """False when the merchant has no such client; refused when others share it."""
    owned = {c.client.client_id: c for c in await clients(session, merchant)}
    found = owned.get(client_id)
    if found is None:
        return False
    if found.shared:
        return Refused("This client reads other merchants too: an operator revokes it.")
    if found.client.revoked_at is None:
        await oauth.revoke_client(session, runtime, client_id)
        await audit.record(
            session,
            runtime.clock.now(),
            actor,
            AuditAction.OAUTH_CLIENT_REVOKED,
            merchant_id=merchant.id,
            client_id=client_id,
        )
    return True


# ---------------------------------------------------------------- webhook endpoints


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "form"
    return f"{field}: {first['msg']}"


async def create_endpoint(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    *,
    url: str,
    description: str,
    event_types: list[str],
) -> WithSecret | Refused:
    try:
        data = EndpointCreate(
            mid=merchant.mid,
            url=url.strip(),
            event_types=event_types,
            description=description.strip() or None,
        )
        made = await webhooks.create_endpoint(session, runtime, data)
    except ValidationError as error:
        return Refused(_problem(error))
    except ValidationFailed as refusal:
        return Refused(refusal.message)
    await _record(session, runtime, actor, merchant, AuditAction.WEBHOOK_ENDPOINT_CREATED, made)
    return made


async def _own(
    session: AsyncSession, merchant: Merchant, endpoint_id: int
) -> webhooks.Owned | None:
    """The merchant's live endpoint, or None (another's, deleted, or no such endpoint)."""
    try:
        owned = await webhooks.get_endpoint(session, endpoint_id)
    except NotFound:
        return None
    return owned if owned.endpoint.merchant_id == merchant.id else None


async def change_endpoint(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    endpoint_id: int,
    action: str,
) -> bool:
    """Pause, resume or delete one of the merchant's endpoints; False when not theirs."""
    owned = await _own(session, merchant, endpoint_id)
    if owned is None:
        return False
    if action == "delete":
        await webhooks.delete_endpoint(session, runtime, endpoint_id)
        changed = owned
        what = AuditAction.WEBHOOK_ENDPOINT_DELETED
    else:
        enabled = action == "resume"
        update = EndpointUpdate(enabled=enabled)
        changed = await webhooks.update_endpoint(session, runtime, endpoint_id, update)
        what = (
            AuditAction.WEBHOOK_ENDPOINT_RESUMED if enabled else AuditAction.WEBHOOK_ENDPOINT_PAUSED
        )
    await _record(session, runtime, actor, merchant, what, changed)
    return True


async def _record(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    action: AuditAction,
    owned: webhooks.Owned,
) -> None:
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        action,
        merchant_id=merchant.id,
        endpoint_id=owned.endpoint.id,
        url=owned.endpoint.url,
    )


# ---------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class EventPage:
    rows: Sequence[OutboxEvent]
    next_before: int | None  # the id to page on from, if older events follow


async def events(session: AsyncSession, merchant: Merchant, before_id: int | None) -> EventPage:
    rows = await outbox.recent_events(session, merchant.id, before_id, EVENTS_PAGE + 1)
    if len(rows) <= EVENTS_PAGE:
        return EventPage(rows, None)
    return EventPage(rows[:EVENTS_PAGE], rows[EVENTS_PAGE - 1].id)
