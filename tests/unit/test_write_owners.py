"""Tables with one writer: events are appended to outbox_events only by homerun.outbox
(which also marks them sent for the webhook fan-out), card_tokens is written only by the
tokenizer, whatever statement a charge combines their parts into; and the charge's plain
row has exactly the transactions table's columns."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from homerun.payments.models import Transaction
from homerun.payments.row import NewTransaction

SRC = Path(__file__).resolve().parents[2] / "src" / "homerun"

# What writing a table looks like in this code base: an ORM row made, or SQL naming it.
WRITES = {
    "outbox_events": (
        re.compile(r"(?<!class )\bOutboxEvent\("),
        re.compile(r"INSERT INTO outbox_events", re.IGNORECASE),
        re.compile(r"insert\((OutboxEvent|_OUTBOX)\b"),
    ),
    "card_tokens": (
        re.compile(r"(?<!class )\bCardToken\("),
        re.compile(r"(INSERT INTO|UPDATE|DELETE FROM) card_tokens", re.IGNORECASE),
        re.compile(r"(insert|update|delete)\((CardToken|_CARD_TOKENS)\b"),
    ),
}
OWNERS = {"outbox_events": ("outbox/",), "card_tokens": ("tokenizer/",)}


def _writers(table: str) -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("migrations/"):
            continue
        text = path.read_text()
        if any(pattern.search(text) for pattern in WRITES[table]):
            found.add(relative)
    return found


@pytest.mark.parametrize("table", sorted(WRITES))
def test_only_the_owner_writes_the_table(table: str) -> None:
    writers = _writers(table)
    assert writers, f"no writer of {table} found: the patterns are out of date"
    strangers = {w for w in writers if not w.startswith(OWNERS[table])}
    assert strangers == set()


def test_a_new_transaction_has_exactly_the_columns_of_the_table() -> None:
    columns = {c.key for c in Transaction.__table__.columns}
    assert {f.name for f in dataclasses.fields(NewTransaction)} == columns
