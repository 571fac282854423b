"""payments are found by status, invoice, amount and customer; a payment's events by their source

Revision ID: 5c1e0a7d2b94
Revises: d97022a6f77b
Create Date: 2026-12-06 11:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1e0a7d2b94"
down_revision: str | None = "d97022a6f77b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HAS_INVOICE = sa.text("invoice_id IS NOT NULL")
_HAS_HOLDER = sa.text("vault_holder_id IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_transactions_merchant_state",
        "transactions",
        ["merchant_id", "state", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_transactions_merchant_invoice",
        "transactions",
        ["merchant_id", "invoice_id"],
        unique=False,
        postgresql_where=_HAS_INVOICE,
        sqlite_where=_HAS_INVOICE,
    )
    op.create_index(
        "ix_transactions_merchant_amount",
        "transactions",
        ["merchant_id", "amount_requested", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_transactions_merchant_holder",
        "transactions",
        ["merchant_id", "vault_holder_id", "created_at", "id"],
        unique=False,
        postgresql_where=_HAS_HOLDER,
        sqlite_where=_HAS_HOLDER,
    )
    op.create_index("ix_outbox_events_source", "outbox_events", ["source_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_events_source", table_name="outbox_events")
    op.drop_index("ix_transactions_merchant_holder", table_name="transactions")
    op.drop_index("ix_transactions_merchant_amount", table_name="transactions")
    op.drop_index("ix_transactions_merchant_invoice", table_name="transactions")
    op.drop_index("ix_transactions_merchant_state", table_name="transactions")
