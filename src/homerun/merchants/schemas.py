"""Wire shapes of Homerun's merchant administration (/homerun/v1/merchants)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from homerun.kit.decimal_schema import DOLLARS, decimal_string_or_number
from homerun.kit.flags import parse_flag
from homerun.kit.money import AmountError, parse_dollars, to_dollars
from homerun.merchants.models import Merchant
from homerun.merchants.state import Accepts, MerchantStatus
from homerun.processors.registry import known_processors

_STATUS_PATTERN = f"^({'|'.join(MerchantStatus)})$"  # "^(active|disabled)$"

Flag = Annotated[bool, BeforeValidator(parse_flag)]
_CUTOFF = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_PERCENT = re.compile(r"^-?\d{1,6}(\.\d{1,6})?$")
_PERCENT_DOC = r"^\d{1,6}(\.\d{1,6})?$"  # what _PERCENT takes that the ranges allow

# ISO 4217 currencies with two decimal places: amounts are kept in hundredths (ruling R3),
# so a merchant may only settle in one of these.
# fmt: off
TWO_DECIMAL_CURRENCIES = frozenset({
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR",
    "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
    "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "YER", "ZAR",
    "ZMW", "ZWL",
})
# fmt: on


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _percent_in_bps(most_bps: int, example: str) -> Callable[[object], int]:
    """A percentage ("3", "3.00", 3, 2.5) -> basis points, from 0 to `most_bps`."""
    most = f"{most_bps // 100}.{most_bps % 100:02d}"

    def parse(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f'must be a percentage such as "{example}"')
        text = str(value).strip()
        # Plain decimals only: no exponent, NaN or infinity, whose arithmetic can raise.
        if not _PERCENT.match(text):
            raise ValueError(f'must be a percentage such as "{example}"')
        bps = Decimal(text) * 100
        if bps != bps.to_integral_value() or not 0 <= bps <= most_bps:
            raise ValueError(f"must be between 0 and {most} percent, in steps of 0.01")
        return int(bps)

    return parse


PercentBps = Annotated[
    int,
    BeforeValidator(_percent_in_bps(300, "3.00")),
    decimal_string_or_number(_PERCENT_DOC, "3.00", "Percent, 0 to 3.00 in steps of 0.01"),
]
RateBps = Annotated[
    int,
    BeforeValidator(_percent_in_bps(1000, "2.90")),
    decimal_string_or_number(_PERCENT_DOC, "2.90", "Percent, 0 to 10.00 in steps of 0.01"),
]
ShareBps = Annotated[
    int,
    BeforeValidator(_percent_in_bps(10_000, "5.00")),
    decimal_string_or_number(_PERCENT_DOC, "5.00", "Percent, 0 to 100.00 in steps of 0.01"),
]


def bps_as_percent(bps: int) -> str:
    return f"{bps // 100}.{bps % 100:02d}"


def _fee_to_minor(value: object) -> int:
    """A fee in dollars ("0.30", 15, 9.95) -> minor units; at most $10,000."""
    try:
        minor = parse_dollars(value)
    except AmountError as problem:
        raise ValueError(str(problem)) from None
    if minor > 1_000_000:
        raise ValueError("must be at most 10000.00")
    return minor


FeeMinor = Annotated[
    int,
    BeforeValidator(_fee_to_minor),
    decimal_string_or_number(DOLLARS, "0.30", "Dollars, at most 10000.00"),
]


class SimulatorFaults(BaseModel):
    """Faults of the sandbox simulator for one merchant (docs/testing.md#faults)."""

    model_config = ConfigDict(extra="ignore")

    latency_ms: Annotated[int, Field(ge=0, le=30_000)] = Field(
        default=0, description="Added to every processor call"
    )
    timeout_rate: ShareBps = Field(
        default=0, description="Percent of authorizations that time out (result B, code 62)"
    )
    error_rate: ShareBps = Field(
        default=0,
        description="Percent of authorizations that find the processor down (result B, code 61)",
    )

    @model_validator(mode="after")
    def _at_most_all(self) -> SimulatorFaults:
        if self.timeout_rate + self.error_rate > 10_000:
            raise ValueError("timeout_rate and error_rate add up to more than 100 percent")
        return self


class SimulatorFaultsOut(BaseModel):
    latency_ms: int
    timeout_rate: str
    error_rate: str


class MerchantSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    currency: str | None = None
    surcharge_enabled: Flag | None = None
    surcharge_rate: PercentBps | None = None
    batch_cutoff: str | None = None
    timezone: str | None = None
    processor: str | None = None
    status: Annotated[str, Field(pattern=_STATUS_PATTERN)] | None = None
    # Pricing and funding (docs/settlement.md).
    processing_rate: RateBps | None = None
    processing_fixed_fee: FeeMinor | None = None
    funding_delay_days: Annotated[int, Field(ge=0, le=10)] | None = None
    chargeback_fee: FeeMinor | None = None
    monthly_fee: FeeMinor | None = None
    faults: SimulatorFaults | None = None
    # ACH (docs/ach.md): what the MID takes, and what each returned ACH payment costs.
    accepts: Accepts | None = None
    ach_return_fee: FeeMinor | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.upper() not in TWO_DECIMAL_CURRENCIES:
            raise ValueError("must be an ISO 4217 currency with two decimal places, such as USD")
        return value.upper()

    @field_validator("batch_cutoff")
    @classmethod
    def _cutoff(cls, value: str | None) -> str | None:
        if value is not None and not _CUTOFF.match(value):
            raise ValueError("must be a 24-hour time HH:MM such as 22:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in _time_zones():
            raise ValueError("must be an IANA time zone such as America/New_York")
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
    processing_rate: str
    processing_rate_bps: int
    processing_fixed_fee: str
    funding_delay_days: int
    chargeback_fee: str
    monthly_fee: str
    faults: SimulatorFaultsOut
    accepts: str
    ach_return_fee: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, merchant: Merchant) -> MerchantOut:
        bps = merchant.surcharge_rate_bps
        rate = merchant.processing_rate_bps
        return cls(
            mid=merchant.mid,
            name=merchant.name,
            currency=merchant.currency,
            surcharge_enabled=merchant.surcharge_enabled,
            surcharge_rate=bps_as_percent(bps),
            surcharge_rate_bps=bps,
            batch_cutoff=merchant.batch_cutoff,
            timezone=merchant.timezone,
            processor=merchant.processor,
            status=merchant.status,
            processing_rate=bps_as_percent(rate),
            processing_rate_bps=rate,
            processing_fixed_fee=to_dollars(merchant.processing_fixed_fee),
            funding_delay_days=merchant.funding_delay_days,
            chargeback_fee=to_dollars(merchant.chargeback_fee),
            monthly_fee=to_dollars(merchant.monthly_fee),
            faults=SimulatorFaultsOut(
                latency_ms=merchant.fault_latency_ms,
                timeout_rate=bps_as_percent(merchant.fault_timeout_bps),
                error_rate=bps_as_percent(merchant.fault_error_bps),
            ),
            accepts=merchant.accepts,
            ach_return_fee=to_dollars(merchant.ach_return_fee),
            created_at=merchant.created_at,
            updated_at=merchant.updated_at,
        )


class MerchantList(BaseModel):
    items: list[MerchantOut]
    count: int
    limit: int
    offset: int
    hasMore: bool  # the spelling of Run's collections (ruling R9)


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
