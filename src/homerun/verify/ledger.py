"""The ledger's promises (docs/settlement.md, "The ledger"): every journal balances, and for
every merchant, to the cent,

    captured - refunded - charged back + reversed - processing fees + adjustments
        = deposited + pending funding + pending settlement

with the left side from the source tables (transactions, chargebacks, batches, adjustments)
and the right from the deposits, the ledger's merchant_payable balance and the captured rows
not yet batched: the identity tests/ledger proves after every step of random days.

An ACH payment or refund credit counts once its ACH batch is a settlement batch (the bank
settled it), whatever happened to it since: a return is taken back by its adjustment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.money import to_dollars
from homerun.ledger.accounts import Account
from homerun.ledger.models import LedgerEntry
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.payments.state import Kind, PaymentMethod, State
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit
from homerun.settlement.state import ChargebackState
from homerun.verify.reader import rows
from homerun.verify.violation import Check, Scope, Violation

JOURNALS_BALANCE = "ledger.journals_balance"
MERCHANT_IDENTITY = "ledger.merchant_identity"

# Rows whose money counts: captured (not yet batched) or settled, sales and refunds alike.
_COUNTED = (State.CAPTURED, State.SETTLED, State.PARTIALLY_REFUNDED, State.REFUNDED)
_COUNTED_ROW = or_(
    and_(Transaction.payment_method != PaymentMethod.ACH.value, Transaction.state.in_(_COUNTED)),
    and_(
        Transaction.payment_method == PaymentMethod.ACH.value,
        exists().where(Batch.batch_id == Transaction.batch_id),
    ),
)


async def unbalanced_journals(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    total = func.sum(LedgerEntry.amount)
    stmt = (
        select(LedgerEntry.journal, LedgerEntry.currency, total)
        .group_by(LedgerEntry.journal, LedgerEntry.currency)
        .having(total != 0)
    )
    async for journal, currency, amount in rows(session, stmt):
        yield Violation(
            JOURNALS_BALANCE,
            journal,
            f"its {currency} lines sum to {to_dollars(int(amount))}, not 0.00",
        )


def _per_merchant() -> Select[Any]:
    """Every term of the identity, one row per merchant, each term summed by the database
    (one GROUP BY per table: nothing but the per-merchant totals comes back)."""
    gross = Transaction.amount_captured + Transaction.fee_amount
    is_refund = Transaction.kind == Kind.REFUND
    txns = (
        select(
            Transaction.merchant_id.label("merchant_id"),
            func.sum(case((is_refund, 0), else_=gross)).label("captured"),
            func.sum(case((is_refund, gross), else_=0)).label("refunded"),
            func.sum(
                case(
                    (Transaction.state != State.CAPTURED, 0),
                    (is_refund, -gross),
                    else_=gross,
                )
            ).label("unbatched"),
        )
        .where(_COUNTED_ROW)
        .group_by(Transaction.merchant_id)
        .subquery("txns")
    )
    chargebacks = (
        select(
            Chargeback.merchant_id.label("merchant_id"),
            func.sum(Chargeback.amount).label("charged_back"),
            func.sum(
                case((Chargeback.state == ChargebackState.WON, Chargeback.amount), else_=0)
            ).label("reversed"),
        )
        .group_by(Chargeback.merchant_id)
        .subquery("chargebacks")
    )
    fees = (
        select(Batch.merchant_id.label("merchant_id"), func.sum(Batch.processing_fee).label("fees"))
        .group_by(Batch.merchant_id)
        .subquery("fees")
    )
    adjustments = (
        select(
            Adjustment.merchant_id.label("merchant_id"),
            func.sum(Adjustment.amount).label("adjustments"),
        )
        .group_by(Adjustment.merchant_id)
        .subquery("adjustments")
    )
    deposits = (
        select(
            Deposit.merchant_id.label("merchant_id"), func.sum(Deposit.amount).label("deposited")
        )
        .group_by(Deposit.merchant_id)
        .subquery("deposits")
    )
    payable = (
        select(
            LedgerEntry.merchant_id.label("merchant_id"),
            (-func.sum(LedgerEntry.amount)).label("pending"),
        )
        .where(LedgerEntry.account == Account.MERCHANT_PAYABLE.value)
        .group_by(LedgerEntry.merchant_id)
        .subquery("payable")
    )

    def term(column: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.coalesce(column, 0)

    stmt = select(
        Merchant.mid,
        term(txns.c.captured),
        term(txns.c.refunded),
        term(chargebacks.c.charged_back),
        term(chargebacks.c.reversed),
        term(fees.c.fees),
        term(adjustments.c.adjustments),
        term(deposits.c.deposited),
        term(payable.c.pending),
        term(txns.c.unbatched),
    ).select_from(Merchant)
    for part in (txns, chargebacks, fees, adjustments, deposits, payable):
        stmt = stmt.outerjoin(part, part.c.merchant_id == Merchant.id)
    return stmt


async def broken_identities(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    async for row in rows(session, _per_merchant()):
        mid, captured, refunded, charged_back, reversed_, fees, adjusted = row[:7]
        deposited, pending, unbatched = row[7:]
        left = int(captured) - int(refunded) - int(charged_back) + int(reversed_)
        left += -int(fees) + int(adjusted)
        right = int(deposited) + int(pending) + int(unbatched)
        if left != right:
            yield Violation(
                MERCHANT_IDENTITY,
                mid,
                f"captured {to_dollars(int(captured))} - refunded {to_dollars(int(refunded))}"
                f" - charged back {to_dollars(int(charged_back))}"
                f" + reversed {to_dollars(int(reversed_))} - fees {to_dollars(int(fees))}"
                f" + adjustments {to_dollars(int(adjusted))} = {to_dollars(left)}, but"
                f" deposited {to_dollars(int(deposited))} + pending funding"
                f" {to_dollars(int(pending))} + pending settlement {to_dollars(int(unbatched))}"
                f" = {to_dollars(right)}",
            )


CHECKS = (
    Check(
        JOURNALS_BALANCE,
        "the lines of every ledger journal sum to zero in each currency",
        unbalanced_journals,
    ),
    Check(
        MERCHANT_IDENTITY,
        "per merchant: captured - refunded - charged back + reversed - fees + adjustments"
        " = deposited + pending funding + pending settlement",
        broken_identities,
    ),
)
