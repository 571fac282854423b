"""Wire shapes of Homerun's merchant administration (/homerun/v1/merchants)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from homerun.kit.flags import parse_flag
from homerun.merchants.models import Merchant
from homerun.processors.registry import known_processors

Flag = Annotated[bool, BeforeValidator(parse_flag)]
_CUTOFF = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _percent_to_bps(value: object) -> int:
    """ "3", "3.00", 3, 2.5 (percent) -> basis points; at most 3 %."""
    if isinstance(value, bool):
        raise ValueError('must be a percentage such as "3.00"')
    try:
        percent = Decimal(str(value))
    except InvalidOperation:
        raise ValueError('must be a percentage such as "3.00"') from None
    bps = percent * 100
    if bps != bps.to_integral_value() or not 0 <= bps <= 300:
        raise ValueError("must be between 0 and 3.00 percent, in steps of 0.01")
    return int(bps)


PercentBps = Annotated[int, BeforeValidator(_percent_to_bps)]


class MerchantSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    currency: Annotated[str, Field(pattern="^[A-Za-z]{3}$")] | None = None
    surcharge_enabled: Flag | None = None
    surcharge_rate: PercentBps | None = None
    batch_cutoff: str | None = None
    timezone: str | None = None
    processor: str | None = None
    status: Annotated[str, Field(pattern="^(active|disabled)$")] | None = None

    @field_validator("batch_cutoff")
    @classmethod
    def _cutoff(cls, value: str | None) -> str | None:
        if value is not None and not _CUTOFF.match(value):
            raise ValueError("must be a 24-hour time HH:MM such as 22:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as America/New_York") from None
        return value

    @field_validator("processor")
    @classmethod
    def _processor(cls, value: str | None) -> str | None:
        if value is not None and value not in known_processors():
            raise ValueError(f"must be one of {', '.join(known_processors())}")
        return value


class MerchantCreate(MerchantSettings):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class MerchantUpdate(MerchantSettings):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class MerchantOut(BaseModel):
    mid: str
    name: str
    currency: str
    surcharge_enabled: bool
    surcharge_rate: str
    surcharge_rate_bps: int
    batch_cutoff: str
    timezone: str
    processor: str
    status: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, merchant: Merchant) -> MerchantOut:
        bps = merchant.surcharge_rate_bps
        return cls(
            mid=merchant.mid,
            name=merchant.name,
            currency=merchant.currency,
            surcharge_enabled=merchant.surcharge_enabled,
            surcharge_rate=f"{bps // 100}.{bps % 100:02d}",
            surcharge_rate_bps=bps,
            batch_cutoff=merchant.batch_cutoff,
            timezone=merchant.timezone,
            processor=merchant.processor,
            status=merchant.status,
            created_at=merchant.created_at,
            updated_at=merchant.updated_at,
        )


class CredentialsOut(BaseModel):
    credential_id: int
    api_key: str
    refresh_token: str
    public_key: str
    api_key_expires_at: int
    refresh_token_expires_at: int


class CredentialSummary(BaseModel):
    credential_id: int
    public_key: str
    created_at: datetime
    revoked_at: datetime | None
