"""transactions say whether a card or a bank account paid, with the ACH details
and what the bank sent back

Revision ID: bacb945674a3
Revises: af516aaf1ab6
Create Date: 2026-12-06 08:08:51.968665
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bacb945674a3"
down_revision: str | None = "af516aaf1ab6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "payment_method",
                sa.String(length=4),
                server_default="card",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("ach_account_type", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("ach_routing_number", sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column("ach_entry_class", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("ach_return_code", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("ach_return_reason", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("ach_change_code", sa.String(length=3), nullable=True))
        batch_op.add_column(
            sa.Column("ach_originated_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("ach_planned_return", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("ach_return_after_days", sa.Integer(), nullable=True))
        batch_op.alter_column(
            "com_ind",
            existing_type=sa.VARCHAR(length=1),
            type_=sa.String(length=3),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.alter_column(
            "com_ind",
            existing_type=sa.String(length=3),
            type_=sa.VARCHAR(length=1),
            existing_nullable=True,
        )
        batch_op.drop_column("ach_return_after_days")
        batch_op.drop_column("ach_planned_return")
        batch_op.drop_column("ach_originated_at")
        batch_op.drop_column("ach_change_code")
        batch_op.drop_column("ach_return_reason")
        batch_op.drop_column("ach_return_code")
        batch_op.drop_column("ach_entry_class")
        batch_op.drop_column("ach_routing_number")
        batch_op.drop_column("ach_account_type")
        batch_op.drop_column("payment_method")
