"""The sandbox clock: moved forward by the admin API, kept in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import Conflict, ValidationFailed
from homerun.instance.service import get_value, set_value
from homerun.kit.clock import as_utc
from homerun.runtime import Runtime

OFFSET_KEY = "clock_offset_seconds"


async def load_offset(session: AsyncSession) -> timedelta:
    value = await get_value(session, OFFSET_KEY)
    return timedelta(seconds=float(value)) if value else timedelta(0)


async def advance(
    session: AsyncSession, runtime: Runtime, seconds: float | None, until: datetime | None
) -> datetime:
    if runtime.settings.mode.value != "sandbox":
        raise Conflict("the clock only moves in sandbox mode")
    now = runtime.clock.now()
    if (seconds is None) == (until is None):
        raise ValidationFailed(
            "send exactly one of seconds or until",
            {"seconds": ["send exactly one of seconds or until"]},
        )
    if seconds is not None:
        step = timedelta(seconds=seconds)
    else:
        assert until is not None
        step = as_utc(until) - now
    if step < timedelta(0):
        field = "seconds" if seconds is not None else "until"
        raise ValidationFailed.field(field, "the clock never moves backwards")
    offset = runtime.clock.offset + step
    await set_value(session, OFFSET_KEY, str(offset.total_seconds()))
    runtime.clock.set_offset(offset)
    return runtime.clock.now()
