"""Funding: deposits to the merchant's bank, one per closed batch, net of everything.

On a business day D, at the funding time in the merchant's zone, a merchant gets:
- one deposit per unfunded batch whose deposit date is D or earlier, sweeping that
  batch's payable lines (sales - refunds - processing fees); the last of them also
  sweeps every chargeback, reversal and adjustment booked and not yet funded;
- with no batch to fund, one deposit of the chargebacks, reversals and adjustments
  whose own funding date (their local date + the funding delay) has come. Such a
  deposit can be negative: a debit from the merchant's account.
Each deposit is a balanced ledger journal (merchant_payable -> bank) and emits
`funding.entered`.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ledger import repository as ledger_lines
from homerun.ledger import service as ledger
from homerun.ledger.accounts import Account, Kind
from homerun.merchants.models import Merchant
from homerun.observability.metrics import count_deposits
from homerun.runtime import Runtime
from homerun.settlement import events, repository
from homerun.settlement.models import Batch, Deposit

# funding_master_id = "F" + (this + the deposit's row id): seven digits like Run's "F1645093".
FUNDING_ID_BASE = 1_000_000


async def fund(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    day: date,
    at: datetime | None = None,
) -> list[Deposit]:
    """Fund what is due on `day`; the deposits are made `at` (the funding moment)."""
    now = at or runtime.clock.now()
    made: list[tuple[Deposit, Batch | None]] = []
    for due in await repository.unfunded_batches(session, merchant.id, day):
        deposit = await _new_deposit(session, merchant, due.batch_id, day, now)
        await ledger_lines.sweep(session, merchant.id, deposit.id, batch_id=due.batch_id)
        made.append((deposit, due))
    if made:
        await ledger_lines.sweep(session, merchant.id, made[-1][0].id, loose_posted_by=now)
    elif await ledger_lines.has_loose_unfunded(session, merchant.id, day):
        alone = await _new_deposit(session, merchant, None, day, now)
        await ledger_lines.sweep(session, merchant.id, alone.id, loose_available_by=day)
        made.append((alone, None))
    for deposit, batch in made:
        await _complete(session, merchant, deposit, batch)
    count_deposits(len(made))
    return [deposit for deposit, _ in made]


async def _new_deposit(
    session: AsyncSession, merchant: Merchant, batch_id: str | None, day: date, now: datetime
) -> Deposit:
    deposit = Deposit(
        funding_master_id=f"P{secrets.token_hex(6)}",  # replaced once the row has its id
        merchant_id=merchant.id,
        currency=merchant.currency,
        batch_id=batch_id,
        deposit_date=day,
        funded_at=now,
        amount=0,
    )
    await repository.add(session, deposit)
    deposit.funding_master_id = f"F{FUNDING_ID_BASE + deposit.id}"
    return deposit


async def _complete(
    session: AsyncSession, merchant: Merchant, deposit: Deposit, batch: Batch | None
) -> None:
    """Fill in what the deposit carried, pay it out in the ledger, stamp its funding id."""
    swept = await ledger_lines.payable_by_kind(session, deposit.id)
    deposit.sales_count = batch.sale_count if batch else 0
    deposit.refunds_count = batch.refund_count if batch else 0
    deposit.sales_amount = -swept.get(Kind.SALE.value, 0)
    deposit.refunds_amount = swept.get(Kind.REFUND.value, 0)
    deposit.fees_amount = swept.get(Kind.FEE.value, 0)
    deposit.chargebacks_amount = swept.get(Kind.CHARGEBACK.value, 0)
    deposit.reversals_amount = -swept.get(Kind.REVERSAL.value, 0)
    deposit.adjustments_amount = -swept.get(Kind.ADJUSTMENT.value, 0)
    deposit.amount = -sum(swept.values())
    ledger.post(
        session,
        merchant_id=merchant.id,
        currency=deposit.currency,
        journal=f"deposit:{deposit.funding_master_id}",
        kind=Kind.DEPOSIT,
        at=deposit.funded_at,
        lines=[
            ledger.Line(Account.MERCHANT_PAYABLE, deposit.amount, deposit_id=deposit.id),
            ledger.Line(Account.BANK, -deposit.amount),
        ],
        source=ledger.Source(batch_id=deposit.batch_id),
    )
    carried: dict[str, list[int]] = {"adjustments": [], "chargebacks": [], "reversals": []}
    for kind, source in await ledger_lines.swept_sources(session, deposit.id):
        if source is None:
            continue
        if kind == Kind.ADJUSTMENT.value:
            carried["adjustments"].append(source)
        elif kind == Kind.CHARGEBACK.value:
            carried["chargebacks"].append(source)
        elif kind == Kind.REVERSAL.value:
            carried["reversals"].append(source)
    await repository.mark_funded(
        session,
        funding_master_id=deposit.funding_master_id,
        funded_at=deposit.funded_at,
        batch_id=deposit.batch_id,
        adjustment_ids=carried["adjustments"],
        chargeback_ids=carried["chargebacks"],
        reversal_ids=carried["reversals"],
    )
    await session.flush()
    events.funding_entered(session, deposit, merchant, batch, carried)
