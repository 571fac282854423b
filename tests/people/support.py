"""Shared by the people and dashboard tests: users made straight through the service, and a
clock whose wall time a test moves."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from homerun.audit.service import Actor
from homerun.kit.clock import Clock
from homerun.merchants import service as merchants
from homerun.people import service as people
from homerun.people.models import User
from homerun.people.roles import TENANT_OF, Role, Tenant
from homerun.runtime import Runtime

PASSWORD = "correct horse battery staple"
TESTS = Actor("tests")


class MovableClock(Clock):
    """Wall time and instance time both start now and move only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        self.at = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self.at

    def wall(self) -> datetime:
        return self.at

    def move(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def with_clock(runtime: Runtime, clock: Clock) -> Runtime:
    return replace(runtime, clock=clock)


def new_email(role: Role | str = "user") -> str:
    return f"{role}-{secrets.token_hex(5)}@example.com"


async def make_user(
    runtime: Runtime,
    role: Role,
    *,
    mid: str | None = None,
    partner_id: int | None = None,
    password: str | None = PASSWORD,
    email: str | None = None,
) -> User:
    async with runtime.db.transaction() as session:
        merchant_id = None
        if TENANT_OF[role] is Tenant.MERCHANT:
            assert mid is not None
            merchant_id = (await merchants.get(session, mid)).id
        belonging = people.Belonging(merchant_id, partner_id)
        return await people.create_user(
            session, runtime, TESTS, email or new_email(role), role, belonging, password
        )
