"""Instance secrets: taken from settings, or generated once and kept in the database.

Generated keys let `homerun serve` work with no configuration; production sets
HOMERUN_SECRET_KEY and HOMERUN_MASTER_KEY so the keys never sit beside the data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.config import Settings
from homerun.instance.repository import get_or_create, get_value, set_value
from homerun.kit import crypto

ADMIN_TOKEN_HASH = "admin_token_hash"  # noqa: S105 - the name of a stored value
ADMIN_TOKEN_PREFIX = "hr_admin_"  # noqa: S105 - how every generated token starts


@dataclass(frozen=True)
class InstanceKeys:
    secret_key: bytes  # HMAC key for stored secret hashes and card fingerprints
    master_key: bytes  # AES key that wraps the data keys (homerun.keys)
    admin_token_hash: str
    generated_admin_token: str | None  # set only on the start that created it
    # Earlier master keys: they unwrap data keys wrapped before a rotation, never wrap.
    previous_master_keys: tuple[bytes, ...] = ()

    @property
    def master_keyring(self) -> crypto.MasterKeyring:
        return crypto.MasterKeyring(self.master_key, self.previous_master_keys)


def hash_admin_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def load_keys(
    session: AsyncSession, settings: Settings, *, generate_admin_token: bool = True
) -> InstanceKeys:
    """The instance keys; generate_admin_token=False leaves a missing admin token for
    `homerun serve` to create and show, rather than creating one nobody ever sees."""
    if settings.secret_key is not None:
        secret_key = settings.secret_key.get_secret_value().encode()
    else:
        value, _ = await get_or_create(session, "secret_key", secrets.token_hex(32))
        secret_key = value.encode()

    previous = [
        crypto.decode_key(text)
        for text in (settings.previous_master_keys or SecretStr("")).get_secret_value().split(",")
        if text.strip()
    ]
    if settings.master_key is not None:
        master_key = crypto.decode_key(settings.master_key.get_secret_value())
        # A key generated before the operator set one still unwraps what it wrapped.
        stored = await get_value(session, "master_key")
        if stored is not None:
            previous.append(crypto.decode_key(stored))
    else:
        value, _ = await get_or_create(session, "master_key", crypto.encode_key(crypto.new_key()))
        master_key = crypto.decode_key(value)

    generated: str | None = None
    if settings.admin_token is not None:
        admin_hash = hash_admin_token(settings.admin_token.get_secret_value())
    elif not generate_admin_token:
        admin_hash = await get_value(session, ADMIN_TOKEN_HASH) or ""  # "" matches no token
    else:
        candidate = new_admin_token()
        admin_hash, created = await get_or_create(
            session, ADMIN_TOKEN_HASH, hash_admin_token(candidate)
        )
        generated = candidate if created else None
    return InstanceKeys(
        secret_key,
        master_key,
        admin_hash,
        generated,
        tuple(key for key in previous if key != master_key),
    )


def admin_token_matches(keys: InstanceKeys, presented: str) -> bool:
    return bool(keys.admin_token_hash) and hmac.compare_digest(
        keys.admin_token_hash, hash_admin_token(presented)
    )


def new_admin_token() -> str:
    return ADMIN_TOKEN_PREFIX + secrets.token_urlsafe(24)


async def reset_admin_token(session: AsyncSession) -> str:
    """A new generated admin token; the old one stops working on every node."""
    token = new_admin_token()
    await set_value(session, ADMIN_TOKEN_HASH, hash_admin_token(token))
    return token


async def stored_admin_token_hash(session: AsyncSession) -> str | None:
    return await get_value(session, ADMIN_TOKEN_HASH)
