"""open-ended billing plans keep a rolling window of payment rows

Revision ID: 1d926c288c24
Revises: 0001
Create Date: 2026-12-06 05:06:06.031673
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1d926c288c24"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("billing_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("window_number", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("window_date", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("billing_plans", schema=None) as batch_op:
        batch_op.drop_column("window_date")
        batch_op.drop_column("window_number")
