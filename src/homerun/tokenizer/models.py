"""Card tokens: the only rows that hold a card number, and only encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, UTCDateTime


class CardToken(Base):
    __tablename__ = "card_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(19), unique=True)
    # Keyed hash of the card number: finds the same card again without storing it.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    pan_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    brand: Mapped[str] = mapped_column(String(16))
    bin: Mapped[str] = mapped_column(String(6))
    last_four: Mapped[str] = mapped_column(String(4))
    expiry: Mapped[str | None] = mapped_column(String(4), nullable=True)  # MMYY
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
