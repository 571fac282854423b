"""Payments API credentials: issue, authenticate, refresh with rotation, revoke (ruling R2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import repository
from homerun.auth.cache import ApiKeyCache
from homerun.auth.models import ApiSecret, CredentialSet
from homerun.auth.state import SecretKind
from homerun.errors import KeyNotFound, NotFound, Unauthorized
from homerun.kit.clock import unix_seconds
from homerun.kit.ids import new_secret
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime


@dataclass(frozen=True)
class IssuedCredentials:
    credential_id: int
    api_key: str
    refresh_token: str
    public_key: str
    api_key_expires_at: int
    refresh_token_expires_at: int


def _prefixes(runtime: Runtime) -> tuple[str, str, str]:
    env = "live" if runtime.settings.mode.value == "live" else "test"
    return f"sk_{env}", f"rt_{env}", f"pk_{env}"


async def _issue_secrets(
    session: AsyncSession, runtime: Runtime, credential_set: CredentialSet, now: datetime
) -> IssuedCredentials:
    settings = runtime.settings
    api_prefix, refresh_prefix, _ = _prefixes(runtime)
    api_key, refresh_token = new_secret(api_prefix), new_secret(refresh_prefix)
    api_expiry = now + timedelta(seconds=settings.api_key_ttl_seconds)
    refresh_expiry = now + timedelta(seconds=settings.refresh_token_ttl_seconds)
    session.add_all(
        [
            ApiSecret(
                credential_set_id=credential_set.id,
                kind=SecretKind.API,
                secret_hash=runtime.secret_hash(api_key),
                expires_at=api_expiry,
                created_at=now,
            ),
            ApiSecret(
                credential_set_id=credential_set.id,
                kind=SecretKind.REFRESH,
                secret_hash=runtime.secret_hash(refresh_token),
                expires_at=refresh_expiry,
                created_at=now,
            ),
        ]
    )
    await session.flush()
    return IssuedCredentials(
        credential_id=credential_set.id,
        api_key=api_key,
        refresh_token=refresh_token,
        public_key=credential_set.public_key,
        api_key_expires_at=unix_seconds(api_expiry),
        refresh_token_expires_at=unix_seconds(refresh_expiry),
    )


async def issue(session: AsyncSession, runtime: Runtime, merchant: Merchant) -> IssuedCredentials:
    now = runtime.clock.now()
    _, _, public_prefix = _prefixes(runtime)
    credential_set = CredentialSet(
        merchant_id=merchant.id, public_key=new_secret(public_prefix), created_at=now
    )
    session.add(credential_set)
    await session.flush()
    return await _issue_secrets(session, runtime, credential_set, now)


async def authenticate(runtime: Runtime, api_key: str) -> Merchant:
    """The merchant whose live api_key this is: from the runtime's cache when fresh, else
    read in a short transaction of its own, before the request's unit of work begins
    (so that nothing of the request is looked at for a caller without a key, R2)."""
    secret_hash = runtime.secret_hash(api_key)
    keys = runtime.caches.of(ApiKeyCache)
    cached = keys.get(secret_hash, runtime.clock.now())
    if cached is not None:
        return cached
    return await keys.look_up_once(secret_hash, lambda: _look_up(runtime, secret_hash))


async def _look_up(runtime: Runtime, secret_hash: str) -> Merchant:
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        found = await repository.live_api_key(session, secret_hash, now)
    if found is None:
        raise KeyNotFound()
    merchant, set_id, expires_at = found
    # The same session-free snapshot a cache hit returns, whichever way it was found.
    return runtime.caches.of(ApiKeyCache).put(secret_hash, merchant, set_id, expires_at)


async def authenticate_public_key(session: AsyncSession, public_key: str) -> Merchant:
    merchant = await repository.merchant_for_public_key(session, public_key)
    if merchant is None:
        raise Unauthorized("public_key not recognised")
    return merchant


def _usable(secret: ApiSecret, now: datetime) -> bool:
    return secret.consumed_at is None and secret.expires_at > now


async def refresh(
    session: AsyncSession, runtime: Runtime, presented: list[str]
) -> IssuedCredentials:
    """Rotate a credential set, given any of the shapes clients send (ruling R2).

    It succeeds when one presented value is an unexpired, unconsumed refresh
    token or a live api_key; every presented value must belong to that set.
    """
    now = runtime.clock.now()
    values = list(dict.fromkeys(v for v in presented if v))
    if not values:
        raise KeyNotFound()
    found = await repository.secrets_by_hash(session, [runtime.secret_hash(v) for v in values])
    usable = [(s, c) for s, c in found if _usable(s, now) and c.revoked_at is None]
    usable.sort(key=lambda pair: pair[0].kind is not SecretKind.REFRESH)  # prefer the refresh token
    if not usable:
        raise KeyNotFound()
    credential_set = usable[0][1]
    if any(c.id != credential_set.id for _, c in found):
        raise Unauthorized("the presented keys belong to different credentials")
    return await _rotate(session, runtime, credential_set, now)


async def _rotate(
    session: AsyncSession, runtime: Runtime, credential_set: CredentialSet, now: datetime
) -> IssuedCredentials:
    """New secrets for a set: its refresh tokens are used up at once, its api_keys keep
    working for the rotation grace, so that a deploy can pick up the new key."""
    grace_until = now + timedelta(seconds=runtime.settings.rotation_grace_seconds)
    await repository.retire_live_secrets(session, credential_set.id, now, grace_until)
    runtime.caches.of(ApiKeyCache).forget_set(credential_set.id)
    return await _issue_secrets(session, runtime, credential_set, now)


async def roll(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, credential_id: int
) -> IssuedCredentials:
    """The same rotation as `refresh`, asked for by the merchant's signed-in people (who
    hold no secret to present) rather than by a holder of the keys."""
    credential_set = await repository.set_of_merchant(session, merchant.id, credential_id)
    if credential_set is None or credential_set.revoked_at is not None:
        raise NotFound(f"credential {credential_id} not found for merchant {merchant.mid}")
    return await _rotate(session, runtime, credential_set, runtime.clock.now())


async def revoke(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, credential_id: int
) -> CredentialSet:
    credential_set = await repository.set_of_merchant(session, merchant.id, credential_id)
    if credential_set is None:
        raise NotFound(f"credential {credential_id} not found for merchant {merchant.mid}")
    if credential_set.revoked_at is None:
        credential_set.revoked_at = runtime.clock.now()
    runtime.caches.of(ApiKeyCache).forget_set(credential_set.id)
    return credential_set


async def list_sets(session: AsyncSession, merchant: Merchant) -> list[CredentialSet]:
    return list(await repository.sets_of(session, merchant.id))
