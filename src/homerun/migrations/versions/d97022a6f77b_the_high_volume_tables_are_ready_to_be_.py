"""the high-volume tables are ready to be partitioned by time

A partitioned PostgreSQL table must hold its partition key in each of its unique constraints,
so a foreign key to its id alone is impossible (docs/operations.md, "Partitioning by time").
So:

- the foreign keys to transactions (a refund's parent, chargebacks, hosted-page payments,
  scheduled payments, billing attempts) and to outbox_events (webhook deliveries) go: each
  of those columns is written from the row its owner just read or wrote, transactions are
  never deleted, retention keeps an event while a delivery refers to it, and `homerun verify`
  (references.intact) finds an orphan;
- a delivery is unique per (event, endpoint, occurred_at): occurred_at is the event's own,
  so nothing new may now repeat, and the constraint holds the deliveries' partition key;
- ledger_entries.posted_at and webhook_deliveries.occurred_at, the partition keys of those
  tables, are indexed like transactions.created_at and outbox_events.occurred_at already are.

Revision ID: d97022a6f77b
Revises: 06dd8e32b2fb
Create Date: 2026-12-06 11:11:03.250888
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from alembic import op

revision: str = "d97022a6f77b"
down_revision: str | None = "06dd8e32b2fb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (table, column, referred table) of each foreign key that goes.
FOREIGN_KEYS = (
    ("billing_attempts", "transaction_id", "transactions"),
    ("chargebacks", "transaction_id", "transactions"),
    ("hosted_page_payments", "transaction_id", "transactions"),
    ("scheduled_payments", "trans_id", "transactions"),
    ("transactions", "parent_id", "transactions"),
    ("webhook_deliveries", "event_id", "outbox_events"),
)


def _sqlite_table_sql(table: str, change: Callable[[str], str]) -> None:
    """Change a SQLite table's CREATE statement in place: SQLite's documented way to remove
    or add a FOREIGN KEY constraint (which changes nothing stored). Alembic's way, a copy of
    the table and a DROP of the old one, fails here with foreign keys enforced
    (kit.db.engine) for a table others refer to: chargebacks, scheduled payments."""
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (change(sql), table)
    )
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def _fk_clause(table: str, column: str, referred: str) -> str:
    name = f"fk_{table}_{column}_{referred}"
    return f"CONSTRAINT {name} FOREIGN KEY({column}) REFERENCES {referred} (id)"


def _drop_foreign_key(table: str, column: str, referred: str) -> None:
    if op.get_context().dialect.name != "sqlite":
        op.drop_constraint(f"fk_{table}_{column}_{referred}", table, type_="foreignkey")
        return
    clause = re.escape(_fk_clause(table, column, referred))

    def without(sql: str) -> str:
        changed, found = re.subn(rf"\s*{clause}\s*,", "", sql)
        if not found:  # the last item of the statement: its comma is before it
            changed, found = re.subn(rf",\s*{clause}", "", sql)
        assert found == 1, f"{table}: no foreign key on {column}"
        return changed

    _sqlite_table_sql(table, without)


def _add_foreign_key(table: str, column: str, referred: str) -> None:
    if op.get_context().dialect.name != "sqlite":
        op.create_foreign_key(f"fk_{table}_{column}_{referred}", table, referred, [column], ["id"])
        return

    def with_it(sql: str) -> str:
        head, tail = sql.rsplit(")", 1)
        return f"{head.rstrip()}, \n\t{_fk_clause(table, column, referred)}\n){tail}"

    _sqlite_table_sql(table, with_it)


def upgrade() -> None:
    for table, column, referred in FOREIGN_KEYS:
        _drop_foreign_key(table, column, referred)
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_posted_at"), ["posted_at"], unique=False
        )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_webhook_deliveries_event_id_endpoint_id"), type_="unique"
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_webhook_deliveries_event_id_endpoint_id_occurred_at"),
            ["event_id", "endpoint_id", "occurred_at"],
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_webhook_deliveries_event_id_endpoint_id_occurred_at"), type_="unique"
        )
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_occurred_at"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_webhook_deliveries_event_id_endpoint_id"), ["event_id", "endpoint_id"]
        )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_posted_at"))
    for table, column, referred in FOREIGN_KEYS:
        _add_foreign_key(table, column, referred)
