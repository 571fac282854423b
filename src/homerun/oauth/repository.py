"""All SQL for OAuth clients."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ScalarSelect, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant
from homerun.oauth.models import OAuthClient, OAuthClientMerchant, OAuthClientSecret


async def client_for_secret(
    session: AsyncSession, client_id: str, secret_hash: str, now: datetime
) -> tuple[OAuthClient, datetime | None] | None:
    """The live client owning this live secret, with the secret's expiry (None: no end)."""
    stmt = (
        select(OAuthClient, OAuthClientSecret.expires_at)
        .join(OAuthClientSecret, OAuthClientSecret.client_pk == OAuthClient.id)
        .where(
            OAuthClient.client_id == client_id,
            OAuthClient.revoked_at.is_(None),
            OAuthClientSecret.secret_hash == secret_hash,
            or_(OAuthClientSecret.expires_at.is_(None), OAuthClientSecret.expires_at > now),
        )
    )
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else (row[0], row[1])


async def by_client_id(session: AsyncSession, client_id: str) -> OAuthClient | None:
    return await session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))


async def by_pk(session: AsyncSession, client_pk: int) -> OAuthClient | None:
    return await session.get(OAuthClient, client_pk)


async def bound_mids(session: AsyncSession, client_pk: int) -> Sequence[str]:
    stmt = (
        select(Merchant.mid)
        .join(OAuthClientMerchant, OAuthClientMerchant.merchant_id == Merchant.id)
        .where(OAuthClientMerchant.client_pk == client_pk)
        .order_by(Merchant.mid)
    )
    return (await session.execute(stmt)).scalars().all()


def merchant_ids_of(client_pk: int) -> ScalarSelect[int]:
    """A subquery of the merchant ids a client may see: the one tenancy filter for reporting."""
    return (
        select(OAuthClientMerchant.merchant_id)
        .where(OAuthClientMerchant.client_pk == client_pk)
        .scalar_subquery()
    )


async def expire_live_secrets(session: AsyncSession, client_pk: int, at: datetime) -> None:
    await session.execute(
        update(OAuthClientSecret)
        .where(
            OAuthClientSecret.client_pk == client_pk,
            or_(OAuthClientSecret.expires_at.is_(None), OAuthClientSecret.expires_at > at),
        )
        .values(expires_at=at)
    )


async def all_clients(session: AsyncSession) -> Sequence[OAuthClient]:
    return (await session.execute(select(OAuthClient).order_by(OAuthClient.id))).scalars().all()


async def bind_merchants(
    session: AsyncSession, client_pks: Sequence[int], merchant_pks: Sequence[int]
) -> None:
    """Let reporting clients read merchants; pairs already bound are left alone."""
    if not client_pks or not merchant_pks:
        return
    stmt = select(OAuthClientMerchant.client_pk, OAuthClientMerchant.merchant_id).where(
        OAuthClientMerchant.client_pk.in_(client_pks),
        OAuthClientMerchant.merchant_id.in_(merchant_pks),
    )
    existing = {(row[0], row[1]) for row in (await session.execute(stmt)).all()}
    for client_pk in client_pks:
        for merchant_pk in merchant_pks:
            if (client_pk, merchant_pk) not in existing:
                session.add(OAuthClientMerchant(client_pk=client_pk, merchant_id=merchant_pk))
    await session.flush()


async def clients_of_merchant(
    session: AsyncSession, merchant_id: int, audience: str, limit: int
) -> Sequence[tuple[OAuthClient, int]]:
    """The clients of `audience` bound to this merchant, oldest first, each with how many
    merchants it is bound to in all (more than one: it is shared)."""
    bound = (
        select(OAuthClientMerchant.client_pk)
        .where(OAuthClientMerchant.merchant_id == merchant_id)
        .scalar_subquery()
    )
    shared = (
        select(func.count())
        .where(OAuthClientMerchant.client_pk == OAuthClient.id)
        .correlate(OAuthClient)
        .scalar_subquery()
    )
    stmt = (
        select(OAuthClient, shared)
        .where(OAuthClient.id.in_(bound), OAuthClient.audience == audience)
        .order_by(OAuthClient.id)
        .limit(limit)
    )
    return [(row[0], int(row[1])) for row in (await session.execute(stmt)).all()]
