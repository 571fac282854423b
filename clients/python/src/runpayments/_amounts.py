"""Amounts on the wire (ruling R3) as Decimal dollars.

The Payments API answers `amount` in the form the request used: integer cents, a string of
digits (cents too) or a dollar string with a point. Reporting, Boarding, surcharge, HPP and
billing-plan amounts are dollars, as JSON numbers or strings. Floats never carry money here:
a JSON number is read through its decimal text.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_CENT = Decimal("0.01")


def cents_or_dollars(value: object) -> Decimal:
    """Read a Payments API amount: integer or digit string = cents, dotted string = dollars."""
    if isinstance(value, bool):
        raise ValueError("an amount is not a flag")
    if isinstance(value, int):
        return (Decimal(value) * _CENT).quantize(_CENT)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return (Decimal(value) * _CENT).quantize(_CENT)
    return dollars(value)


def dollars(value: object) -> Decimal:
    """Read a dollar amount given as a JSON number, a string or a Decimal."""
    if isinstance(value, bool):
        raise ValueError("an amount is not a flag")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        try:
            # str() of a float is its shortest round-trip text: 25.99 stays 25.99.
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    raise ValueError(f"not an amount: {value!r}")


def to_wire(value: Decimal) -> str:
    """A dollar amount as Run's decimal string, exactly two places ("12.30")."""
    exact = value.quantize(_CENT)
    if exact != value:
        raise ValueError(f"{value} has more than two decimal places")
    if exact < 0:
        raise ValueError(f"{value} is negative")
    return f"{exact:.2f}"


# Response amount types: what a model field holds is always Decimal dollars.
PaymentsAmount = Annotated[Decimal, BeforeValidator(cents_or_dollars)]
Dollars = Annotated[Decimal, BeforeValidator(dollars)]
# Request amount type: a caller's Decimal (or int/str) dollars, sent as "12.34".
WireDollars = Annotated[
    Decimal, BeforeValidator(dollars), PlainSerializer(to_wire, return_type=str)
]
