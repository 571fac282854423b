"""Stored amounts in their wire form: minor units as dollars, hundredths as percent, pricing
rates (thousandths of a percent) as percent; ruling R3 numbers, never strings."""

from __future__ import annotations

from typing import Any

from homerun.boarding import validation as v
from homerun.boarding.choices import FEE_KEYS, PRICING_MONEY_KEYS, RATE_KEYS


def dollars_out(minor: int | None) -> int | float | None:
    """Minor units as a JSON number of dollars: 120000000 -> 1200000, 259999 -> 2599.99."""
    if minor is None:
        return None
    return v.hundredths_out(minor)


def percent_out(hundredths: int | None) -> int | float | None:
    return None if hundredths is None else v.hundredths_out(hundredths)


def pricing_out(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    out: dict[str, Any] = {"pricing_type": stored.get("pricing_type")}
    for key in RATE_KEYS:
        value = stored.get(key)
        out[key] = None if value is None else v.thousandths_out(int(value))
    for key in PRICING_MONEY_KEYS:
        out[key] = dollars_out(stored.get(key))
    bps = stored.get("surcharge_rate")
    out["surcharge_rate"] = None if bps is None else v.hundredths_out(int(bps))
    return out


def fees_out(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    return {key: dollars_out(stored.get(key)) for key in FEE_KEYS}
