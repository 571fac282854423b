"""Reads of one merchant's vault for its own people: holders found by name or last four.

A holder has no name of its own: its accounts carry the name. A page is the holders with
at least one matching account, newest first, found by a keyset on the holder id, then
the accounts of just those holders: a page costs the same however large the vault is.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.vault.models import PaymentAccount, VaultHolder


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


async def holder_ids(
    session: AsyncSession,
    merchant_id: int,
    *,
    name: str | None,
    last_four: str | None,
    before: int | None,
    limit: int,
) -> list[int]:
    """Ids of the merchant's holders with an account matching both filters, newest first."""
    stmt = select(PaymentAccount.holder_id).where(PaymentAccount.merchant_id == merchant_id)
    if name:
        stmt = stmt.where(func.lower(PaymentAccount.name).like(_like(name), escape="\\"))
    if last_four:
        stmt = stmt.where(PaymentAccount.last_four == last_four)
    if before is not None:
        stmt = stmt.where(PaymentAccount.holder_id < before)
    stmt = (
        stmt.group_by(PaymentAccount.holder_id)
        .order_by(PaymentAccount.holder_id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())


async def holders(session: AsyncSession, merchant_id: int, ids: list[int]) -> Sequence[VaultHolder]:
    if not ids:
        return []
    stmt = (
        select(VaultHolder)
        .where(VaultHolder.merchant_id == merchant_id, VaultHolder.id.in_(ids))
        .order_by(VaultHolder.id.desc())
    )
    return (await session.execute(stmt)).scalars().all()


async def accounts_of(
    session: AsyncSession, merchant_id: int, ids: list[int]
) -> Sequence[PaymentAccount]:
    """Every account (deleted ones too) of these holders, oldest first."""
    if not ids:
        return []
    stmt = (
        select(PaymentAccount)
        .where(PaymentAccount.merchant_id == merchant_id, PaymentAccount.holder_id.in_(ids))
        .order_by(PaymentAccount.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def holder(session: AsyncSession, merchant_id: int, uuid: str) -> VaultHolder | None:
    """The merchant's own holder by its wire id; another merchant's is not found."""
    stmt = select(VaultHolder).where(
        VaultHolder.uuid == uuid, VaultHolder.merchant_id == merchant_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def accounts_with_holders(
    session: AsyncSession, merchant_id: int, account_ids: list[int]
) -> dict[int, tuple[PaymentAccount, VaultHolder]]:
    """These accounts of the merchant's, each with its holder, by account id."""
    if not account_ids:
        return {}
    stmt = (
        select(PaymentAccount, VaultHolder)
        .join(VaultHolder, VaultHolder.id == PaymentAccount.holder_id)
        .where(PaymentAccount.merchant_id == merchant_id, PaymentAccount.id.in_(account_ids))
    )
    return {a.id: (a, h) for a, h in (await session.execute(stmt)).all()}
