"""Card tokens: the only rows that hold a card number, and only encrypted.

Tokens belong to one merchant: the same card tokenized by two merchants gets two
tokens, two fingerprints and two ciphertexts under two data keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homerun.ach.bank_accounts import AccountType, EntryClass
from homerun.kit.db.base import Base, BigId, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn


class CardToken(Base):
    __tablename__ = "card_tokens"
    __table_args__ = (UniqueConstraint("merchant_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    token: Mapped[str] = mapped_column(String(19), unique=True)
    # Keyed hash (HMAC-SHA256) of the merchant and the card number: finds the same card
    # again without storing it.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # AES-256-GCM under the merchant's data key (homerun.keys), bound to the merchant.
    data_key_id: Mapped[int] = mapped_column(ForeignKey("data_keys.id"))
    pan_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    brand: Mapped[str] = mapped_column(String(16))
    bin: Mapped[str] = mapped_column(String(6))
    last_four: Mapped[str] = mapped_column(String(4))
    expiry: Mapped[str | None] = mapped_column(String(4), nullable=True)  # MMYY
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AchToken(Base):
    """A bank account's token (ruling R15): the only rows that hold an account number,
    sealed as card numbers are. A table of its own, beside card_tokens, so that no card
    path ever meets a bank account; tokens are drawn unused in both (service.py)."""

    __tablename__ = "ach_tokens"
    __table_args__ = (UniqueConstraint("merchant_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    token: Mapped[str] = mapped_column(String(19), unique=True)
    # Keyed hash of the merchant, routing number and account number.
    fingerprint: Mapped[str] = mapped_column(String(64))
    data_key_id: Mapped[int] = mapped_column(ForeignKey("data_keys.id"))
    account_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    routing_number: Mapped[str] = mapped_column(String(9))  # a bank's public identifier
    last_four: Mapped[str] = mapped_column(String(4))
    account_type: Mapped[AccountType] = mapped_column(StrEnumColumn(AccountType, 8))
    holder_name: Mapped[str] = mapped_column(String(100))
    entry_class: Mapped[EntryClass] = mapped_column(StrEnumColumn(EntryClass, 3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
