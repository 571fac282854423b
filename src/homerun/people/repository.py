"""The SQL of users, their sessions and their one-time links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.people.models import User, UserLink, UserSession
from homerun.people.roles import Tenant


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def user_by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def users(
    session: AsyncSession,
    *,
    merchant_id: int | None = None,
    partner_id: int | None = None,
    tenant: Tenant | None = None,
) -> Sequence[User]:
    query = select(User).order_by(User.email)
    if tenant is not None:
        query = query.where(User.tenant == tenant)
    if merchant_id is not None:
        query = query.where(User.merchant_id == merchant_id)
    if partner_id is not None:
        query = query.where(User.partner_id == partner_id)
    return (await session.scalars(query)).all()


async def add(session: AsyncSession, row: User | UserSession | UserLink) -> None:
    session.add(row)
    await session.flush()


async def session_by_hash(session: AsyncSession, token_hash: str) -> UserSession | None:
    return await session.scalar(select(UserSession).where(UserSession.token_hash == token_hash))


async def touch_session(session: AsyncSession, session_id: int, seen_at: datetime) -> None:
    await session.execute(
        update(UserSession).where(UserSession.id == session_id).values(seen_at=seen_at)
    )


async def end_session(session: AsyncSession, session_id: int) -> None:
    await session.execute(delete(UserSession).where(UserSession.id == session_id))


async def end_sessions_of(session: AsyncSession, user_id: int) -> None:
    """Every session of a user: after a password reset, a role change or disabling."""
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))


async def link_by_hash(session: AsyncSession, token_hash: str) -> UserLink | None:
    return await session.scalar(
        select(UserLink).where(UserLink.token_hash == token_hash).with_for_update()
    )


async def lock_user(session: AsyncSession, user_id: int) -> User | None:
    """The user's row, locked: concurrent failed sign-ins count one by one."""
    return await session.scalar(select(User).where(User.id == user_id).with_for_update())
