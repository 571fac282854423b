"""Merchants: the MID and the settings that shape how its payments behave."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn
from homerun.merchants.state import Accepts, MerchantStatus


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
    # Pricing and funding (docs/settlement.md): what Homerun takes and when it pays.
    # processing_rate_bps + processing_fixed_fee apply to every settled sale;
    # funding_delay_days is business days from a batch's date to its deposit date.
    processing_rate_bps: Mapped[int] = mapped_column(Integer, default=290)
    processing_fixed_fee: Mapped[int] = mapped_column(BigInteger, default=30)
    funding_delay_days: Mapped[int] = mapped_column(Integer, default=1)
    chargeback_fee: Mapped[int] = mapped_column(BigInteger, default=1500)
    monthly_fee: Mapped[int] = mapped_column(BigInteger, default=995)
    # Sandbox faults of the simulator (processors/faults.py); all 0: none.
    fault_latency_ms: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fault_timeout_bps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fault_error_bps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Cards, ACH or both (ruling R15); what an ACH return costs the merchant (docs/ach.md).
    accepts: Mapped[Accepts] = mapped_column(
        StrEnumColumn(Accepts, 8), default=Accepts.CARDS, server_default=Accepts.CARDS.value
    )
    ach_return_fee: Mapped[int] = mapped_column(BigInteger, default=500, server_default="500")
    status: Mapped[MerchantStatus] = mapped_column(
        StrEnumColumn(MerchantStatus, 16), default=MerchantStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
