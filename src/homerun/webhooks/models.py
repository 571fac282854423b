"""The delivery of domain events (homerun.outbox) as webhooks (docs/webhooks.md).

- `WebhookEndpoint`: a URL registered for one merchant or one boarding partner.
- `WebhookDelivery`: one event to one endpoint. Its `webhook_id` and
  `idempotency_key` stay the same across every attempt; `lane` is what ordering is
  kept within (a merchant, or a boarding application).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, Json, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its next attempt, or in flight when leased
    DELIVERED = "delivered"  # a 2xx answered
    FAILED = "failed"  # gave up; POST .../resend puts it back


PENDING, DELIVERED, FAILED = DeliveryState.PENDING, DeliveryState.DELIVERED, DeliveryState.FAILED

_PENDING = text("state = 'pending'")
_FAILED = text("state = 'failed'")


class WebhookEndpoint(Base):
    """Where one merchant's (or one partner's) events are posted, and how they are signed.

    The signing secret is sealed under the master key (it must be readable to sign).
    After a rotation the previous secret keeps signing, in a second header, until
    `previous_secret_expires_at`. Deleting is a soft delete so that deliveries keep
    their endpoint.
    """

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint("(merchant_id IS NULL) <> (partner_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id"), nullable=True, index=True
    )
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("boarding_partners.id"), nullable=True, index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # ["*"] for every event; otherwise exact names or "prefix.*" patterns.
    event_types: Mapped[list[str]] = mapped_column(Json)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    secret_last4: Mapped[str] = mapped_column(String(4))
    previous_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebhookDelivery(Base):
    """One event to one endpoint, through every attempt.

    - `state`: pending (waiting for its next attempt, or in flight when leased),
      delivered (a 2xx answered), failed (gave up; POST .../resend puts it back).
    - `attempts`: attempts made so far; the attempt being made is numbered at claim
      time, so no two attempts ever share a number, even across crashed workers.
    - `round_first_attempt` / `round_started_at`: the attempt that opened the current
      round of the retry schedule (1, or the first after a re-send) and when it was
      made; attempt n of a round falls due at round_started_at + SCHEDULE[n].
    - `locked_by` / `locked_until`: the lease of the worker making the attempt.
    - `lane` / `occurred_at` / `event_id`: deliveries of one endpoint and lane are
      sent one at a time in (occurred_at, event_id) order.

    A queue table updated twice per delivery: it keeps few indexes (each update of a
    row writes every one of them), two of them partial over the pending rows.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # One delivery per event and endpoint. occurred_at is the event's own (copied with
        # it), so it adds nothing to the uniqueness, but it is the column the table is
        # partitioned by (docs/operations.md), and a partitioned table's unique
        # constraints must hold it.
        UniqueConstraint("event_id", "endpoint_id", "occurred_at"),
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            "id",
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        ),
        Index(
            "ix_webhook_deliveries_lane",
            "endpoint_id",
            "lane",
            "occurred_at",
            "event_id",
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        ),
        Index("ix_webhook_deliveries_endpoint_state", "endpoint_id", "state", "id"),
        Index(
            "ix_webhook_deliveries_failed",
            "id",
            postgresql_where=_FAILED,
            sqlite_where=_FAILED,
        ),
        # Room on each page, so that leasing an attempt (no indexed column changes) is a
        # HOT update on PostgreSQL: no new index entries.
        {"postgresql_with": {"fillfactor": 70}},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    # Not a foreign key: a partitioned outbox can be referred to by none. The fan-out
    # writes it from the event it read, retention keeps an event while a delivery refers
    # to it, and `homerun verify` finds an orphan.
    event_id: Mapped[int] = mapped_column(BigId)
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), nullable=True)
    event_type: Mapped[str] = mapped_column(String(64))
    lane: Mapped[str] = mapped_column(String(32))
    # The event's time: what the table is partitioned by (docs/operations.md).
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    state: Mapped[DeliveryState] = mapped_column(
        StrEnumColumn(DeliveryState, 12), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    round_first_attempt: Mapped[int] = mapped_column(Integer, default=1)
    round_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(96), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_response: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
