"""State columns: enum members in Python, the same plain strings in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select, text
from sqlalchemy.exc import StatementError

from homerun.kit.enum_column import StrEnumColumn
from homerun.payments.models import Transaction
from homerun.payments.state import Kind, Result, State


def _table() -> Table:
    return Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("state", StrEnumColumn(State, 20), nullable=True),
    )


def test_the_column_is_the_varchar_it_was() -> None:
    column = StrEnumColumn(State, 20)
    assert isinstance(column.impl_instance, String) and column.impl_instance.length == 20
    assert column.enum is State
    assert isinstance(Transaction.__table__.c.state.type, StrEnumColumn)
    assert Transaction.__table__.c.kind.type.enum is Kind
    assert Transaction.__table__.c.result.type.enum is Result


def test_members_are_stored_as_their_value_and_read_back_as_members() -> None:
    table = _table()
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(table), [{"id": 1, "state": State.SETTLED}])
        connection.execute(insert(table), [{"id": 2, "state": "voided"}, {"id": 3, "state": None}])
        raw = connection.execute(text("SELECT state FROM t ORDER BY id")).scalars().all()
        read = connection.execute(select(table.c.state).order_by(table.c.id)).scalars().all()
    assert raw == ["settled", "voided", None]
    assert read == [State.SETTLED, State.VOIDED, None]
    assert [type(value) for value in read[:2]] == [State, State]


def test_a_value_that_is_not_a_member_is_refused_before_the_database() -> None:
    table = _table()
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    with engine.begin() as connection, pytest.raises(StatementError, match="not a valid State"):
        connection.execute(insert(table), [{"id": 1, "state": "lost"}])
