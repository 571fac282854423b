"""Reporting fixtures: money-flow rows written straight to the database.

Transactions come through the Payments API like any client's; the settlement rows (batches,
deposits, chargebacks, adjustments) are written here so that the read side is tested on
exact, known values whatever the settlement engine does with the clock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.runtime import Runtime
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit


@dataclass
class Funded:
    batch_id: str
    funding_master_id: str
    deposit_id: int
    chargeback_id: int
    case_number: str
    adjustment_ids: list[int]


async def merchant_pk(runtime: Runtime, mid: str) -> int:
    async with runtime.db.transaction() as session:
        pk = await session.scalar(select(Merchant.id).where(Merchant.mid == mid))
    assert pk is not None
    return int(pk)


async def fund(
    runtime: Runtime,
    mid: str,
    trans_ids: list[str],
    *,
    business_date: date = date(2026, 1, 15),
    deposit_date: date = date(2026, 1, 16),
    chargeback_on: str | None = None,
) -> Funded:
    """Settle the transactions in one batch, fund it, and charge one back (with its fee)."""
    merchant_id = await merchant_pk(runtime, mid)
    closed = datetime.combine(business_date, datetime.min.time(), UTC).replace(hour=23)
    funded = datetime.combine(deposit_date, datetime.min.time(), UTC).replace(hour=18)
    batch_id = f"{business_date:%Y%m%d}T{secrets.token_hex(4).upper()}"
    funding_id = f"F{secrets.randbelow(10**9):09d}"
    ids = [int(t) for t in trans_ids]
    async with runtime.db.transaction() as session:
        await session.execute(
            update(Transaction)
            .where(Transaction.id.in_(ids))
            .values(state="settled", batch_id=batch_id, settled_at=closed)
        )
        rows = (await session.execute(select(Transaction).where(Transaction.id.in_(ids)))).scalars()
        sales = [t for t in rows if t.kind == "sale"]
        gross = sum(t.amount_captured + t.fee_amount for t in sales)
        fees = sum(t.amount_captured for t in sales) * 25 // 1000 + 10 * len(sales)
        session.add(
            Batch(
                batch_id=batch_id,
                merchant_id=merchant_id,
                currency="USD",
                business_date=business_date,
                closed_at=closed,
                transaction_count=len(ids),
                sale_count=len(sales),
                sale_amount=gross,
                refund_count=0,
                refund_amount=0,
                net_amount=gross,
                processing_fee=fees,
                deposit_date=deposit_date,
                funding_master_id=funding_id,
                funded_at=funded,
            )
        )
        disputed = next(t for t in sales if chargeback_on is None or str(t.id) == chargeback_on)
        chargeback = Chargeback(
            case_number=f"{secrets.randbelow(10**12):012d}",
            merchant_id=merchant_id,
            transaction_id=disputed.id,
            batch_id=batch_id,
            currency="USD",
            amount=disputed.amount_captured,
            fee_amount=1500,
            reason_code="10.4",
            reason_text="Other Fraud - Card Absent Environment",
            card_brand=disputed.card_brand,
            last_four=disputed.last_four,
            state="open",
            source="manual",
            opened_at=funded,
            respond_by=funded.replace(month=funded.month % 12 + 1),
            funding_master_id=funding_id,
            created_at=funded,
            updated_at=funded,
        )
        session.add(chargeback)
        await session.flush()
        adjustments = [
            Adjustment(
                merchant_id=merchant_id,
                currency="USD",
                amount=-1500,
                adjustment_type="chargeback_fee",
                adjustment_reason=f"Chargeback fee, case {chargeback.case_number}",
                adjustment_date=funded,
                chargeback_id=chargeback.id,
                reference=f"chargeback_fee:{chargeback.id}",
                created_by="system",
                funding_master_id=funding_id,
                created_at=funded,
            ),
            Adjustment(
                merchant_id=merchant_id,
                currency="USD",
                amount=-995,
                adjustment_type="monthly_fee",
                adjustment_reason=f"Monthly account fee, {business_date:%Y-%m}",
                adjustment_date=closed,
                reference=f"monthly_fee:{business_date:%Y-%m}:{batch_id}",
                created_by="system",
                funding_master_id=funding_id,
                created_at=closed,
            ),
        ]
        session.add_all(adjustments)
        deposit = Deposit(
            funding_master_id=funding_id,
            merchant_id=merchant_id,
            currency="USD",
            batch_id=batch_id,
            deposit_date=deposit_date,
            funded_at=funded,
            amount=gross - fees - disputed.amount_captured - 1500 - 995,
            sales_count=len(sales),
            sales_amount=gross,
            refunds_count=0,
            refunds_amount=0,
            fees_amount=fees,
            chargebacks_amount=disputed.amount_captured,
            reversals_amount=0,
            adjustments_amount=-2495,
        )
        session.add(deposit)
        await session.flush()
        return Funded(
            batch_id,
            funding_id,
            deposit.id,
            chargeback.id,
            chargeback.case_number,
            [a.id for a in adjustments],
        )


async def clone_transaction(runtime: Runtime, trans_id: str, copies: int) -> None:
    """`copies` more rows like the given transaction, one second apart (bulk data)."""
    from datetime import timedelta

    from sqlalchemy import insert

    async with runtime.db.transaction() as session:
        original = await session.get(Transaction, int(trans_id))
        assert original is not None
        columns = {
            c.key: getattr(original, c.key) for c in Transaction.__table__.columns if c.key != "id"
        }
        rows = []
        for n in range(copies):
            at = original.created_at + timedelta(seconds=n + 1)
            rows.append({**columns, "order_id": f"CLONE-{n:05d}", "created_at": at})
        await session.execute(insert(Transaction), rows)
