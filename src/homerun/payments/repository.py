"""All SQL for transactions. Every query is scoped to one merchant."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Insert,
    String,
    Table,
    Text,
    bindparam,
    cast,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.db.base import UTCDateTime
from homerun.payments.events import PendingEvent
from homerun.payments.models import Transaction
from homerun.tokenizer.models import CardToken
from homerun.webhooks import outbox
from homerun.webhooks.models import OutboxEvent

_TRANSACTIONS = typing.cast(Table, Transaction.__table__)
_OUTBOX = typing.cast(Table, OutboxEvent.__table__)
_CARD_TOKENS = typing.cast(Table, CardToken.__table__)
_COLUMNS = [c for c in _TRANSACTIONS.columns if c.key != "id"]
_KEYS = [c.key for c in _COLUMNS]


def _insert_transaction() -> Insert:
    """INSERT of every column but id, from bind parameters named after the columns:
    built once, so each charge only binds values (no statement building per call)."""
    values = {c.key: bindparam(c.key, type_=c.type) for c in _COLUMNS}
    return insert(_TRANSACTIONS).values(values)


def _insert_transaction_with_event() -> Any:
    """PostgreSQL: the row, its outbox event and the card token's expiry in one statement
    (one round trip); the event's source_id and payload trans_id come from the id the
    first insert assigns. The expiry update matches nothing when token_id is NULL."""
    new_row = (
        _insert_transaction()
        .returning(_TRANSACTIONS.c.id, _TRANSACTIONS.c.merchant_id)
        .cte("new_transaction")
    )
    trans_id = cast(new_row.c.id, Text)
    payload = func.jsonb_build_object("trans_id", trans_id).op("||")(
        bindparam("event_payload", type_=postgresql.JSONB)
    )
    event = insert(_OUTBOX).from_select(
        ["merchant_id", "event_type", "source_id", "payload", "occurred_at"],
        select(
            new_row.c.merchant_id,
            bindparam("event_type", type_=String),
            cast(new_row.c.id, String),
            payload,
            bindparam("event_at", type_=UTCDateTime),
        ).select_from(new_row),
    )
    # Textual: as an update() here, SQLAlchemy would also SET every card_tokens column
    # named like one of the statement's parameters (merchant_id, bin, last_four, ...).
    token_expiry = text(
        "UPDATE card_tokens SET expiry = :token_expiry"
        " WHERE id = :token_id AND expiry IS DISTINCT FROM :token_expiry"
    ).bindparams(
        bindparam("token_id", type_=_CARD_TOKENS.c.id.type),
        bindparam("token_expiry", type_=String),
    )
    return (
        select(new_row.c.id)
        .add_cte(event.cte("new_event"))
        .add_cte(token_expiry.columns().cte("token_expiry"))
    )


# A remembered card's expiry (homerun.tokenizer.cache), written only when it changed.
_UPDATE_TOKEN_EXPIRY = (
    update(_CARD_TOKENS)
    .where(
        _CARD_TOKENS.c.id == bindparam("token_id", type_=_CARD_TOKENS.c.id.type),
        _CARD_TOKENS.c.expiry.is_distinct_from(bindparam("token_expiry", type_=String)),
    )
    .values(expiry=bindparam("token_expiry", type_=String))
)
_INSERT = _insert_transaction().returning(_TRANSACTIONS.c.id)
_INSERT_WITH_EVENT = _insert_transaction_with_event()


@dataclass(frozen=True, slots=True)
class TokenExpiry:
    """The expiry a charge brought for a card whose token row it did not read."""

    card_token_id: int
    expiry: str


def _row_values(txn: Transaction) -> dict[str, Any]:
    # Straight from the instance's dict: a new row has every attribute it was given
    # there, and the attribute descriptors would cost more than the insert's binding.
    given = txn.__dict__
    values = {key: given.get(key) for key in _KEYS}
    missing = [c.key for c in _COLUMNS if values[c.key] is None and not c.nullable]
    if missing:
        raise ValueError(f"transaction row without {', '.join(missing)}")
    return values


async def insert_with_event(
    session: AsyncSession,
    txn: Transaction,
    event: PendingEvent | None,
    *,
    token_expiry: TokenExpiry | None = None,
    unit_ends_here: bool = False,
) -> None:
    """Write a new transaction row, and its outbox event, in the session's transaction.

    Core statements, not the ORM's unit of work: a charge is the hot path, and its row
    is written exactly once, complete. `txn` stays outside the session with its new id.

    `unit_ends_here`: the caller writes nothing more in this unit of work. If nothing
    was read or written in it yet either, the one statement of PostgreSQL commits on its
    own (autocommit): atomic by itself, and two round trips (BEGIN, COMMIT) cheaper. The
    session's connection then stays in autocommit to the end of the unit, which is why
    anything written after it (an idempotent answer, say) must not claim this.
    """
    values = _row_values(txn)
    if event is not None and session.get_bind().dialect.name == "postgresql":
        params = {
            **values,
            "event_payload": event.payload,
            "event_type": event.event_type,
            "event_at": event.at,
            "token_id": token_expiry.card_token_id if token_expiry else None,
            "token_expiry": token_expiry.expiry if token_expiry else None,
        }
        if unit_ends_here and not session.in_transaction():
            alone = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            txn.id = (await alone.execute(_INSERT_WITH_EVENT, params)).scalar_one()
        else:
            txn.id = (await session.execute(_INSERT_WITH_EVENT, params)).scalar_one()
        return
    txn.id = (await session.execute(_INSERT, values)).scalar_one()
    if event is not None:
        await _record_event(session, txn, event)
    if token_expiry is not None:
        await session.execute(
            _UPDATE_TOKEN_EXPIRY,
            {"token_id": token_expiry.card_token_id, "token_expiry": token_expiry.expiry},
        )


async def add(session: AsyncSession, txn: Transaction) -> Transaction:
    session.add(txn)
    await session.flush()
    return txn


_UPDATE_PENDING = (
    update(_TRANSACTIONS)
    .where(_TRANSACTIONS.c.id == bindparam("row_id"), _TRANSACTIONS.c.state == "pending")
    .values({c.key: bindparam(c.key, type_=c.type) for c in _COLUMNS})
)


async def record_outcome(
    session: AsyncSession, txn: Transaction, event: PendingEvent | None
) -> bool:
    """The processor's answer onto an attempt committed before the call (a remote
    processor), with its event. False when the row is no longer pending: reconciliation
    got there first and recorded the outcome itself."""
    values = {**_row_values(txn), "row_id": txn.id}
    updated = typing.cast(CursorResult[Any], await session.execute(_UPDATE_PENDING, values))
    if updated.rowcount != 1:
        return False
    if event is not None:
        await _record_event(session, txn, event)
    return True


async def _record_event(session: AsyncSession, txn: Transaction, event: PendingEvent) -> None:
    """The outbox row of an event whose transaction has its id."""
    trans_id = str(txn.id)
    await outbox.append(
        session,
        merchant_id=txn.merchant_id,
        event_type=event.event_type,
        source_id=trans_id,
        payload={"trans_id": trans_id, **event.payload},
        at=event.at,
    )


def parse_trans_id(trans_id: str) -> int | None:
    """trans_ids are numeric strings; anything else cannot exist.

    Only ASCII digits count: str.isdigit() is also true of superscripts, which
    int() rejects, and of other scripts' digits, which int() reads as a number.
    """
    text = trans_id.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)


async def get_for_update(
    session: AsyncSession, merchant_id: int, trans_id: str
) -> Transaction | None:
    """The merchant's transaction, row-locked until the request's transaction ends."""
    key = parse_trans_id(trans_id)
    if key is None:
        return None
    stmt = (
        select(Transaction)
        .where(Transaction.id == key, Transaction.merchant_id == merchant_id)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, merchant_id: int, trans_id: str) -> Transaction | None:
    key = parse_trans_id(trans_id)
    if key is None:
        return None
    stmt = select(Transaction).where(Transaction.id == key, Transaction.merchant_id == merchant_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def refunds_of(session: AsyncSession, parent_id: int) -> Sequence[Transaction]:
    stmt = select(Transaction).where(Transaction.parent_id == parent_id).order_by(Transaction.id)
    return (await session.execute(stmt)).scalars().all()
