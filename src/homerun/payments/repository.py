"""All SQL for transactions. Every query is scoped to one merchant."""

from __future__ import annotations

import operator
import typing
from functools import partial
from typing import Any

from sqlalchemy import Insert, Table, bindparam, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.db.writes import write
from homerun.outbox import repository as outbox
from homerun.payments.events import PendingEvent
from homerun.payments.models import Transaction
from homerun.payments.row import NewTransaction
from homerun.tokenizer import repository as card_tokens
from homerun.tokenizer.repository import ExpiryWrite

_TRANSACTIONS = typing.cast(Table, Transaction.__table__)
_COLUMNS = [c for c in _TRANSACTIONS.columns if c.key != "id"]
_KEYS = [c.key for c in _COLUMNS]
# Reads every column's value from a NewTransaction in one call (a tuple, in _KEYS' order).
_READ_ROW = operator.attrgetter(*_KEYS)


def _insert_transaction() -> Insert:
    """INSERT of every column but id, from bind parameters named after the columns:
    built once, so each charge only binds values (no statement building per call)."""
    values = {c.key: bindparam(c.key, type_=c.type) for c in _COLUMNS}
    return insert(_TRANSACTIONS).values(values)


def _insert_transaction_with_event() -> Any:
    """PostgreSQL: the row, its outbox event and the card token's expiry in one statement
    (one round trip). Each table's part comes from its owner: the event's from the
    outbox (its trans_id is the id the row's insert assigns), the expiry's from the
    tokenizer (it matches no row when there is no expiry to write)."""
    new_row = (
        _insert_transaction()
        .returning(_TRANSACTIONS.c.id, _TRANSACTIONS.c.merchant_id)
        .cte("new_transaction")
    )
    event = outbox.insert_for_new_row(new_row, id_key="trans_id")
    return (
        select(new_row.c.id)
        .add_cte(event.cte("new_event"))
        .add_cte(card_tokens.expiry_part("token_expiry"))
    )


_INSERT = _insert_transaction().returning(_TRANSACTIONS.c.id)
_INSERT_WITH_EVENT = _insert_transaction_with_event()


def _row_values(txn: NewTransaction) -> dict[str, Any]:
    return dict(zip(_KEYS, _READ_ROW(txn), strict=True))


async def insert_new(
    session: AsyncSession,
    txn: NewTransaction,
    event: PendingEvent | None,
    *,
    expiry: ExpiryWrite | None = None,
) -> None:
    """Write a new transaction row with its outbox event, and the expiry its card needs
    written, through the unit of work (which decides when, and whether in a transaction).

    Core statements, not the ORM's unit of work: a charge is the hot path, and its row
    is written exactly once, complete. `txn.id` is set once the insert has run.
    """
    values = _row_values(txn)
    assign_id = partial(setattr, txn, "id")
    if event is not None and session.get_bind().dialect.name == "postgresql":
        params = {
            **values,
            **outbox.event_params(event.event_type, event.payload, event.at),
            **card_tokens.expiry_params(expiry),
        }
        await write(session, _INSERT_WITH_EVENT, params, returned=assign_id)
        return
    await write(session, _INSERT, values, returned=assign_id)
    if event is not None:
        await _record_event(session, txn, event)
    if expiry is not None:
        await card_tokens.write_expiry(session, expiry)


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
    session: AsyncSession, txn: NewTransaction, event: PendingEvent | None
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


async def _record_event(session: AsyncSession, txn: NewTransaction, event: PendingEvent) -> None:
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
