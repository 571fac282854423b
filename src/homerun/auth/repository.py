"""All SQL for credential sets and their secrets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth.models import ApiSecret, CredentialSet
from homerun.auth.state import SecretKind
from homerun.merchants.models import Merchant


async def live_api_key(
    session: AsyncSession, secret_hash: str, now: datetime
) -> tuple[Merchant, int, datetime] | None:
    """The merchant, credential set id and expiry of a live, unrevoked api_key."""
    stmt = (
        select(Merchant, CredentialSet.id, ApiSecret.expires_at)
        .join(CredentialSet, CredentialSet.merchant_id == Merchant.id)
        .join(ApiSecret, ApiSecret.credential_set_id == CredentialSet.id)
        .where(
            ApiSecret.secret_hash == secret_hash,
            ApiSecret.kind == SecretKind.API,
            ApiSecret.expires_at > now,
            CredentialSet.revoked_at.is_(None),
        )
    )
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


async def merchant_for_public_key(session: AsyncSession, public_key: str) -> Merchant | None:
    stmt = (
        select(Merchant)
        .join(CredentialSet, CredentialSet.merchant_id == Merchant.id)
        .where(CredentialSet.public_key == public_key, CredentialSet.revoked_at.is_(None))
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def secrets_by_hash(
    session: AsyncSession, hashes: Sequence[str]
) -> Sequence[tuple[ApiSecret, CredentialSet]]:
    stmt = (
        select(ApiSecret, CredentialSet)
        .join(CredentialSet, CredentialSet.id == ApiSecret.credential_set_id)
        .where(ApiSecret.secret_hash.in_(hashes))
        .with_for_update(of=ApiSecret)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def retire_live_secrets(
    session: AsyncSession, credential_set_id: int, now: datetime, api_key_grace_until: datetime
) -> None:
    """Consume every live refresh token; let every live api_key run out its grace."""
    await session.execute(
        update(ApiSecret)
        .where(
            ApiSecret.credential_set_id == credential_set_id,
            ApiSecret.kind == SecretKind.REFRESH,
            ApiSecret.consumed_at.is_(None),
        )
        .values(consumed_at=now)
    )
    live_api = (
        ApiSecret.credential_set_id == credential_set_id,
        ApiSecret.kind == SecretKind.API,
        ApiSecret.consumed_at.is_(None),
    )
    await session.execute(
        update(ApiSecret)
        .where(*live_api, ApiSecret.expires_at > api_key_grace_until)
        .values(expires_at=api_key_grace_until)
    )
    await session.execute(update(ApiSecret).where(*live_api).values(consumed_at=now))


async def sets_of(session: AsyncSession, merchant_id: int) -> Sequence[CredentialSet]:
    stmt = (
        select(CredentialSet)
        .where(CredentialSet.merchant_id == merchant_id)
        .order_by(CredentialSet.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def set_of_merchant(
    session: AsyncSession, merchant_id: int, credential_id: int
) -> CredentialSet | None:
    stmt = select(CredentialSet).where(
        CredentialSet.id == credential_id, CredentialSet.merchant_id == merchant_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()
