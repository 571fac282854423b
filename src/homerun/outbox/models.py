"""The outbox table: a domain event, written in the same transaction as the change it
describes; `dispatched_at` is set once the webhook worker has made its deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, Json, UTCDateTime

_UNDISPATCHED = text("dispatched_at IS NULL")


class OutboxEvent(Base):
    """A domain event written in the same transaction as the change it describes."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        # The worker's fan-out reads only what it has not dispatched yet.
        Index(
            "ix_outbox_events_undispatched",
            "id",
            postgresql_where=_UNDISPATCHED,
            sqlite_where=_UNDISPATCHED,
        ),
        # A payment's page lists the events about it (and their webhooks).
        Index("ix_outbox_events_source", "source_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id"), nullable=True, index=True
    )
    event_type: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
