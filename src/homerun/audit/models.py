"""The audit log: who did what, when and from where. Rows are only ever inserted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, Json, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        # An owner reads their merchant's events newest first; an operator reads all of them.
        Index("ix_audit_events_merchant_at", "merchant_id", "at", "id"),
        Index("ix_audit_events_at", "at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who: a dashboard user (its id and the email it had then), or "cli" for the operator's
    # command line. Kept as text too, so the row still says who after the user is gone.
    user_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    # Whose: the tenant the event belongs to (none for instance-wide events).
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), nullable=True)
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("boarding_partners.id"), nullable=True
    )
    # From where: the client's address as the server saw it.
    ip: Mapped[str] = mapped_column(String(45), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
