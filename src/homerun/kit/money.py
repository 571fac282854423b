"""Money as integer minor units plus a currency; never a float.

Wire forms (integer cents, dollar strings) are parsed here once so that every
schema applies the same rules (ruling R3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# ASCII digits only: \d and str.isdigit() also match other scripts' digits.
_DOLLARS = re.compile(r"^(\d{1,12})\.(\d{1,2})$", re.ASCII)
_CENTS = re.compile(r"^\d{1,14}$", re.ASCII)

# Largest amount Homerun accepts on any wire: $999,999,999.99.
MAX_MINOR = 99_999_999_999


class AmountForm(StrEnum):
    """How a client wrote an amount, so a response can answer in kind (R3's three forms)."""

    CENTS = "cents"  # a JSON integer of cents: 1234
    DIGITS = "digits"  # a string of digits, cents too: "1234"
    DOLLARS = "dollars"  # a dollar string: "12.34"


@dataclass(frozen=True, slots=True)
class WireAmount:
    minor: int
    form: AmountForm


class AmountError(ValueError):
    """An amount that no rule of R3 accepts; the message says why."""


def parse_charge_amount(value: object) -> WireAmount:
    """Parse a Payments API amount: int = cents, "12.34" = dollars, "1234" = cents."""
    if isinstance(value, bool):
        raise AmountError('must be integer cents or a dollar string such as "12.34"')
    if isinstance(value, int):
        return WireAmount(_bounded(value), AmountForm.CENTS)
    if isinstance(value, float):
        raise AmountError(
            'a JSON number must be whole cents; send dollars as a string such as "12.34"'
        )
    if isinstance(value, str):
        text = value.strip()
        if _CENTS.match(text):
            return WireAmount(_bounded(int(text)), AmountForm.DIGITS)
        return WireAmount(parse_dollars(text), AmountForm.DOLLARS)
    raise AmountError('must be integer cents or a dollar string such as "12.34"')


def parse_dollars(value: object) -> int:
    """Parse decimal dollars ("12.34", "12", 12, 12.5) into minor units."""
    if isinstance(value, bool):
        raise AmountError('must be a dollar amount such as "12.34"')
    if isinstance(value, int):
        return _bounded(value * 100)
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        raise AmountError('must be a dollar amount such as "12.34"')
    text = value.strip()
    if text.startswith("-"):
        raise AmountError("must not be negative")
    match = _DOLLARS.match(text)
    if match:
        whole, frac = match.groups()
        return _bounded(int(whole) * 100 + int(frac.ljust(2, "0")))
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return _bounded(int(text) * 100)
    raise AmountError('must be a dollar amount with at most 2 decimals, such as "12.34"')


def _bounded(minor: int) -> int:
    if minor < 0:
        raise AmountError("must not be negative")
    if minor > MAX_MINOR:
        raise AmountError("is too large")
    return minor


def to_dollars(minor: int) -> str:
    """Minor units as a dollar string with two decimals: 1234 -> "12.34"."""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


def to_dollar_number(minor: int) -> float:
    """Minor units as a JSON number in dollars (Reporting, Boarding): 259999 -> 2599.99.

    Only for serialisation at the wire; never compute with the result.
    """
    return float(Decimal(minor) / 100)


def echo(minor: int, form: AmountForm) -> int | str:
    """Answer an amount in the form the request used (ruling R3)."""
    if form is AmountForm.CENTS:
        return minor
    if form is AmountForm.DIGITS:
        return str(minor)
    return to_dollars(minor)


def apply_rate_bps(minor: int, rate_bps: int) -> int:
    """minor * rate, rounded half up to the cent: the surcharge and fee rule."""
    return int((Decimal(minor) * rate_bps / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def proportion(part: int, whole: int, of: int) -> int:
    """of * part / whole, rounded half up; used for proportional surcharge refunds."""
    if whole == 0:
        return 0
    return int((Decimal(of) * part / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))
