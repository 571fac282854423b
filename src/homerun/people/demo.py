"""The demo sign-ins that `serve` creates beside the demo merchant and partner."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit.service import Actor
from homerun.people.roles import Role
from homerun.people.service import Belonging, create_user
from homerun.runtime import Runtime

DEMO_OWNER = "owner@demo-store.example"
DEMO_PARTNER_ADMIN = "admin@demo-partner.example"
_SETUP = Actor("serve")


@dataclass(frozen=True, slots=True)
class DemoSignIn:
    who: str  # what the sign-in is for, as `serve` prints it
    email: str
    password: str  # shown once, by `serve`


async def create_demo_users(
    session: AsyncSession, runtime: Runtime, merchant_id: int, partner_id: int | None
) -> list[DemoSignIn]:
    """The demo merchant's owner and, when there is a demo partner, its admin."""
    wanted = [("merchant owner", DEMO_OWNER, Role.OWNER, Belonging(merchant_id=merchant_id))]
    if partner_id is not None:
        wanted.append(
            (
                "partner admin",
                DEMO_PARTNER_ADMIN,
                Role.PARTNER_ADMIN,
                Belonging(partner_id=partner_id),
            )
        )
    made = []
    for who, email, role, belonging in wanted:
        password = secrets.token_urlsafe(12)
        await create_user(session, runtime, _SETUP, email, role, belonging, password)
        made.append(DemoSignIn(who, email, password))
    return made
