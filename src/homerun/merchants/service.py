"""Merchants: creation with a fresh MID, settings changes."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import NotFound
from homerun.kit.ids import new_mid
from homerun.merchants import repository
from homerun.merchants.models import Merchant
from homerun.merchants.schemas import MerchantCreate, MerchantSettings, MerchantUpdate
from homerun.runtime import Runtime

_SETTING_COLUMNS = {
    "currency": "currency",
    "surcharge_enabled": "surcharge_enabled",
    "surcharge_rate": "surcharge_rate_bps",
    "batch_cutoff": "batch_cutoff",
    "timezone": "timezone",
    "processor": "processor",
    "status": "status",
}


def _apply_settings(merchant: Merchant, settings: MerchantSettings) -> None:
    for field, column in _SETTING_COLUMNS.items():
        value = getattr(settings, field)
        if value is not None:
            setattr(merchant, column, value.upper() if field == "currency" else value)


async def create(session: AsyncSession, runtime: Runtime, data: MerchantCreate) -> Merchant:
    now = runtime.clock.now()
    mid = new_mid()
    while await repository.mid_exists(session, mid):
        mid = new_mid()
    merchant = Merchant(
        mid=mid,
        name=data.name,
        currency="USD",
        surcharge_enabled=False,
        surcharge_rate_bps=0,
        batch_cutoff="22:00",
        timezone="America/New_York",
        processor="simulator",
        status="active",
        created_at=now,
        updated_at=now,
    )
    _apply_settings(merchant, data)
    return await repository.add(session, merchant)


async def get(session: AsyncSession, mid: str) -> Merchant:
    merchant = await repository.by_mid(session, mid)
    if merchant is None:
        raise NotFound(f"merchant {mid} not found")
    return merchant


async def update(
    session: AsyncSession, runtime: Runtime, mid: str, data: MerchantUpdate
) -> Merchant:
    merchant = await get(session, mid)
    if data.name is not None:
        merchant.name = data.name
    _apply_settings(merchant, data)
    merchant.updated_at = runtime.clock.now()
    await session.flush()
    return merchant
