"""What a partner's rep-code and API-client pages ask of boarding and oauth.

Rep codes are listed for the viewer's partner hierarchy and added to the viewer's own
partner; Boarding API clients (OAuth clients of the boarding audience) are those bound to
the viewer's own partner. Each change is the same service call the /homerun/v1 boarding
administration makes, then an audit row. A client of another partner is not found.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.boarding import schemas
from homerun.boarding import service as boarding
from homerun.boarding.models import RepCode
from homerun.dashboard.boarding import Invalid
from homerun.errors import Conflict, ValidationFailed
from homerun.kit.web import validation_failed
from homerun.oauth import service as oauth
from homerun.oauth.models import OAuthClient
from homerun.oauth.service import ClientWithSecret
from homerun.oauth.state import Audience
from homerun.runtime import Runtime

REP_CODE_LIMIT = 500  # the most rep codes the page lists


async def _record(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    action: AuditAction,
    partner_id: int,
    what: str,
) -> None:
    """The audit row of a change to a partner's rep codes or clients (`what` names it)."""
    await audit.record(session, runtime.clock.now(), actor, action, partner_id=partner_id, of=what)


async def rep_codes(session: AsyncSession, scope: Sequence[int]) -> Sequence[RepCode]:
    wanted = boarding.listing(None, str(REP_CODE_LIMIT), None, boarding.REP_CODE_FIELDS)
    return await boarding.rep_code_page(session, scope, wanted)


async def rep_code_choices(session: AsyncSession, scope: Sequence[int]) -> list[tuple[str, str]]:
    """(code, label) of the scope's rep codes, for the new-application form's list."""
    return [
        (rep.code, f"{rep.code} · {rep.name}" if rep.name else rep.code)
        for rep in await rep_codes(session, scope)
    ]


async def add_rep_code(
    session: AsyncSession, runtime: Runtime, actor: Actor, partner_id: int, code: str, name: str
) -> RepCode | Invalid:
    try:
        data = schemas.RepCodeCreate.model_validate({"rep_code": code, "name": name or None})
        rep = await boarding.add_rep_code(session, runtime, partner_id, data)
    except ValidationError as problem:
        return Invalid(validation_failed(problem).errors or {})
    except (Conflict, ValidationFailed) as problem:
        return Invalid(problem.errors or {"rep_code": [problem.message]})
    await _record(session, runtime, actor, AuditAction.REP_CODE_ADDED, partner_id, rep.code)
    return rep


async def clients(session: AsyncSession, partner_id: int) -> list[OAuthClient]:
    bound = await boarding.partner_clients(session, partner_id)
    return [c for c in bound if c.audience is Audience.BOARDING]


async def create_client(
    session: AsyncSession, runtime: Runtime, actor: Actor, partner_id: int, name: str
) -> ClientWithSecret:
    made = await boarding.create_partner_client(
        session, runtime, partner_id, Audience.BOARDING.value, name or None
    )
    await _record(
        session, runtime, actor, AuditAction.CLIENT_CREATED, partner_id, made.client.client_id
    )
    return made


async def revoke_client(
    session: AsyncSession, runtime: Runtime, actor: Actor, partner_id: int, client_id: str
) -> OAuthClient | None:
    """Revoke one of the partner's boarding clients (None: not one of them)."""
    mine = {c.client_id: c for c in await clients(session, partner_id)}
    if client_id not in mine:
        return None
    client = await oauth.revoke_client(session, runtime, client_id)
    await _record(session, runtime, actor, AuditAction.CLIENT_REVOKED, partner_id, client_id)
    return client
