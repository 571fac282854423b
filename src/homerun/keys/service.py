"""Data keys: get (or make) the one for a scope, open one by id, re-wrap them all.

Envelope encryption: a card number is encrypted under its merchant's data key; the data
key is stored only wrapped (AES-256-GCM) by the master key from settings. Rotating the
master key therefore rewrites one short row per merchant and never a card row.

Unwrapped data keys are cached per process (runtime.data_keys), but only once the row
that holds them is known to be committed: a key this transaction just made is not
cached until a later transaction reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.keys import repository
from homerun.keys.models import DataKey
from homerun.kit.crypto import DataCipher, MasterKeyring, UnknownMasterKey, new_key
from homerun.runtime import Runtime

INSTANCE_SCOPE = "instance"
REWRAP_BATCH = 500


def merchant_scope(merchant_id: int) -> str:
    return f"merchant:{merchant_id}"


def _wrap_context(scope: str, version: int) -> bytes:
    return f"data_keys|{scope}|{version}".encode()


@dataclass(frozen=True, slots=True)
class DataKeyHandle:
    id: int
    cipher: DataCipher


async def _current_key(
    session: AsyncSession,
    keyring: MasterKeyring,
    scope: str,
    merchant_id: int | None,
    now: datetime,
) -> tuple[DataKey, bytes, bool]:
    """The scope's current data key row and its plain key; True if this call made it."""
    row = await repository.current(session, scope)
    made = False
    if row is None:
        master_id, wrapped = keyring.wrap(new_key(), _wrap_context(scope, 1))
        made = await repository.insert_if_absent(
            session,
            {
                "scope": scope,
                "merchant_id": merchant_id,
                "version": 1,
                "master_key_id": master_id,
                "wrapped_key": wrapped,
                "created_at": now,
            },
        )
        row = await repository.current(session, scope)
        assert row is not None
    plain = keyring.unwrap(row.master_key_id, row.wrapped_key, _wrap_context(scope, row.version))
    return row, plain, made


async def instance_key(session: AsyncSession, keyring: MasterKeyring, now: datetime) -> bytes:
    """The data key that seals the instance's own secrets (runtime.sealer)."""
    _, plain, _ = await _current_key(session, keyring, INSTANCE_SCOPE, None, now)
    return plain


async def for_merchant(session: AsyncSession, runtime: Runtime, merchant_id: int) -> DataKeyHandle:
    """The merchant's current data key, made on first use."""
    scope = merchant_scope(merchant_id)
    cached = runtime.data_keys.current.get(scope)
    if cached is not None:
        return DataKeyHandle(*cached)
    row, plain, made = await _current_key(
        session, runtime.keys.master_keyring, scope, merchant_id, runtime.clock.now()
    )
    handle = DataKeyHandle(row.id, DataCipher(plain))
    if not made:
        runtime.data_keys.current[scope] = (handle.id, handle.cipher)
        runtime.data_keys.by_id[handle.id] = handle.cipher
    return handle


async def by_id(session: AsyncSession, runtime: Runtime, data_key_id: int) -> DataCipher:
    cached = runtime.data_keys.by_id.get(data_key_id)
    if cached is not None:
        return cached
    row = await repository.by_id(session, data_key_id)
    if row is None:
        raise LookupError(f"data key {data_key_id} does not exist")
    plain = runtime.keys.master_keyring.unwrap(
        row.master_key_id, row.wrapped_key, _wrap_context(row.scope, row.version)
    )
    cipher = DataCipher(plain)
    runtime.data_keys.by_id[data_key_id] = cipher
    return cipher


# ----------------------------------------------------------------------------- rotation


@dataclass
class Rotation:
    master_key_id: str
    rewrapped: int = 0
    unreadable: list[int] = field(default_factory=list)  # rows no known master key opens


async def rotate(runtime: Runtime, batch: int = REWRAP_BATCH) -> Rotation:
    """Re-wrap every data key not yet under the current master key (streamed, in batches;
    safe to run again, and beside running servers that know both keys)."""
    keyring = runtime.keys.master_keyring
    report = Rotation(keyring.current_id)
    after = 0
    while True:
        async with runtime.db.transaction() as session:
            rows = await repository.to_rewrap(session, keyring.current_id, after, batch)
            for row in rows:
                context = _wrap_context(row.scope, row.version)
                try:
                    plain = keyring.unwrap(row.master_key_id, row.wrapped_key, context)
                except UnknownMasterKey:
                    report.unreadable.append(row.id)
                    continue
                row.master_key_id, row.wrapped_key = keyring.wrap(plain, context)
                row.rewrapped_at = runtime.clock.now()
                report.rewrapped += 1
            await session.flush()
        if len(rows) < batch:
            return report
        after = rows[-1].id


async def status(runtime: Runtime) -> dict[str, int]:
    """How many data keys each master key wraps."""
    async with runtime.db.transaction() as session:
        return await repository.count_by_master(session)
