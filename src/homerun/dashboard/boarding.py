"""What the partner's pages ask of boarding: applications, their history, their moves.

A partner's user sees the applications of its partner and of the partners below it (the
same hierarchy as the Boarding API's token); an operator sees every partner's. Another
partner's application is not found (404), never 403. A move is `boarding.service.act`,
the very function the admin API's /merchants/{id}/actions/{action} calls (status table,
row lock, effects, merchant.* event); this module checks the scope first and records the
move in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.boarding import partners, repository, schemas, state
from homerun.boarding import service as boarding
from homerun.boarding.lifecycle import ACTIONS
from homerun.boarding.models import Application
from homerun.errors import Conflict, ValidationFailed
from homerun.kit.web import validation_failed
from homerun.outbox.models import OutboxEvent
from homerun.payments import lookup
from homerun.people.models import User
from homerun.runtime import Runtime

# The most applications the pipeline shows (most recently changed first).
PIPELINE_LIMIT = 500


async def scope_of(session: AsyncSession, user: User) -> list[int] | None:
    """The partners whose applications the user sees; None: every partner's (an operator)."""
    if user.partner_id is None:
        return None
    return await partners.hierarchy(session, user.partner_id)


async def pipeline(session: AsyncSession, scope: Sequence[int] | None) -> list[Application]:
    rows = await repository.recent_applications(session, scope, PIPELINE_LIMIT)
    return [app for app, _ in rows]


@dataclass(frozen=True, slots=True)
class Detail:
    app: Application
    rep_code: str
    history: Sequence[OutboxEvent]  # its merchant.* events, oldest first
    moves: list[str]  # the lifecycle actions its status allows


def moves_of(app: Application) -> list[str]:
    return [name for name, events in ACTIONS.items() if state.allowed(app.status, events[0])]


async def detail(
    session: AsyncSession, scope: Sequence[int] | None, application_id: int
) -> Detail | None:
    found = await repository.application(session, application_id, scope)
    if found is None:
        return None
    app, code = found
    history = await repository.events_of(session, app.id)
    return Detail(app, code, history, moves_of(app))


class Changed:
    """The application moved since its page was shown (a second click, another person)."""


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str


async def move(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    scope: Sequence[int] | None,
    application_id: int,
    action: str,
    seen: str,
    reason: str | None,
) -> Application | Changed | Refused | None:
    """Take a lifecycle action on an application the scope sees (None: not found)."""
    found = await repository.application(session, application_id, scope, lock=True)
    if found is None:
        return None
    app = found[0]
    if app.status.value != seen:
        return Changed()
    before = app.status
    try:
        app, _ = await boarding.act(session, runtime, app.id, action, reason)
    except Conflict as refused:
        return Refused(str(refused))
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AuditAction.APPLICATION_MOVED,
        partner_id=app.partner_id,
        application_id=app.id,
        move=action,
        status_before=before.value,
        status=app.status.value,
        reason=reason or "",
    )
    return app


# ---------------------------------------------------------------- a new application


async def creation_scope(session: AsyncSession, user: User) -> list[int]:
    """The partners whose rep codes a new application may name: an operator's, every one."""
    scope = await scope_of(session, user)
    if scope is not None:
        return scope
    return [partner.id for partner in await partners.list_partners(session)]


@dataclass(frozen=True, slots=True)
class Invalid:
    errors: dict[str, list[str]]  # by the Boarding API's field names


async def create(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    scope: Sequence[int],
    body: dict[str, Any],
) -> Application | Invalid:
    """An application made as the Boarding API makes one: its schema, then its service."""
    try:
        data = schemas.ApplicationCreate.model_validate(body)
        app = await boarding.create_application(session, runtime, scope, data)
    except ValidationError as problem:
        return Invalid(validation_failed(problem).errors or {})
    except ValidationFailed as problem:
        return Invalid(problem.errors or {"": [problem.message]})
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AuditAction.APPLICATION_CREATED,
        partner_id=app.partner_id,
        application_id=app.id,
        status=app.status.value,
    )
    return app


# ---------------------------------------------------------------- boarded merchants' volume


async def month_volumes(
    session: AsyncSession, runtime: Runtime, apps: Sequence[Application]
) -> dict[int, tuple[int, int]]:
    """This month's (UTC) approved volume and count of each boarded merchant, by its
    payments merchant id: summed by the database, never row by row here."""
    now = runtime.clock.now().astimezone(UTC)
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
    pks = [app.merchant_pk for app in apps if app.merchant_pk is not None]
    return await lookup.volume_by_merchant(session, pks, month_start)
