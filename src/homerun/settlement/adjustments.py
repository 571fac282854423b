"""Adjustments: chargeback fees, the month-end account fee, ACH returns, and manual ones.

An adjustment is one balanced journal between the merchant's payable account and
processor income: a debit (negative amount) takes money from the merchant, a
credit gives some. An ACH return is the exception: the returned payment's money goes
back through clearing to the payer's bank, so its journal's other side is the
clearing account (its fee, a separate adjustment, is income as usual).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import ValidationFailed
from homerun.ledger import repository as ledger_entries
from homerun.ledger import service as ledger
from homerun.ledger.accounts import Account, Kind
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from homerun.settlement import calendar, repository
from homerun.settlement.models import Adjustment

CHARGEBACK_FEE = "chargeback_fee"
MONTHLY_FEE = "monthly_fee"
# Ruling R15 names the returned payment's type in Reporting: upper case, as Run shows it.
ACH_RETURN = "ACH_RETURN"
ACH_RETURN_FEE = "ach_return_fee"
SYSTEM_TYPES = frozenset({CHARGEBACK_FEE, MONTHLY_FEE, ACH_RETURN, ACH_RETURN_FEE})
_RETURN_CODE = re.compile(r"^R[0-9A-Z]{2}$")


async def add(
    session: AsyncSession,
    merchant: Merchant,
    *,
    amount: int,
    adjustment_type: str,
    reason: str,
    at: datetime,
    created_by: str,
    chargeback_id: int | None = None,
    reference: str | None = None,
    counter: Account = Account.PROCESSOR_INCOME,
) -> Adjustment:
    row = Adjustment(
        merchant_id=merchant.id,
        currency=merchant.currency,
        amount=amount,
        adjustment_type=adjustment_type,
        adjustment_reason=reason,
        adjustment_date=at,
        chargeback_id=chargeback_id,
        reference=reference,
        created_by=created_by,
        created_at=at,
    )
    await repository.add(session, row)
    available_on = calendar.add_business_days(
        calendar.local_date(at, merchant.timezone), merchant.funding_delay_days
    )
    ledger.post(
        session,
        merchant_id=merchant.id,
        currency=row.currency,
        journal=f"adjustment:{row.id}",
        kind=Kind.ADJUSTMENT,
        at=at,
        lines=ledger.transfer(Account.MERCHANT_PAYABLE, counter, -amount, available_on),
        source=ledger.Source(adjustment_id=row.id),
    )
    return row


async def add_manual(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    *,
    amount: int,
    adjustment_type: str,
    reason: str,
) -> Adjustment:
    if amount == 0:
        raise ValidationFailed.field("amount", "must not be zero")
    if adjustment_type in SYSTEM_TYPES:
        raise ValidationFailed.field(
            "adjustment_type", f"{adjustment_type} is made by Homerun itself; use another type"
        )
    return await add(
        session,
        merchant,
        amount=amount,
        adjustment_type=adjustment_type,
        reason=reason,
        at=runtime.clock.now(),
        created_by="admin",
    )


async def add_ach_return(
    session: AsyncSession,
    merchant: Merchant,
    *,
    trans_id: str,
    amount: int,
    fee: int,
    return_code: str,
    at: datetime,
) -> list[Adjustment]:
    """Take a returned ACH payment (and the merchant's return fee) out of the next deposit.

    Two debits of the merchant, funded like any adjustment: `ACH_RETURN` for the
    returned `amount` (the return code, e.g. "R01", is its reason) and, unless `fee`
    is 0, `ach_return_fee`. Each is unique per payment (`reference`), so a payment
    is returned at most once: a second return of it fails on the constraint.
    """
    if not _RETURN_CODE.match(return_code):
        raise ValidationFailed.field("return_code", "must be an R code such as R01")
    if amount <= 0:
        raise ValidationFailed.field("amount", "must be positive")
    if fee < 0:
        raise ValidationFailed.field("fee", "must not be negative")
    made = [
        await add(
            session,
            merchant,
            amount=-amount,
            adjustment_type=ACH_RETURN,
            reason=return_code,
            at=at,
            created_by="system",
            reference=f"{ACH_RETURN}:{trans_id}",
            counter=Account.CARD_CLEARING,
        )
    ]
    if fee:
        made.append(
            await add(
                session,
                merchant,
                amount=-fee,
                adjustment_type=ACH_RETURN_FEE,
                reason=f"ACH return fee, {return_code}, transaction {trans_id}",
                at=at,
                created_by="system",
                reference=f"{ACH_RETURN_FEE}:{trans_id}",
            )
        )
    return made


async def charge_monthly_fees(session: AsyncSession, timezone: str, month_start: datetime) -> int:
    """The account fee of the month that ended at `month_start`, for every active merchant
    of the zone (set-based; a merchant is charged at most once per month), made at the
    month's start."""
    now = month_start
    period = calendar.month_before(month_start, timezone)
    reference = f"{MONTHLY_FEE}:{period}"
    made = await repository.monthly_fees(
        session,
        timezone=timezone,
        reference=reference,
        reason=f"Monthly account fee, {period}",
        at=now,
        period_end=month_start,
    )
    if made:
        today = calendar.local_date(now, timezone)
        for delay in await repository.funding_delays(session, timezone):
            await ledger_entries.post_adjustments(
                session,
                repository.monthly_fees_made(timezone, delay, reference, now),
                posted_at=now,
                available_on=calendar.add_business_days(today, delay),
            )
    return made
