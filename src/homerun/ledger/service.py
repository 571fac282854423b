"""Posting balanced journals, and a merchant's position read back from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ledger import repository
from homerun.ledger.accounts import Account, Kind
from homerun.ledger.models import LedgerEntry


class UnbalancedJournal(Exception):
    """A journal whose lines do not sum to zero: a bug, never a user error."""


@dataclass(frozen=True, slots=True)
class Line:
    account: Account
    amount: int  # debit > 0, credit < 0
    available_on: date | None = None  # merchant_payable lines: first date they may be funded
    deposit_id: int | None = None  # merchant_payable line of a deposit journal


@dataclass(frozen=True, slots=True)
class Source:
    """What a journal came from; copied onto each of its lines."""

    batch_id: str | None = None
    chargeback_id: int | None = None
    adjustment_id: int | None = None


def post(
    session: AsyncSession,
    *,
    merchant_id: int,
    currency: str,
    journal: str,
    kind: Kind,
    at: datetime,
    lines: list[Line],
    source: Source = Source(),
) -> None:
    """Add one balanced journal; a journal of nothing but zeros is not written."""
    if sum(line.amount for line in lines) != 0:
        raise UnbalancedJournal(f"journal {journal} does not balance: {lines}")
    if all(line.amount == 0 for line in lines):
        return
    repository.add_entries(
        session,
        (
            LedgerEntry(
                merchant_id=merchant_id,
                currency=currency,
                journal=journal,
                kind=kind.value,
                account=line.account.value,
                amount=line.amount,
                posted_at=at,
                available_on=line.available_on,
                batch_id=source.batch_id,
                chargeback_id=source.chargeback_id,
                adjustment_id=source.adjustment_id,
                deposit_id=line.deposit_id,
            )
            for line in lines
        ),
    )


def transfer(
    debit: Account, credit: Account, amount: int, available_on: date | None = None
) -> list[Line]:
    """Two lines moving `amount` from `credit` to `debit`; payable lines get `available_on`."""

    def on(account: Account) -> date | None:
        return available_on if account is Account.MERCHANT_PAYABLE else None

    return [Line(debit, amount, on(debit)), Line(credit, -amount, on(credit))]


@dataclass(frozen=True, slots=True)
class Position:
    """A merchant's money as the ledger sees it, every figure positive in its usual sense.

    sales - refunds - fees - chargebacks + reversals + adjustments = deposited + pending.
    """

    sales: int
    refunds: int
    fees: int
    chargebacks: int
    reversals: int
    adjustments: int  # signed: credits minus debits
    deposited: int
    pending: int  # booked and not yet paid out


async def position(session: AsyncSession, merchant_id: int) -> Position:
    totals = await repository.totals(session, merchant_id)

    def payable(kind: Kind) -> int:
        return totals.get((kind.value, Account.MERCHANT_PAYABLE.value), 0)

    everything = sum(v for (_, account), v in totals.items() if account == Account.MERCHANT_PAYABLE)
    return Position(
        sales=-payable(Kind.SALE),
        refunds=payable(Kind.REFUND),
        fees=payable(Kind.FEE),
        chargebacks=payable(Kind.CHARGEBACK),
        reversals=-payable(Kind.REVERSAL),
        adjustments=-payable(Kind.ADJUSTMENT),
        deposited=payable(Kind.DEPOSIT),
        pending=-everything,
    )


async def unbalanced_journals(session: AsyncSession, merchant_id: int) -> list[str]:
    return await repository.unbalanced_journals(session, merchant_id)
