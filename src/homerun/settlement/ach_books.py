"""ACH money in the books: settled ACH batches and ACH returns, as settlement sees them.

Payments moves ACH payments along their lifecycle (payments.ach_lifecycle) and knows
nothing of batches' money, deposits or the ledger; this module reads what it left,
set-based, and books it, so that it holds whoever moved the payments (the clock's ACH
cut-off, the admin actions):

- an ACH batch the bank is done settling (none of its payments still only originated)
  becomes a settlement batch like a card batch: its debits are its sales, its credits
  (refunds) its refunds, no processing fee; it is funded by a deposit of its own on its
  deposit date (its settlement's business date plus the merchant's funding delay);
- a returned ACH payment of such a batch gets its ACH_RETURN and ach_return_fee
  adjustments (settlement.adjustments.add_ach_return), taken out of the next deposit.

Each is booked once: a batch whose id is already in `batches`, a return whose
adjustment already names the payment, is not read again (and the unique batch id and
adjustment reference refuse a second one). docs/ach.md, "Money".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant
from homerun.settlement import adjustments, calendar, repository, service
from homerun.settlement.models import Batch


@dataclass(frozen=True, slots=True)
class Booked:
    batches: list[str] = field(default_factory=list)  # ACH batch ids now in the books
    returns: list[int] = field(default_factory=list)  # trans_ids whose return was booked


async def book(session: AsyncSession, merchant: Merchant, at: datetime) -> Booked:
    """Book the merchant's settled ACH batches, then its returns, as of `at` (the moment
    the payments moved: a cut-off, an admin action)."""
    await session.flush()  # the lifecycle's row changes, for the set-based reads below
    booked = Booked()
    for batch_id, settled_at in await repository.ach_batches_to_post(session, merchant.id):
        await _post_ach_batch(session, merchant, batch_id, settled_at or at)
        booked.batches.append(batch_id)
    for returned in await repository.ach_returns_to_book(session, merchant.id):
        await adjustments.add_ach_return(
            session,
            merchant,
            trans_id=str(returned.trans_id),
            amount=returned.amount,
            fee=merchant.ach_return_fee,
            return_code=returned.return_code,
            at=at,
        )
        booked.returns.append(returned.trans_id)
    return booked


async def _post_ach_batch(
    session: AsyncSession, merchant: Merchant, batch_id: str, settled_at: datetime
) -> None:
    # No ACH pricing yet: an ACH batch carries no processing fee.
    totals = await repository.batch_totals(session, batch_id, 0, 0)
    business_date = calendar.local_date(settled_at, merchant.timezone)
    batch = Batch(
        batch_id=batch_id,
        merchant_id=merchant.id,
        currency=merchant.currency,
        business_date=business_date,
        closed_at=settled_at,
        transaction_count=totals.sale_count + totals.refund_count,
        sale_count=totals.sale_count,
        sale_amount=totals.sale_amount,
        refund_count=totals.refund_count,
        refund_amount=totals.refund_amount,
        net_amount=totals.sale_amount - totals.refund_amount,
        processing_fee=0,
        deposit_date=calendar.add_business_days(business_date, merchant.funding_delay_days),
    )
    await repository.add(session, batch)
    service.post_batch(session, merchant, batch)
