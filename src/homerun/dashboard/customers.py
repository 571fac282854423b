"""What the Customers and Billing plans pages read, for one merchant.

Customers are the vault's holders with their payment accounts (masked: brand, kind and
last four are all the vault keeps in the clear); their billing plans come from billing.
Every read is scoped to the user's own merchant and bounded by a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.billing import plan_reads
from homerun.billing.models import BillingPlan
from homerun.merchants.models import Merchant
from homerun.vault import customer_reads
from homerun.vault.models import PaymentAccount, VaultHolder

PAGE_SIZE = 25
PLANS_SHOWN = 100  # on a customer's page; the Billing plans page pages through all


@dataclass
class Search:
    """The customers search as typed, with an error per bad field."""

    name: str = ""
    last_four: str = ""
    before: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def read_search(params: dict[str, str]) -> Search:
    wanted = Search(
        name=params.get("name", "").strip()[:120],
        last_four=params.get("last_four", "").strip()[:24],
    )
    if len(wanted.name) > 100:
        wanted.errors["name"] = "A name is at most 100 characters."
    four = wanted.last_four
    if four and not (len(four) == 4 and four.isascii() and four.isdigit()):
        wanted.errors["last_four"] = "Enter the last 4 digits of the card or account, like 1111."
    before = params.get("before", "")
    if before:
        if before.isascii() and before.isdigit() and len(before) <= 18:
            wanted.before = int(before)
        else:
            wanted.errors["before"] = (
                "This page link is not valid; start again from the first page."
            )
    return wanted


@dataclass(frozen=True, slots=True)
class Customer:
    holder: VaultHolder
    accounts: Sequence[PaymentAccount]  # oldest first, removed ones too


@dataclass(frozen=True, slots=True)
class CustomerPage:
    rows: list[Customer]
    next_before: int | None


async def _customers(session: AsyncSession, merchant: Merchant, ids: list[int]) -> list[Customer]:
    holders = await customer_reads.holders(session, merchant.id, ids)
    accounts = await customer_reads.accounts_of(session, merchant.id, ids)
    return [Customer(h, [a for a in accounts if a.holder_id == h.id]) for h in holders]


async def find(session: AsyncSession, merchant: Merchant, wanted: Search) -> CustomerPage:
    ids = await customer_reads.holder_ids(
        session,
        merchant.id,
        name=wanted.name or None,
        last_four=wanted.last_four or None,
        before=wanted.before,
        limit=PAGE_SIZE + 1,
    )
    more = len(ids) > PAGE_SIZE
    ids = ids[:PAGE_SIZE]
    return CustomerPage(await _customers(session, merchant, ids), ids[-1] if more else None)


@dataclass(frozen=True, slots=True)
class PlanLine:
    plan: BillingPlan
    account: PaymentAccount | None
    holder_uuid: str | None
    next_run: datetime | None


async def plan_lines(
    session: AsyncSession, merchant: Merchant, plans: Sequence[BillingPlan]
) -> list[PlanLine]:
    ids = [p.id for p in plans]
    runs = await plan_reads.next_runs(session, ids)
    owners = await customer_reads.accounts_with_holders(
        session, merchant.id, sorted({p.account_id for p in plans})
    )
    lines = []
    for p in plans:
        account, holder = owners.get(p.account_id, (None, None))
        lines.append(PlanLine(p, account, holder.uuid if holder else None, runs.get(p.id)))
    return lines


@dataclass(frozen=True, slots=True)
class CustomerDetail:
    customer: Customer
    plans: list[PlanLine]


async def customer(session: AsyncSession, merchant: Merchant, uuid: str) -> CustomerDetail | None:
    """The merchant's own holder with its accounts and plans; another's is not found."""
    holder = await customer_reads.holder(session, merchant.id, uuid)
    if holder is None:
        return None
    [found] = await _customers(session, merchant, [holder.id])
    account_ids = [a.id for a in found.accounts]
    plans = await plan_reads.of_accounts(session, merchant.id, account_ids, PLANS_SHOWN)
    return CustomerDetail(found, await plan_lines(session, merchant, plans))


@dataclass(frozen=True, slots=True)
class PlanPage:
    rows: list[PlanLine]
    next_before: int | None


async def recent_plans(session: AsyncSession, merchant: Merchant, before: int | None) -> PlanPage:
    plans = await plan_reads.newest(session, merchant.id, before, PAGE_SIZE + 1)
    more = len(plans) > PAGE_SIZE
    plans = plans[:PAGE_SIZE]
    return PlanPage(await plan_lines(session, merchant, plans), plans[-1].id if more else None)
