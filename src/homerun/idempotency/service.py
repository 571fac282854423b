"""Idempotency-Key on any POST (ruling R12).

The key is reserved in its own short transaction (so a concurrent retry sees
it and gets 409); the work and the stored response then commit together, so a
replay always matches what happened. A reservation whose request died is taken
over after a minute.

The stored response is sealed with the master key: a refresh or a credential
issue answers with secrets, and R2 keeps no secret in the clear. Answers are plain
status, body and headers here; homerun.calls turns them into HTTP responses.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson
from cryptography.exceptions import InvalidTag
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import Conflict, Unprocessable, ValidationFailed
from homerun.idempotency import repository
from homerun.idempotency.models import IdempotencyRecord, RecordState
from homerun.kit.crypto import Sealer
from homerun.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Answer:
    """What a keyed request answered: kept, and replayed to a retry."""

    status_code: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # those that carry meaning


_SEAL_CONTEXT = b"idempotency_records.response"


def request_fingerprint(runtime: Runtime, method: str, path: str, body: bytes) -> str:
    """A keyed hash of the request, so a stored hash of a card number reveals nothing.

    A JSON body is hashed in a canonical form (keys sorted, no spacing), so a retry
    that serialises the same request differently is still the same request.
    """
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = body
    digest = hashlib.sha256(canonical).hexdigest()
    return runtime.secret_hash(f"{method} {path} {digest}")


async def reserve(runtime: Runtime, scope: str, key: str, fingerprint: str) -> Answer | None:
    """Reserve `key` in a short transaction of its own, so a concurrent retry sees it (409).

    Returns the kept answer of an earlier request with this key, to replay, or None when
    the work is this request's to do; it then ends with `finish` in the work's own
    transaction, or with `keep_fault` or `release` when the work fails.
    """
    if not 1 <= len(key) <= 255:
        raise ValidationFailed.field("Idempotency-Key", "must be 1 to 255 characters")
    return await _reserve(runtime, scope, key, fingerprint)


async def keep_fault(runtime: Runtime, scope: str, key: str, answer: Answer) -> None:
    """A request-level fault is an answer too: kept (the work's transaction rolled back)."""
    async with runtime.db.transaction() as session:
        await finish(runtime, session, scope, key, answer)


async def release(runtime: Runtime, scope: str, key: str) -> None:
    """Any other failure gives the key back, so that a retry runs the work again."""
    async with runtime.db.transaction() as session:
        await repository.remove(session, scope, key)


async def _reserve(runtime: Runtime, scope: str, key: str, fingerprint: str) -> Answer | None:
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        existing = await repository.find(session, scope, key)
        abandoned_after = timedelta(seconds=runtime.settings.idempotency_abandoned_seconds)
        if existing is not None and not _stale(existing, now, abandoned_after):
            return _answer_existing(runtime, existing, fingerprint)
        if existing is not None:
            await session.delete(existing)
            await session.flush()
        record = IdempotencyRecord(
            scope=scope,
            key=key,
            request_hash=fingerprint,
            state=RecordState.RUNNING,
            created_at=now,
            expires_at=now + timedelta(seconds=runtime.settings.idempotency_ttl_seconds),
        )
        try:
            await repository.add(session, record)
        except IntegrityError:
            raise Conflict("a request with this Idempotency-Key is still running") from None
    return None


def _stale(record: IdempotencyRecord, now: datetime, abandoned_after: timedelta) -> bool:
    """Expired, or reserved by a request that has had far longer than any request takes
    (its process died before it could finish or release the key)."""
    if record.expires_at <= now:
        return True
    return record.state is RecordState.RUNNING and record.created_at + abandoned_after <= now


def _answer_existing(runtime: Runtime, record: IdempotencyRecord, fingerprint: str) -> Answer:
    if record.request_hash != fingerprint:
        raise Unprocessable("this Idempotency-Key was used with a different request")
    if record.state is RecordState.RUNNING:
        raise Conflict("a request with this Idempotency-Key is still running")
    assert record.status_code is not None and record.response_body is not None
    body, headers = _unseal(runtime, record.response_body)
    return Answer(record.status_code, body, headers)


def _seal(runtime: Runtime, answer: Answer) -> bytes:
    envelope = {"headers": answer.headers, "body": base64.b64encode(answer.body).decode()}
    return runtime.sealer.seal(orjson.dumps(envelope).decode(), _SEAL_CONTEXT)


def _unseal(runtime: Runtime, stored: bytes) -> tuple[bytes, dict[str, str]]:
    return _open(runtime.sealer, stored)


def kept_body(sealer: Sealer, stored: bytes) -> bytes:
    """The body of a kept answer, as a retry would be answered (for homerun.verify)."""
    return _open(sealer, stored)[0]


def _open(sealer: Sealer, stored: bytes) -> tuple[bytes, dict[str, str]]:
    try:
        envelope = orjson.loads(sealer.open(stored, _SEAL_CONTEXT))
    except (ValueError, InvalidTag):
        return stored, {}  # a record written before responses were sealed
    return base64.b64decode(envelope["body"]), dict(envelope["headers"])


async def finish(
    runtime: Runtime, session: AsyncSession, scope: str, key: str, answer: Answer
) -> None:
    """Keep the work's answer in the work's own transaction: both commit or neither."""
    record = await repository.find(session, scope, key)
    if record is None:
        return
    record.state = RecordState.DONE
    record.status_code = answer.status_code
    record.response_body = _seal(runtime, answer)
