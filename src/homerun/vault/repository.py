"""All SQL for vault holders and payment accounts (always within one merchant)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.tokenizer.models import AchToken, CardToken
from homerun.vault.models import PaymentAccount, VaultHolder


async def holder_by_uuid(
    session: AsyncSession, merchant_id: int, uuid: str, *, lock: bool = False
) -> VaultHolder | None:
    stmt = select(VaultHolder).where(
        VaultHolder.uuid == uuid, VaultHolder.merchant_id == merchant_id
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def holder_by_id(
    session: AsyncSession, holder_id: int, *, lock: bool = False
) -> VaultHolder | None:
    if not lock:
        return await session.get(VaultHolder, holder_id)  # loaded already in a batch
    stmt = select(VaultHolder).where(VaultHolder.id == holder_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def account(
    session: AsyncSession,
    merchant_id: int,
    *,
    account_id: int | None = None,
    uuid: str | None = None,
    lock: bool = False,
) -> PaymentAccount | None:
    if account_id is not None and not lock:
        # By primary key: from the session when a batch loaded it already.
        row = await session.get(PaymentAccount, account_id)
        return row if row is not None and row.merchant_id == merchant_id else None
    stmt = select(PaymentAccount).where(PaymentAccount.merchant_id == merchant_id)
    if account_id is not None:
        stmt = stmt.where(PaymentAccount.id == account_id)
    elif uuid is not None:
        stmt = stmt.where(PaymentAccount.uuid == uuid)
    else:
        return None
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def account_by_id(session: AsyncSession, account_id: int) -> PaymentAccount | None:
    return await session.get(PaymentAccount, account_id)


async def default_account(session: AsyncSession, holder_id: int) -> PaymentAccount | None:
    """The holder's default active account, else its newest active one."""
    stmt = (
        select(PaymentAccount)
        .where(PaymentAccount.holder_id == holder_id, PaymentAccount.is_deleted.is_(False))
        .order_by(PaymentAccount.is_default.desc(), PaymentAccount.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def active_with_card(
    session: AsyncSession, holder_id: int, card_token_id: int
) -> PaymentAccount | None:
    stmt = (
        select(PaymentAccount)
        .where(
            PaymentAccount.holder_id == holder_id,
            PaymentAccount.card_token_id == card_token_id,
            PaymentAccount.is_deleted.is_(False),
        )
        .order_by(PaymentAccount.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def active_with_bank(
    session: AsyncSession, holder_id: int, ach_token_id: int
) -> PaymentAccount | None:
    stmt = (
        select(PaymentAccount)
        .where(
            PaymentAccount.holder_id == holder_id,
            PaymentAccount.ach_token_id == ach_token_id,
            PaymentAccount.is_deleted.is_(False),
        )
        .order_by(PaymentAccount.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def clear_default(session: AsyncSession, holder_id: int, keep_id: int) -> None:
    """Every other account of the holder stops being the default."""
    await session.execute(
        update(PaymentAccount)
        .where(
            PaymentAccount.holder_id == holder_id,
            PaymentAccount.id != keep_id,
            PaymentAccount.is_default.is_(True),
        )
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )


async def add_holder(session: AsyncSession, holder: VaultHolder) -> VaultHolder:
    session.add(holder)
    await session.flush()
    return holder


async def add_account(session: AsyncSession, account_row: PaymentAccount) -> PaymentAccount:
    session.add(account_row)
    await session.flush()
    return account_row


async def accounts_with_cards(
    session: AsyncSession, account_ids: list[int]
) -> list[tuple[PaymentAccount, VaultHolder, CardToken | AchToken | None]]:
    """Accounts with their holders and card or bank tokens, in one query (the billing
    runner charges a batch of them; the charges then find all three in the session)."""
    stmt = (
        select(PaymentAccount, VaultHolder, CardToken, AchToken)
        .join(VaultHolder, VaultHolder.id == PaymentAccount.holder_id)
        .outerjoin(CardToken, CardToken.id == PaymentAccount.card_token_id)
        .outerjoin(AchToken, AchToken.id == PaymentAccount.ach_token_id)
        .where(PaymentAccount.id.in_(account_ids))
        .execution_options(populate_existing=True)
    )
    rows = (await session.execute(stmt)).all()
    return [(a, h, card if card is not None else bank) for a, h, card, bank in rows]
