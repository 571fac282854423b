from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, UTCDateTime


class Batch(Base):
    """A closed settlement batch: every captured sale and refund of a merchant up to a moment."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(32), unique=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    transaction_count: Mapped[int] = mapped_column(Integer)
    net_amount: Mapped[int] = mapped_column(BigInteger)  # sales minus refunds, fees included
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
