"""What the Developers page asks of auth and webhooks, for one merchant.

No credential is made here: creating, rolling and revoking are `auth.service.issue`,
`roll` and `revoke`, the rules the admin API and `/api/v1/api_keys/refresh` use; a
re-send is `webhooks.service.resend`, the admin API's. This module scopes each of them
to the signed-in user's merchant (another merchant's key or delivery is not found) and
records every one in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.auth import service as auth
from homerun.auth.models import CredentialSet
from homerun.auth.service import IssuedCredentials
from homerun.errors import Conflict, NotFound
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from homerun.webhooks import service as webhooks
from homerun.webhooks.models import WebhookDelivery, WebhookEndpoint

DELIVERIES_SHOWN = 20  # per endpoint, newest first


@dataclass(frozen=True, slots=True)
class Endpoint:
    endpoint: WebhookEndpoint
    deliveries: Sequence[WebhookDelivery]


@dataclass(frozen=True, slots=True)
class Overview:
    credentials: Sequence[CredentialSet]
    endpoints: Sequence[Endpoint]


async def overview(session: AsyncSession, merchant: Merchant) -> Overview:
    owned = await webhooks.list_endpoints(
        session, mid=merchant.mid, partner_id=None, after_id=0, limit=50
    )
    endpoints = [
        Endpoint(
            o.endpoint,
            await webhooks.recent_deliveries(session, o.endpoint.id, DELIVERIES_SHOWN),
        )
        for o in owned
        if o.endpoint.deleted_at is None
    ]
    return Overview(await auth.list_sets(session, merchant), endpoints)


async def create_key(
    session: AsyncSession, runtime: Runtime, actor: Actor, merchant: Merchant
) -> IssuedCredentials:
    issued = await auth.issue(session, runtime, merchant)
    await _record(session, runtime, actor, merchant, AuditAction.KEY_CREATED, issued.credential_id)
    return issued


async def roll_key(
    session: AsyncSession, runtime: Runtime, actor: Actor, merchant: Merchant, credential_id: int
) -> IssuedCredentials | None:
    """New secrets for the set (the old api_key works for the rotation grace); None when
    the merchant has no such live set."""
    try:
        issued = await auth.roll(session, runtime, merchant, credential_id)
    except NotFound:
        return None
    await _record(
        session,
        runtime,
        actor,
        merchant,
        AuditAction.KEY_ROLLED,
        credential_id,
        grace_seconds=runtime.settings.rotation_grace_seconds,
    )
    return issued


async def revoke_key(
    session: AsyncSession, runtime: Runtime, actor: Actor, merchant: Merchant, credential_id: int
) -> bool:
    try:
        revoked = await auth.revoke(session, runtime, merchant, credential_id)
    except NotFound:
        return False
    await _record(session, runtime, actor, merchant, AuditAction.KEY_REVOKED, revoked.id)
    return True


async def _record(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    action: AuditAction,
    credential_id: int,
    **detail: int,
) -> None:
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        action,
        merchant_id=merchant.id,
        credential_id=credential_id,
        **detail,
    )


class Refused:
    """The delivery cannot be re-sent (not failed, or its endpoint was deleted)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


async def resend(
    session: AsyncSession, runtime: Runtime, actor: Actor, merchant: Merchant, webhook_id: str
) -> WebhookDelivery | Refused | None:
    """Re-send one of the merchant's failed deliveries; None when it is not theirs."""
    try:
        found = await webhooks.get_delivery(session, webhook_id)
    except NotFound:
        return None
    if found.merchant_id != merchant.id:
        return None
    try:
        resent = await webhooks.resend(session, runtime, webhook_id)
    except Conflict as refusal:
        return Refused(refusal.message)
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AuditAction.WEBHOOK_RESENT,
        merchant_id=merchant.id,
        webhook_id=webhook_id,
        event_type=resent.event_type,
    )
    return resent
