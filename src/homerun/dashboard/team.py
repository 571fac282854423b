"""What the team page asks of people: a tenant's users, inviting one, a role, removing one.

A manager sees and changes only the users of their own tenant (their merchant's, their
partner's, or the instance's operators); anyone else's user is not found (404). Every
change is a people service call (which writes the user and its audit row). Two rules
keep a tenant manageable: its last keeper (an owner, a partner admin, an operator) can
be neither demoted nor removed, and only an owner hands out or takes away ownership.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit.service import Actor
from homerun.errors import Conflict, ValidationFailed
from homerun.people import service as people
from homerun.people.models import User
from homerun.people.roles import TENANT_OF, Role, Tenant
from homerun.people.state import LinkPurpose
from homerun.runtime import Runtime

# The role without which nobody could manage the tenant any more.
KEEPER: dict[Tenant, Role] = {
    Tenant.MERCHANT: Role.OWNER,
    Tenant.PARTNER: Role.PARTNER_ADMIN,
    Tenant.INSTANCE: Role.OPERATOR,
}


def belonging_of(user: User) -> people.Belonging:
    return people.Belonging(merchant_id=user.merchant_id, partner_id=user.partner_id)


def roles_for(manager: User) -> list[Role]:
    """The roles a manager may give: their tenant's, ownership only by an owner."""
    return [
        role
        for role in Role
        if TENANT_OF[role] is manager.tenant and (role is not Role.OWNER or manager.role is role)
    ]


async def members(session: AsyncSession, manager: User) -> list[User]:
    if manager.merchant_id is not None:
        return await people.list_users(session, merchant_id=manager.merchant_id)
    if manager.partner_id is not None:
        return await people.list_users(session, partner_id=manager.partner_id)
    return await people.list_users(session, tenant=Tenant.INSTANCE)


def same_tenant(manager: User, user: User) -> bool:
    return (
        user.tenant is manager.tenant
        and user.merchant_id == manager.merchant_id
        and user.partner_id == manager.partner_id
    )


async def member(
    session: AsyncSession, manager: User, user_id: int, *, lock: bool = False
) -> User | None:
    """One user of the manager's tenant (None: not found, or another tenant's)."""
    user = await people.user_by_id(session, user_id, lock=lock)
    return user if user is not None and same_tenant(manager, user) else None


@dataclass(frozen=True, slots=True)
class Invited:
    user: User
    link: str  # the one-time link, absolute, shown once


async def invite(
    session: AsyncSession, runtime: Runtime, actor: Actor, manager: User, email: str, role: Role
) -> Invited:
    """A new user of the manager's tenant and their invitation link (there is no mail)."""
    if role not in roles_for(manager):
        raise ValidationFailed.field("role", "is not a role you may give")
    user = await people.create_user(session, runtime, actor, email, role, belonging_of(manager))
    return Invited(user, await new_link(session, runtime, actor, user))


async def new_link(session: AsyncSession, runtime: Runtime, actor: Actor, user: User) -> str:
    path = await people.issue_link(session, runtime, actor, user, LinkPurpose.INVITE)
    return runtime.settings.public_base_url.rstrip("/") + path


async def _keepers_left(session: AsyncSession, user: User) -> int:
    keeper = KEEPER[user.tenant]
    return sum(1 for u in await members(session, user) if u.role is keeper and not u.disabled)


async def _check_change(session: AsyncSession, manager: User, user: User) -> None:
    """What no role change or removal may do (Conflict names why)."""
    if user.disabled:
        raise Conflict("this user is removed")
    if user.role is Role.OWNER and manager.role is not Role.OWNER:
        raise Conflict("only an owner may change an owner")
    if user.role is KEEPER[user.tenant] and await _keepers_left(session, user) <= 1:
        name = KEEPER[user.tenant].value.replace("_", " ")
        raise Conflict(f"{user.email} is the last {name}: make someone else {name} first")


async def change_role(
    session: AsyncSession, runtime: Runtime, actor: Actor, manager: User, user: User, role: Role
) -> User:
    if role not in roles_for(manager):
        raise ValidationFailed.field("role", "is not a role you may give")
    if role is user.role:
        return user
    await _check_change(session, manager, user)
    return await people.set_role(session, runtime, actor, user, role)


async def remove(
    session: AsyncSession, runtime: Runtime, actor: Actor, manager: User, user: User
) -> User:
    await _check_change(session, manager, user)
    return await people.disable(session, runtime, actor, user)
