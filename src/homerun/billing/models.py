"""Billing plans, their scheduled payments, and each charge attempt of a payment.

A bounded rule's payments are all rows from the start; an open-ended rule keeps a rolling
window of its next payments as rows (billing.window), extended under the plan's row lock;
`(plan_id, payment_number)` is unique, so no occurrence can become two rows.

Exactly once: a payment's attempts are numbered, `(payment_id, attempt)` is unique and
each attempt names its own transaction (unique), and at most one attempt per payment
may be approved (a partial unique index). A worker charges a payment only inside the
transaction of the bucket job it holds the lease of (homerun.worker), so a crash rolls
the charge and its attempt back together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from homerun.billing.state import PaymentStatus, PlanStatus
from homerun.kit.db.base import Base, BigId, UTCDateTime
from homerun.kit.enum_column import StrEnumColumn
from homerun.payments.state import Result


class BillingPlan(Base):
    __tablename__ = "billing_plans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("vault_payment_accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units, each payment
    currency: Mapped[str] = mapped_column(String(3))
    rrule_pattern: Mapped[str] = mapped_column(Text)
    status: Mapped[PlanStatus] = mapped_column(StrEnumColumn(PlanStatus, 12))
    status_reason: Mapped[str | None] = mapped_column(String(255), nullable=True)
    payment_count: Mapped[int] = mapped_column(Integer)
    open_payments: Mapped[int] = mapped_column(Integer)  # not yet at an end; 0: plan is done
    # An open-ended rule's latest occurrence made a row (its number and date): its window
    # is extended from there. NULL for a bounded rule, all of whose payments are rows.
    window_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    window_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ScheduledPayment(Base):
    """One occurrence of a plan's rule.

    - `due_at`: when the next attempt falls due (the payment date, then the dunning
      retries); NULL once the payment has reached an end. The worker's bucket jobs find
      due payments through (bucket, due_at).
    - `trans_id`: the transaction of the latest attempt.
    """

    __tablename__ = "scheduled_payments"
    __table_args__ = (
        UniqueConstraint("plan_id", "payment_number"),
        Index("ix_scheduled_payments_bucket_due", "bucket", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("billing_plans.id"), index=True)
    payment_number: Mapped[int] = mapped_column(Integer)
    payment_date: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    bucket: Mapped[int] = mapped_column(Integer)
    amount_scheduled: Mapped[int] = mapped_column(BigInteger)
    amount_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[PaymentStatus] = mapped_column(StrEnumColumn(PaymentStatus, 12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not foreign keys (here and in BillingAttempt), so that transactions can be partitioned
    # by time (docs/operations.md): written from the charge just made, checked by `homerun
    # verify`.
    trans_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    resp_code: Mapped[str | None] = mapped_column(String(4), nullable=True)
    resp_text: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BillingAttempt(Base):
    """One charge (or reconciliation) of a scheduled payment: the link to its transaction."""

    __tablename__ = "billing_attempts"
    __table_args__ = (
        UniqueConstraint("payment_id", "attempt"),
        # At most one approved charge per scheduled payment, whatever races.
        Index(
            "uq_billing_attempts_approved",
            "payment_id",
            unique=True,
            postgresql_where=text("result = 'A'"),
            sqlite_where=text("result = 'A'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("scheduled_payments.id"))
    attempt: Mapped[int] = mapped_column(Integer)
    transaction_id: Mapped[int] = mapped_column(BigId, unique=True)
    result: Mapped[Result] = mapped_column(StrEnumColumn(Result, 1))  # the transaction's
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
