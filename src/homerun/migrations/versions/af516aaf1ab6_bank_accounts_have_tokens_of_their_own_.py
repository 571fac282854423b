"""bank accounts have tokens of their own, sealed as card numbers are

Revision ID: af516aaf1ab6
Revises: 4840b4111cd4
Create Date: 2026-12-06 08:05:04.788997
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "af516aaf1ab6"
down_revision: str | None = "4840b4111cd4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ach_tokens",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "merchant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("token", sa.String(length=19), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column(
            "data_key_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("account_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("routing_number", sa.String(length=9), nullable=False),
        sa.Column("last_four", sa.String(length=4), nullable=False),
        sa.Column("account_type", sa.String(length=8), nullable=False),
        sa.Column("holder_name", sa.String(length=100), nullable=False),
        sa.Column("entry_class", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_key_id"], ["data_keys.id"], name=op.f("fk_ach_tokens_data_key_id_data_keys")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_ach_tokens_merchant_id_merchants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ach_tokens")),
        sa.UniqueConstraint(
            "merchant_id", "fingerprint", name=op.f("uq_ach_tokens_merchant_id_fingerprint")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_ach_tokens_token")),
    )


def downgrade() -> None:
    op.drop_table("ach_tokens")
