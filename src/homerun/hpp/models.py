"""Hosted payment pages and the payments made on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homerun.hpp.state import PageStatus
from homerun.kit.db.base import Base, BigId, Json, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn


class HostedPage(Base):
    __tablename__ = "hosted_pages"
    __table_args__ = (Index("ix_hosted_pages_merchant_created", "merchant_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(32), unique=True)  # 32 upper-case hex (R11)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name_on_account: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Minor units; None when the page has no preset amount or bound.
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    min_amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    max_amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    lock_amount: Mapped[bool] = mapped_column(Boolean, default=False)
    disable_after_payment: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{name, value, is_readonly, is_required, label}], in the order the merchant sent them.
    options: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    status: Mapped[PageStatus] = mapped_column(
        StrEnumColumn(PageStatus, 16), default=PageStatus.ACTIVE
    )
    # Why it is off: "paid" (a single-use link was used) or "merchant" (turned off).
    disabled_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    payment_count: Mapped[int] = mapped_column(Integer, default=0)
    last_paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HostedPagePayment(Base):
    """An approved payment made on a page; `attempt` makes a resubmitted form harmless."""

    __tablename__ = "hosted_page_payments"
    __table_args__ = (UniqueConstraint("page_id", "attempt"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("hosted_pages.id"), index=True)
    # Not a foreign key, so that transactions can be partitioned by time
    # (docs/operations.md): written from the charge just made, checked by `homerun verify`.
    transaction_id: Mapped[int] = mapped_column(BigId)
    attempt: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
