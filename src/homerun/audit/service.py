"""Recording and reading the audit log.

Every sign-in, failed sign-in, role change, refund and key roll made through the dashboard
or the `homerun users` command is one row. There is no update and no delete: the table is
written only by `record`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import repository
from homerun.audit.models import AuditEvent


class AuditAction(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    LOCKED_OUT = "locked_out"
    USER_CREATED = "user_created"
    USER_INVITED = "user_invited"
    PASSWORD_SET = "password_set"  # noqa: S105 - an event name
    PASSWORD_RESET_ISSUED = "password_reset_issued"  # noqa: S105 - an event name
    ROLE_CHANGED = "role_changed"
    USER_DISABLED = "user_disabled"
    TOTP_ENABLED = "totp_enabled"
    RECOVERY_CODE_USED = "recovery_code_used"
    REFUND = "refund"
    CAPTURE = "capture"
    VOID = "void"
    CHARGE = "charge"  # the virtual terminal
    KEY_CREATED = "key_created"
    KEY_ROLLED = "key_rolled"
    KEY_REVOKED = "key_revoked"
    WEBHOOK_RESENT = "webhook_resent"
    WEBHOOK_ENDPOINT_CREATED = "webhook_endpoint_created"
    WEBHOOK_ENDPOINT_PAUSED = "webhook_endpoint_paused"
    WEBHOOK_ENDPOINT_RESUMED = "webhook_endpoint_resumed"
    WEBHOOK_ENDPOINT_DELETED = "webhook_endpoint_deleted"
    OAUTH_CLIENT_CREATED = "oauth_client_created"
    OAUTH_CLIENT_REVOKED = "oauth_client_revoked"
    APPLICATION_MOVED = "application_moved"
    APPLICATION_CREATED = "application_created"
    REP_CODE_ADDED = "rep_code_added"
    CLIENT_CREATED = "client_created"
    CLIENT_REVOKED = "client_revoked"
    CLOCK_ADVANCED = "clock_advanced"
    CHARGEBACK_OPENED = "chargeback_opened"
    ACH_RETURNED = "ach_returned"
    CHARGEBACK_ACCEPTED = "chargeback_accepted"
    CHARGEBACK_CHALLENGED = "chargeback_challenged"
    PLAN_CREATED = "plan_created"
    PLAN_CANCELLED = "plan_cancelled"
    LINK_CREATED = "link_created"
    LINK_EDITED = "link_edited"
    LINK_DISABLED = "link_disabled"
    LINK_ENABLED = "link_enabled"
    FAULTS_SET = "faults_set"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and from where."""

    label: str  # an email, or "cli"
    user_id: int | None = None
    ip: str = ""


CLI = Actor("cli")


async def record(
    session: AsyncSession,
    at: datetime,
    actor: Actor,
    action: AuditAction,
    *,
    merchant_id: int | None = None,
    partner_id: int | None = None,
    **detail: Any,
) -> None:
    await repository.append(
        session,
        {
            "at": at,
            "user_id": actor.user_id,
            "actor": actor.label[:254],
            "action": action.value,
            "merchant_id": merchant_id,
            "partner_id": partner_id,
            "ip": actor.ip[:45],
            "detail": detail,
        },
    )


async def events(
    session: AsyncSession,
    *,
    merchant_id: int | None,
    before: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> Sequence[AuditEvent]:
    return await repository.newest(session, merchant_id=merchant_id, before=before, limit=limit)
