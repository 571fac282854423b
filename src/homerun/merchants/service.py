"""Merchants: creation with a fresh MID, settings changes.

Merchants sit below settlement and auth (both read the merchants table), so a change
here does not reach up into them: the callers that create or change a merchant (the
admin routes, boarding, the CLI, the demo set-up) also give it its settlement schedule
(settlement.schedule.ensure_for_merchant) and, on a change, drop the api-key cache.
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import NotFound
from homerun.kit.ids import new_mid
from homerun.merchants import repository
from homerun.merchants.models import Merchant
from homerun.merchants.schemas import MerchantCreate, MerchantSettings, MerchantUpdate
from homerun.merchants.state import Accepts, MerchantStatus
from homerun.processors.faults import Faults
from homerun.runtime import Runtime

_MID = re.compile(r"^[0-9]{12}$")
_SETTING_COLUMNS = {
    "currency": "currency",
    "surcharge_enabled": "surcharge_enabled",
    "surcharge_rate": "surcharge_rate_bps",
    "batch_cutoff": "batch_cutoff",
    "timezone": "timezone",
    "processor": "processor",
    "status": "status",
    "processing_rate": "processing_rate_bps",
    "processing_fixed_fee": "processing_fixed_fee",
    "funding_delay_days": "funding_delay_days",
    "chargeback_fee": "chargeback_fee",
    "monthly_fee": "monthly_fee",
    "accepts": "accepts",
    "ach_return_fee": "ach_return_fee",
}


def _apply_settings(merchant: Merchant, settings: MerchantSettings) -> None:
    for field, column in _SETTING_COLUMNS.items():
        value = getattr(settings, field)
        if value is not None:
            setattr(merchant, column, value)
    if settings.faults is not None:  # all three at once: what is left out is no fault
        merchant.fault_latency_ms = settings.faults.latency_ms
        merchant.fault_timeout_bps = settings.faults.timeout_rate
        merchant.fault_error_bps = settings.faults.error_rate


def faults_of(merchant: Merchant) -> Faults:
    return Faults(merchant.fault_latency_ms, merchant.fault_timeout_bps, merchant.fault_error_bps)


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
        status=MerchantStatus.ACTIVE,
        processing_rate_bps=290,
        processing_fixed_fee=30,
        funding_delay_days=1,
        chargeback_fee=1500,
        monthly_fee=995,
        accepts=Accepts.CARDS,
        ach_return_fee=500,
        created_at=now,
        updated_at=now,
    )
    _apply_settings(merchant, data)
    await repository.add(session, merchant)
    return merchant


async def get(session: AsyncSession, mid: str) -> Merchant:
    # Only a 12-digit string can be a MID (R11); anything else is not looked up at all.
    merchant = await repository.by_mid(session, mid) if _MID.match(mid) else None
    if merchant is None:
        raise NotFound(f"merchant {mid} not found")
    return merchant


async def by_id(session: AsyncSession, merchant_id: int) -> Merchant | None:
    """A merchant by its row id (a dashboard user's merchant)."""
    return await repository.by_id(session, merchant_id)


async def update(
    session: AsyncSession, runtime: Runtime, mid: str, data: MerchantUpdate
) -> Merchant:
    merchant = await get(session, mid)
    if data.name is not None:
        merchant.name = data.name
    _apply_settings(merchant, data)
    merchant.updated_at = runtime.clock.now()
    await session.flush()
    runtime.forget_credentials()  # authenticated calls must see the new settings (status, rates)
    return merchant
