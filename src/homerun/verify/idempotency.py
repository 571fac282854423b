"""Every idempotency record agrees with what it answered (ruling R12): a finished record
keeps a status and an answer, and a kept payment answer names a transaction that exists, of
the merchant whose key it is. That is what "a retry with the same key is answered with what
happened" rests on: the answer was committed with the work, so its transaction is there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import orjson
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.idempotency.models import IdempotencyRecord, RecordState
from homerun.idempotency.service import kept_body
from homerun.payments.models import Transaction
from homerun.verify.reader import rows
from homerun.verify.violation import Check, Scope, Violation

RECORDS = "idempotency.records"
ANSWERS = "idempotency.answers"

R = IdempotencyRecord
_MERCHANT_SCOPE = "merchant:"
# Kept answers whose transactions are looked up together: one query per this many.
_CHUNK = 500


async def unfinished_records(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    stmt = select(R.id, R.scope).where(
        R.state == RecordState.DONE, or_(R.status_code.is_(None), R.response_body.is_(None))
    )
    async for record_id, scope in rows(session, stmt):
        yield Violation(RECORDS, str(record_id), f"{scope}: done, but keeps no status or answer")


@dataclass(frozen=True, slots=True)
class _Named:
    record_id: int
    merchant_id: int
    trans_id: str


def _names(body: object) -> list[str]:
    """The transactions a kept payment answer names: its trans_id (and original_trans_id
    of a refund). A refusal (it has a `reason`) echoes whatever trans_id it was asked
    about, which need not exist: it names none."""
    if not isinstance(body, dict) or "trans_id" not in body or "reason" in body:
        return []
    return [str(body[key]) for key in ("trans_id", "original_trans_id") if body.get(key)]


async def _missing(session: AsyncSession, named: list[_Named]) -> AsyncIterator[Violation]:
    ids = {int(n.trans_id) for n in named if n.trans_id.isdigit()}
    owners: dict[int, int] = {}
    if ids:
        stmt = select(Transaction.id, Transaction.merchant_id).where(Transaction.id.in_(ids))
        owners = {trans_id: merchant_id for trans_id, merchant_id in await session.execute(stmt)}
    for n in named:
        owner = owners.get(int(n.trans_id)) if n.trans_id.isdigit() else None
        if owner is None:
            yield Violation(
                ANSWERS, str(n.record_id), f"answered trans_id {n.trans_id}, which does not exist"
            )
        elif owner != n.merchant_id:
            yield Violation(
                ANSWERS,
                str(n.record_id),
                f"answered trans_id {n.trans_id}, a transaction of another merchant",
            )


async def answers_astray(session: AsyncSession, scope: Scope) -> AsyncIterator[Violation]:
    stmt = select(R.id, R.scope, R.response_body).where(
        R.state == RecordState.DONE,
        R.status_code == 200,
        R.response_body.is_not(None),
        R.scope.startswith(_MERCHANT_SCOPE),
    )
    named: list[_Named] = []
    async for record_id, record_scope, stored in rows(session, stmt):
        try:
            body = orjson.loads(kept_body(scope.sealer, stored))
        except orjson.JSONDecodeError:
            yield Violation(
                ANSWERS, str(record_id), f"{record_scope}: its kept answer cannot be read"
            )
            continue
        merchant_id = int(record_scope.removeprefix(_MERCHANT_SCOPE))
        named.extend(_Named(record_id, merchant_id, name) for name in _names(body))
        if len(named) >= _CHUNK:
            async for found in _missing(session, named):
                yield found
            named = []
    if named:
        async for found in _missing(session, named):
            yield found


CHECKS = (
    Check(
        RECORDS, "a finished idempotency record keeps a status and an answer", unfinished_records
    ),
    Check(
        ANSWERS,
        "a kept payment answer names transactions that exist, of the key's own merchant",
        answers_astray,
    ),
)
