"""merchants say whether they take cards, ACH or both, and what an ACH return costs them

Revision ID: 4840b4111cd4
Revises: 9fe90d223f85
Create Date: 2026-12-06 08:02:24.261688
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4840b4111cd4"
down_revision: str | None = "9fe90d223f85"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "accepts",
                sa.String(length=8),
                server_default="cards",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("ach_return_fee", sa.BigInteger(), server_default="500", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.drop_column("ach_return_fee")
        batch_op.drop_column("accepts")
