"""A boarded merchant's Payments API credentials: the set issued at boarding, handed over
once, and new sets on request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service as auth
from homerun.auth.service import IssuedCredentials
from homerun.boarding import repository
from homerun.boarding.applications import get_application
from homerun.boarding.lifecycle import handoff_context
from homerun.boarding.models import Application
from homerun.errors import Conflict
from homerun.merchants import service as merchants
from homerun.runtime import Runtime


async def _boarded(
    session: AsyncSession, runtime: Runtime, scope: Sequence[int] | None, merchant_id: int
) -> Application:
    app, _ = await get_application(session, runtime, scope, merchant_id)
    if app.merchant_pk is None:
        raise Conflict(
            f"merchant {merchant_id} is {app.status}: credentials exist once it is boarded",
            {"merchant_status": [f"is {app.status}"]},
        )
    return app


async def hand_over_credentials(
    session: AsyncSession, runtime: Runtime, scope: Sequence[int] | None, merchant_id: int
) -> tuple[Application, dict[str, Any]]:
    """The credentials issued at boarding, once; the sealed copy is erased as it is read."""
    app = await _boarded(session, runtime, scope, merchant_id)
    handoff = await repository.handoff(session, app.id, lock=True)
    if handoff is None or handoff.sealed is None:
        retrieved = handoff.retrieved_at.isoformat() if handoff and handoff.retrieved_at else None
        raise Conflict(
            f"the credentials of merchant {merchant_id} were already handed over"
            + (f" at {retrieved}" if retrieved else "")
            + "; POST to this address issues a new set",
            {"credentials": ["already retrieved"]},
        )
    issued = orjson.loads(runtime.sealer.open(handoff.sealed, handoff_context(app.id)))
    handoff.sealed = None
    handoff.retrieved_at = runtime.clock.now()
    await session.flush()
    return app, issued


async def issue_credentials(
    session: AsyncSession, runtime: Runtime, scope: Sequence[int] | None, merchant_id: int
) -> tuple[Application, IssuedCredentials]:
    """A new set of Payments API credentials for a boarded merchant."""
    app = await _boarded(session, runtime, scope, merchant_id)
    assert app.mid is not None
    merchant = await merchants.get(session, app.mid)
    return app, await auth.issue(session, runtime, merchant)
