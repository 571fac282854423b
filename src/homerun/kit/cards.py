"""Card-number facts that need no database: brand, masking, expiry forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from homerun.kit.ids import luhn_valid

BRAND_IDS = {"VISA": 1, "MASTERCARD": 2, "AMEX": 3, "DISCOVER": 4}
CVV_LENGTH = {"VISA": 3, "MASTERCARD": 3, "AMEX": 4, "DISCOVER": 3}
PAN_LENGTHS = {"VISA": (13, 16, 19), "MASTERCARD": (16,), "AMEX": (15,), "DISCOVER": (16, 19)}


def brand_of(pan: str) -> str | None:
    """The card brand from the number's leading digits (IIN ranges), or None."""
    if pan.startswith("4"):
        return "VISA"
    two, four, six = int(pan[:2] or 0), int(pan[:4] or 0), int(pan[:6] or 0)
    if 51 <= two <= 55 or 222100 <= six <= 272099:
        return "MASTERCARD"
    if two in (34, 37):
        return "AMEX"
    if four == 6011 or two == 65 or 644 <= int(pan[:3] or 0) <= 649 or 622126 <= six <= 622925:
        return "DISCOVER"
    return None


class CardNumberError(ValueError):
    pass


def check_pan(pan: str) -> str:
    """The brand of a well-formed card number; raises with the reason otherwise."""
    # ASCII digits only: str.isdigit() is also true of fullwidth or superscript digits.
    if not (pan.isascii() and pan.isdigit()) or not 12 <= len(pan) <= 19:
        raise CardNumberError("must be 12 to 19 digits")
    if not luhn_valid(pan):
        raise CardNumberError("fails the check digit (Luhn)")
    brand = brand_of(pan)
    if brand is None:
        raise CardNumberError("is not a Visa, Mastercard, Amex or Discover number")
    if len(pan) not in PAN_LENGTHS[brand]:
        raise CardNumberError(f"has the wrong length for {brand}")
    return brand


def mask(last_four: str | None) -> str | None:
    return None if last_four is None else f"**** **** **** {last_four}"


# re.ASCII: \d alone also matches other scripts' digits (fullwidth, Arabic-Indic).
_EXPIRY_FORMS = (
    re.compile(r"^(?P<m>\d{2})(?P<y>\d{2})$", re.ASCII),  # MMYY
    re.compile(r"^(?P<m>\d{1,2})/(?P<y>\d{2})$", re.ASCII),  # MM/YY
    re.compile(r"^(?P<m>\d{1,2})/(?P<y>\d{4})$", re.ASCII),  # MM/YYYY
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$", re.ASCII),  # YYYYMM
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$", re.ASCII),  # YYYY-MM
)


class ExpiryError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Expiry:
    month: int
    year: int  # four digits

    @property
    def mmyy(self) -> str:
        return f"{self.month:02d}{self.year % 100:02d}"

    @property
    def yyyy_mm(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def has_passed(self, today: date) -> bool:
        """A card is good through the last day of its expiry month."""
        return (self.year, self.month) < (today.year, today.month)


def parse_expiry(value: object) -> Expiry:
    """Accept MMYY, MM/YY, MM/YYYY, YYYYMM and YYYY-MM (ruling R11)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:04d}"
    if not isinstance(value, str):
        raise ExpiryError("must be a card expiry such as MMYY, MM/YY or YYYY-MM")
    text = value.strip()
    for form in _EXPIRY_FORMS:
        match = form.match(text)
        if match:
            month, year = int(match["m"]), int(match["y"])
            if year < 100:
                year += 2000
            if not 1 <= month <= 12:
                raise ExpiryError("has a month outside 01-12")
            return Expiry(month, year)
    raise ExpiryError("must be a card expiry such as MMYY, MM/YY or YYYY-MM")


def expiry_from_mmyy(mmyy: str) -> Expiry:
    return Expiry(int(mmyy[:2]), 2000 + int(mmyy[2:]))
