"""OAuth clients: create, rotate with overlap, revoke; authenticate; issue access tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import NotFound, ValidationFailed
from homerun.merchants import repository as merchants
from homerun.oauth import repository, tokens
from homerun.oauth.cache import CACHE_SECONDS, ClientCache, ClientRef, Credential
from homerun.oauth.models import OAuthClient, OAuthClientMerchant, OAuthClientSecret
from homerun.oauth.state import Audience
from homerun.oauth.tokens import Claims
from homerun.runtime import Runtime

AUDIENCES = tuple(Audience)
ACCESS_TOKEN_SECONDS = 3600


@dataclass(frozen=True)
class ClientWithSecret:
    client: OAuthClient
    client_secret: str
    mids: list[str]


def signing_key(runtime: Runtime) -> bytes:
    """A key for access tokens, derived so it differs from every other use of secret_key."""
    label = b"homerun oauth access token v1"
    return hmac.new(runtime.keys.secret_key, label, hashlib.sha256).digest()


async def _add_secret(session: AsyncSession, runtime: Runtime, client: OAuthClient) -> str:
    secret = secrets.token_urlsafe(32)
    session.add(
        OAuthClientSecret(
            client_pk=client.id,
            secret_hash=runtime.secret_hash(secret),
            created_at=runtime.clock.now(),
        )
    )
    await session.flush()
    return secret


async def create_client(
    session: AsyncSession, runtime: Runtime, *, audience: str, name: str, mids: list[str]
) -> ClientWithSecret:
    if audience not in AUDIENCES:
        raise ValidationFailed.field("audience", f"must be one of {', '.join(AUDIENCES)}")
    client = OAuthClient(
        client_id=f"{audience[:3]}_{secrets.token_hex(12)}",
        audience=audience,
        name=name,
        created_at=runtime.clock.now(),
    )
    session.add(client)
    await session.flush()
    mids = sorted(set(mids))
    for mid in mids:
        merchant = await merchants.by_mid(session, mid)
        if merchant is None:
            raise ValidationFailed.field("mids", f"merchant {mid} does not exist")
        session.add(OAuthClientMerchant(client_pk=client.id, merchant_id=merchant.id))
    secret = await _add_secret(session, runtime, client)
    return ClientWithSecret(client, secret, mids)


async def get_client(session: AsyncSession, client_id: str) -> OAuthClient:
    client = await repository.by_client_id(session, client_id)
    if client is None:
        raise NotFound(f"OAuth client {client_id} not found")
    return client


async def rotate_secret(
    session: AsyncSession, runtime: Runtime, client_id: str, overlap_seconds: int
) -> str:
    """A new secret; the old ones keep working for `overlap_seconds`, then stop."""
    client = await get_client(session, client_id)
    until = runtime.clock.now() + timedelta(seconds=overlap_seconds)
    await repository.expire_live_secrets(session, client.id, until)
    runtime.caches.of(ClientCache).forget(client.id)
    return await _add_secret(session, runtime, client)


async def revoke_client(session: AsyncSession, runtime: Runtime, client_id: str) -> OAuthClient:
    client = await get_client(session, client_id)
    if client.revoked_at is None:
        client.revoked_at = runtime.clock.now()
    await session.flush()
    runtime.caches.of(ClientCache).forget(client.id)
    return client


@dataclass(frozen=True)
class MerchantClient:
    client: OAuthClient
    shared: bool  # bound to other merchants too: only an operator may revoke it


async def merchant_clients(
    session: AsyncSession, merchant_id: int, audience: str, limit: int = 100
) -> list[MerchantClient]:
    """The clients of `audience` that read this merchant's data, oldest first."""
    found = await repository.clients_of_merchant(session, merchant_id, audience, limit)
    return [MerchantClient(client, count > 1) for client, count in found]


def _ref(client: OAuthClient) -> ClientRef:
    return ClientRef(client.id, client.client_id, client.audience)


async def authenticate(runtime: Runtime, client_id: str, secret: str) -> ClientRef | None:
    """The client whose live secret this is, or None (unknown, wrong, expired, revoked)."""
    key = (client_id, runtime.secret_hash(secret))
    now = runtime.clock.now()
    cache = runtime.caches.of(ClientCache)
    hit = cache.credentials.get(key)
    if (
        hit is not None
        and hit.fresh_until > time.monotonic()
        and (hit.secret_expires_at is None or now < hit.secret_expires_at)
    ):
        return hit.ref
    async with runtime.db.transaction() as session:
        found = await repository.client_for_secret(session, client_id, key[1], now)
    if found is None:
        cache.credentials.pop(key, None)
        return None
    ref = _ref(found[0])
    cache.bound()
    cache.credentials[key] = Credential(ref, found[1], time.monotonic() + CACHE_SECONDS)
    return ref


def issue_access_token(runtime: Runtime, client: ClientRef) -> str:
    expires = int(runtime.clock.now().timestamp()) + ACCESS_TOKEN_SECONDS
    return tokens.issue(signing_key(runtime), Claims(client.pk, client.audience, expires))


async def active_client_ref(runtime: Runtime, claims: Claims) -> ClientRef | None:
    """The token's client if it is not revoked, from the cache when it is fresh."""
    cache = runtime.caches.of(ClientCache)
    hit = cache.active.get(claims.client_pk)
    if hit is not None and hit[1] > time.monotonic():
        return hit[0]
    async with runtime.db.transaction() as session:
        client = await active_client(session, claims)
    ref = _ref(client) if client is not None else None
    cache.bound()
    cache.active[claims.client_pk] = (ref, time.monotonic() + CACHE_SECONDS)
    return ref


async def active_client(session: AsyncSession, claims: Claims) -> OAuthClient | None:
    """The token's client, if it still exists and is not revoked."""
    client = await repository.by_pk(session, claims.client_pk)
    if client is None or client.revoked_at is not None:
        return None
    return client
