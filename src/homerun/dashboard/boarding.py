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

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.boarding import partners, repository, state
from homerun.boarding import service as boarding
from homerun.boarding.lifecycle import ACTIONS
from homerun.boarding.models import Application
from homerun.errors import Conflict
from homerun.outbox.models import OutboxEvent
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
