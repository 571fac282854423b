"""Payments API credentials: issue, authenticate, refresh with rotation, revoke (ruling R2)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import repository
from homerun.auth.models import ApiSecret, CredentialSet
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
                kind="api",
                secret_hash=runtime.secret_hash(api_key),
                expires_at=api_expiry,
                created_at=now,
            ),
            ApiSecret(
                credential_set_id=credential_set.id,
                kind="refresh",
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


@dataclass(frozen=True, slots=True)
class _KnownKey:
    merchant: Merchant
    credential_set_id: int
    expires_at: datetime  # instance clock: checked on every use
    fresh_until: float  # time.monotonic(): when to ask the database again


def _snapshot(merchant: Merchant) -> Merchant:
    """A copy that belongs to no session: a rollback elsewhere cannot expire it."""
    columns = Merchant.__table__.columns
    return Merchant(**{column.key: getattr(merchant, column.key) for column in columns})


class ApiKeyCache:
    """Per-process memory of recently authenticated api_keys (one round trip less a call).

    An entry is trusted for CACHE_SECONDS; the key's own expiry (including a rotation's
    grace period) is checked against the instance clock on every use. Refreshing or
    revoking a credential set, or changing a merchant, forgets at once in the process
    that did it; other server processes notice within CACHE_SECONDS.
    """

    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._keys: dict[str, _KnownKey] = {}

    def get(self, secret_hash: str, now: datetime) -> Merchant | None:
        known = self._keys.get(secret_hash)
        if known is None or known.fresh_until <= time.monotonic() or now >= known.expires_at:
            return None
        return known.merchant

    def put(self, secret_hash: str, merchant: Merchant, set_id: int, expires: datetime) -> None:
        if len(self._keys) >= self.MAX_ENTRIES:
            self._keys.clear()
        fresh_until = time.monotonic() + CACHE_SECONDS
        self._keys[secret_hash] = _KnownKey(_snapshot(merchant), set_id, expires, fresh_until)

    def forget_set(self, credential_set_id: int) -> None:
        for key in [k for k, v in self._keys.items() if v.credential_set_id == credential_set_id]:
            del self._keys[key]

    def clear(self) -> None:
        self._keys.clear()


CACHE = ApiKeyCache()
CACHE_SECONDS = 2.0


async def authenticate(session: AsyncSession, runtime: Runtime, api_key: str) -> Merchant:
    secret_hash = runtime.secret_hash(api_key)
    now = runtime.clock.now()
    cached = CACHE.get(secret_hash, now)
    if cached is not None:
        return cached
    found = await repository.live_api_key(session, secret_hash, now)
    if found is None:
        raise KeyNotFound()
    merchant, set_id, expires_at = found
    CACHE.put(secret_hash, merchant, set_id, expires_at)
    return merchant


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
    usable.sort(key=lambda pair: pair[0].kind != "refresh")  # prefer the refresh token
    if not usable:
        raise KeyNotFound()
    credential_set = usable[0][1]
    if any(c.id != credential_set.id for _, c in found):
        raise Unauthorized("the presented keys belong to different credentials")
    grace_until = now + timedelta(seconds=runtime.settings.rotation_grace_seconds)
    await repository.retire_live_secrets(session, credential_set.id, now, grace_until)
    CACHE.forget_set(credential_set.id)
    return await _issue_secrets(session, runtime, credential_set, now)


async def revoke(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, credential_id: int
) -> CredentialSet:
    credential_set = await repository.set_of_merchant(session, merchant.id, credential_id)
    if credential_set is None:
        raise NotFound(f"credential {credential_id} not found for merchant {merchant.mid}")
    if credential_set.revoked_at is None:
        credential_set.revoked_at = runtime.clock.now()
    CACHE.forget_set(credential_set.id)
    return credential_set


async def list_sets(session: AsyncSession, merchant: Merchant) -> list[CredentialSet]:
    return list(await repository.sets_of(session, merchant.id))
