"""Every reference to a transaction or an outbox event names one that exists.

These references are not foreign keys: a table partitioned by time (transactions, the outbox;
docs/operations.md, "Partitioning by time") can be referred to by none. Their owners write
them from the row they just read or wrote, transactions are never deleted and retention keeps
an event while a delivery refers to it; this check is what still finds one broken (a hand
edit, a restore of one table but not the other, a bug).

Each reference is one anti-join, run by the database: only the orphans come back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from homerun.billing.models import BillingAttempt, ScheduledPayment
from homerun.hpp.models import HostedPagePayment
from homerun.outbox.models import OutboxEvent
from homerun.payments.models import Transaction
from homerun.settlement.models import Chargeback
from homerun.verify.reader import rows
from homerun.verify.violation import Check, Scope, Violation
from homerun.webhooks.models import WebhookDelivery

INTACT = "references.intact"

_REFUND = Transaction.__table__.alias("refund")

# A column of a table (the refund alias) or of a model.
Column = ColumnElement[Any] | QueryableAttribute[Any]


@dataclass(frozen=True)
class Reference:
    """`column` (of the row named by `subject`) must equal some `target`'s value."""

    name: str  # table.column, as the violation says it
    subject: Column
    column: Column
    target: Column
    what: str  # what the target is, for the violation's text


REFERENCES = (
    Reference(
        "transactions.parent_id", _REFUND.c.id, _REFUND.c.parent_id, Transaction.id, "transaction"
    ),
    Reference(
        "chargebacks.transaction_id",
        Chargeback.id,
        Chargeback.transaction_id,
        Transaction.id,
        "transaction",
    ),
    Reference(
        "hosted_page_payments.transaction_id",
        HostedPagePayment.id,
        HostedPagePayment.transaction_id,
        Transaction.id,
        "transaction",
    ),
    Reference(
        "scheduled_payments.trans_id",
        ScheduledPayment.id,
        ScheduledPayment.trans_id,
        Transaction.id,
        "transaction",
    ),
    Reference(
        "billing_attempts.transaction_id",
        BillingAttempt.id,
        BillingAttempt.transaction_id,
        Transaction.id,
        "transaction",
    ),
    Reference(
        "webhook_deliveries.event_id",
        WebhookDelivery.webhook_id,
        WebhookDelivery.event_id,
        OutboxEvent.id,
        "outbox event",
    ),
)


async def orphans(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    for ref in REFERENCES:
        stmt = select(ref.subject, ref.column).where(
            ref.column.is_not(None), ~exists().where(ref.target == ref.column)
        )
        async for subject, value in rows(session, stmt):
            yield Violation(INTACT, str(subject), f"{ref.name} {value}: no such {ref.what}")


CHECKS = (
    Check(
        INTACT,
        "every reference to a transaction (a refund's original, a chargeback, a hosted-page"
        " payment, a scheduled payment, a billing attempt) or to an outbox event (a webhook"
        " delivery) names one that exists",
        orphans,
    ),
)
