"""The job table: work that falls due at a moment of the instance clock.

A job is one row. One-off jobs are deleted when done; recurring jobs (the schedule
slots) move their `due_at` forward in the same transaction as their work, so a job's
effects and its completion commit together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homerun.kit.db.base import Base, BigId, Json, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn
from homerun.worker.state import JobState


class Job(Base):
    """A unit of due work.

    - `kind`: which handler runs it (homerun.worker.registry).
    - `key`: unique name of a job that must exist at most once (a schedule slot such
      as "cutoff|22:00|America/New_York", or "fund|12|2026-11-27"); None for others.
    - `merchant_id`: the merchant the work is for, when it is for one.
    - `payload`: the handler's arguments (JSON).
    - `due_at`: the instance-clock moment it falls due; jobs run in (due_at, id) order.
    - `state`: ready | failed (gave up after `attempts` reached the limit).
    - `locked_by` / `locked_until`: the lease of the worker running it; a lease that
      has run out (a crashed worker) lets another worker pick the job up again.
    - `attempts` / `last_error`: failed runs so far and the last failure.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str | None] = mapped_column(String(128), nullable=True, unique=True)
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id"), nullable=True, index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[JobState] = mapped_column(StrEnumColumn(JobState, 8), default=JobState.READY)
    locked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
