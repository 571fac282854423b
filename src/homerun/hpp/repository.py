"""All SQL for hosted payment pages. Merchant-facing queries are scoped to one merchant."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.hpp.models import HostedPage, HostedPagePayment
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction


async def add(session: AsyncSession, page: HostedPage) -> HostedPage:
    session.add(page)
    await session.flush()
    return page


async def of_merchant(
    session: AsyncSession, merchant_id: int, client_id: str, *, lock: bool = False
) -> HostedPage | None:
    stmt = select(HostedPage).where(
        HostedPage.client_id == client_id, HostedPage.merchant_id == merchant_id
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def public(
    session: AsyncSession, client_id: str, *, lock: bool = False
) -> tuple[HostedPage, Merchant] | None:
    """A page and its merchant by the id in the shopper's link (row-locked when paying)."""
    stmt = (
        select(HostedPage, Merchant)
        .join(Merchant, Merchant.id == HostedPage.merchant_id)
        .where(HostedPage.client_id == client_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=HostedPage)
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else (row[0], row[1])


async def list_for_merchant(
    session: AsyncSession,
    merchant_id: int,
    *,
    status: str | None,
    limit: int,
    offset: int,
) -> Sequence[HostedPage]:
    stmt = select(HostedPage).where(HostedPage.merchant_id == merchant_id)
    if status is not None:
        stmt = stmt.where(HostedPage.status == status)
    stmt = stmt.order_by(HostedPage.id.desc()).limit(limit).offset(offset)
    return (await session.execute(stmt)).scalars().all()


async def count_of_merchant(session: AsyncSession, merchant_id: int, *, status: str | None) -> int:
    stmt = select(func.count(HostedPage.id)).where(HostedPage.merchant_id == merchant_id)
    if status is not None:
        stmt = stmt.where(HostedPage.status == status)
    return int(await session.scalar(stmt) or 0)


async def payment_by_attempt(
    session: AsyncSession, page_id: int, attempt: str
) -> tuple[HostedPagePayment, Transaction] | None:
    stmt = (
        select(HostedPagePayment, Transaction)
        .join(Transaction, Transaction.id == HostedPagePayment.transaction_id)
        .where(HostedPagePayment.page_id == page_id, HostedPagePayment.attempt == attempt)
    )
    row = (await session.execute(stmt)).one_or_none()
    return None if row is None else (row[0], row[1])


async def add_payment(session: AsyncSession, payment: HostedPagePayment) -> HostedPagePayment:
    session.add(payment)
    await session.flush()
    return payment


async def payments_of(
    session: AsyncSession, page_id: int, limit: int = 100
) -> Sequence[tuple[HostedPagePayment, Transaction]]:
    stmt = (
        select(HostedPagePayment, Transaction)
        .join(Transaction, Transaction.id == HostedPagePayment.transaction_id)
        .where(HostedPagePayment.page_id == page_id)
        .order_by(HostedPagePayment.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]
