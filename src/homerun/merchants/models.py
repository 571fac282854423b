"""Merchants: the MID and the settings that shape how its payments behave."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, UTCDateTime


class Merchant(Base):
    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    mid: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    surcharge_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    surcharge_rate_bps: Mapped[int] = mapped_column(Integer, default=0)
    batch_cutoff: Mapped[str] = mapped_column(String(5), default="22:00")
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    processor: Mapped[str] = mapped_column(String(32), default="simulator")
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
