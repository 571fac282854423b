"""Settlement's promises (docs/settlement.md): a batch is the sum of its transactions, and a
deposit is the sum of its parts and of the ledger lines it paid out."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.money import to_dollars
from homerun.ledger.accounts import Account
from homerun.ledger.accounts import Kind as Movement
from homerun.ledger.models import LedgerEntry
from homerun.payments.models import Transaction
from homerun.payments.state import Kind
from homerun.settlement.models import Batch, Deposit
from homerun.verify.reader import rows
from homerun.verify.violation import Check, Scope, Violation

BATCH_TOTALS = "settlement.batch_totals"
DEPOSIT_PARTS = "settlement.deposit_parts"
DEPOSIT_ENTRIES = "settlement.deposit_entries"


async def batches_off_their_transactions(
    session: AsyncSession, _: Scope
) -> AsyncIterator[Violation]:
    gross = Transaction.amount_captured + Transaction.fee_amount
    is_refund = Transaction.kind == Kind.REFUND
    settled = (
        select(
            Transaction.batch_id.label("batch_id"),
            func.sum(case((is_refund, 0), else_=1)).label("sale_count"),
            func.sum(case((is_refund, 0), else_=gross)).label("sale_amount"),
            func.sum(case((is_refund, 1), else_=0)).label("refund_count"),
            func.sum(case((is_refund, gross), else_=0)).label("refund_amount"),
        )
        .where(Transaction.batch_id.is_not(None))
        .group_by(Transaction.batch_id)
        .subquery("settled")
    )
    stmt = select(
        Batch.batch_id,
        Batch.sale_count,
        Batch.sale_amount,
        Batch.refund_count,
        Batch.refund_amount,
        Batch.net_amount,
        Batch.transaction_count,
        func.coalesce(settled.c.sale_count, 0),
        func.coalesce(settled.c.sale_amount, 0),
        func.coalesce(settled.c.refund_count, 0),
        func.coalesce(settled.c.refund_amount, 0),
    ).outerjoin(settled, settled.c.batch_id == Batch.batch_id)
    async for row in rows(session, stmt):
        batch_id, sales, sold, refunds, refunded, net, count = row[:7]
        found = tuple(int(v) for v in row[7:])
        problems = []
        if (sales, sold, refunds, refunded) != found:
            problems.append(
                f"says {sales} sales of {to_dollars(sold)} and {refunds} refunds of"
                f" {to_dollars(refunded)}; its transactions are {found[0]} sales of"
                f" {to_dollars(found[1])} and {found[2]} refunds of {to_dollars(found[3])}"
            )
        if net != sold - refunded:
            problems.append(f"net {to_dollars(net)} is not sales - refunds")
        if count != sales + refunds:
            problems.append(f"transaction_count {count} is not sales + refunds")
        if problems:
            yield Violation(BATCH_TOTALS, batch_id, "; ".join(problems))


async def deposits_off_their_parts(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    parts = (
        Deposit.sales_amount
        - Deposit.refunds_amount
        - Deposit.fees_amount
        - Deposit.chargebacks_amount
        + Deposit.reversals_amount
        + Deposit.adjustments_amount
    )
    off_batch = and_(
        Deposit.batch_id.is_not(None),
        or_(
            Batch.id.is_(None),
            Batch.sale_amount != Deposit.sales_amount,
            Batch.refund_amount != Deposit.refunds_amount,
            Batch.processing_fee != Deposit.fees_amount,
            Batch.funding_master_id.is_(None),
            Batch.funding_master_id != Deposit.funding_master_id,
        ),
    )
    stmt = (
        select(Deposit.funding_master_id, Deposit.amount, parts, Deposit.batch_id, off_batch)
        .outerjoin(Batch, Batch.batch_id == Deposit.batch_id)
        .where(or_(Deposit.amount != parts, off_batch))
    )
    async for funding_id, amount, total, batch_id, batch_off in rows(session, stmt):
        problems = []
        if amount != total:
            problems.append(
                f"amount {to_dollars(amount)} is not sales - refunds - fees - chargebacks"
                f" + reversals + adjustments = {to_dollars(int(total))}"
            )
        if batch_off:
            problems.append(f"its sales, refunds, fees or funding id differ from batch {batch_id}")
        yield Violation(DEPOSIT_PARTS, funding_id, "; ".join(problems))


async def deposits_off_the_ledger(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    is_deposit = LedgerEntry.kind == Movement.DEPOSIT
    lines = (
        select(
            LedgerEntry.deposit_id.label("deposit_id"),
            func.sum(case((is_deposit, 0), else_=LedgerEntry.amount)).label("swept"),
            func.sum(case((is_deposit, LedgerEntry.amount), else_=0)).label("paid"),
        )
        .where(
            LedgerEntry.deposit_id.is_not(None),
            LedgerEntry.account == Account.MERCHANT_PAYABLE.value,
        )
        .group_by(LedgerEntry.deposit_id)
        .subquery("lines")
    )
    # What a deposit paid out: the payable lines it swept (credits, so minus their sum),
    # and its own journal's payable line (a debit of the amount).
    swept = -func.coalesce(lines.c.swept, 0)
    paid = func.coalesce(lines.c.paid, 0)
    stmt = (
        select(Deposit.funding_master_id, Deposit.amount, swept, paid)
        .outerjoin(lines, lines.c.deposit_id == Deposit.id)
        .where(or_(Deposit.amount != swept, Deposit.amount != paid))
    )
    async for funding_id, amount, swept_total, paid_total in rows(session, stmt):
        yield Violation(
            DEPOSIT_ENTRIES,
            funding_id,
            f"amount {to_dollars(amount)}, but the ledger lines it swept come to"
            f" {to_dollars(int(swept_total))} and its journal pays {to_dollars(int(paid_total))}",
        )


CHECKS = (
    Check(
        BATCH_TOTALS,
        "each batch's counts and amounts are the sums of the transactions it settled",
        batches_off_their_transactions,
    ),
    Check(
        DEPOSIT_PARTS,
        "each deposit's amount is sales - refunds - fees - chargebacks + reversals"
        " + adjustments, and its batch's figures are its own",
        deposits_off_their_parts,
    ),
    Check(
        DEPOSIT_ENTRIES,
        "each deposit equals the ledger lines it swept and the journal that paid it",
        deposits_off_the_ledger,
    ),
)
