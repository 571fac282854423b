"""Vault holders (customers) and their payment accounts.

An account points at one of the merchant's card tokens or bank-account (ACH) tokens
(homerun.tokenizer), the only places a card or account number lives, encrypted: exactly
one of `card_token_id` and `ach_token_id` is set. Nothing here holds a card number, a
CVV or an account number; brand, type, last four and expiry are kept to answer Get Vault.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, UTCDateTime


class VaultHolder(Base):
    __tablename__ = "vault_holders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # the wire vault_holder_id
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaymentAccount(Base):
    """A stored payment method: `id` is the integer vault_id, `uuid` the time-ordered one."""

    __tablename__ = "vault_payment_accounts"
    __table_args__ = (Index("ix_vault_payment_accounts_holder", "holder_id", "is_deleted"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("vault_holders.id"))
    card_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("card_tokens.id"), index=True, nullable=True
    )
    ach_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("ach_tokens.id"), index=True, nullable=True
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Stored with the cardholder's permission (cof_perm "Y"): merchant-initiated
    # charges (cof "M") need it.
    cof_permission: Mapped[bool] = mapped_column(Boolean, default=False)

    brand: Mapped[str] = mapped_column(String(16))  # "ACH" for a bank account
    account_type: Mapped[int] = mapped_column(Integer)  # 1 credit, 2 debit, 3 checking, 4 savings
    last_four: Mapped[str] = mapped_column(String(4))
    expiry: Mapped[str | None] = mapped_column(String(4), nullable=True)  # MMYY

    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    nickname: Mapped[str | None] = mapped_column(String(255), nullable=True)
    address1: Mapped[str | None] = mapped_column(String(255), nullable=True)
    address2: Mapped[str | None] = mapped_column(String(255), nullable=True)
    city: Mapped[str | None] = mapped_column(String(255), nullable=True)
    region: Mapped[str | None] = mapped_column(String(255), nullable=True)
    country: Mapped[str | None] = mapped_column(String(255), nullable=True)
    account_zip: Mapped[str | None] = mapped_column(String(16), nullable=True)
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(255), nullable=True)
    ach_acct_type_id: Mapped[str | None] = mapped_column(String(1), nullable=True)
    custom_06: Mapped[str | None] = mapped_column(String(255), nullable=True)
    custom_07: Mapped[str | None] = mapped_column(String(255), nullable=True)
    custom_08: Mapped[str | None] = mapped_column(String(255), nullable=True)
    custom_09: Mapped[str | None] = mapped_column(String(255), nullable=True)
    custom_10: Mapped[str | None] = mapped_column(String(255), nullable=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
