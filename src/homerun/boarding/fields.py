"""Field types of the Boarding API's requests: each strips, checks and converts its wire form
(dollars to minor units, percentages to hundredths, rates to thousandths)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from homerun.boarding import validation as v
from homerun.kit.decimal_schema import DOLLARS, decimal_string_or_number
from homerun.kit.flags import parse_flag


def choice(allowed: tuple[str, ...]) -> Callable[[object], str]:
    return lambda value: v.choice(value, allowed)


def text(check: Callable[[str], Any]) -> Callable[[object], object]:
    """Strip a string and check it; answer the check's normal form when it gives a string."""

    def run(value: object) -> object:
        if isinstance(value, str):
            stripped = value.strip()
            normal = check(stripped)
            return normal if isinstance(normal, str) else stripped
        return value

    return run


def whole(minimum: int, maximum: int) -> Callable[[object], int]:
    return lambda value: v.whole_number(value, minimum, maximum)


Flag = Annotated[bool, BeforeValidator(parse_flag)]
Dollars = Annotated[
    int, BeforeValidator(v.dollars), decimal_string_or_number(DOLLARS, "2599.99", "Dollars")
]
Percent = Annotated[
    int,
    BeforeValidator(v.percent_hundredths),
    decimal_string_or_number(r"^\d{1,3}(\.\d{1,2})?$", "25.5", "Percent, 0 to 100"),
]
Rate = Annotated[
    int,
    BeforeValidator(v.rate_thousandths),
    decimal_string_or_number(r"^\d{1,2}(\.\d{1,3})?$", "2.75", "Percent, 0 to 10"),
]
Phone = Annotated[str, BeforeValidator(text(v.phone)), Field(max_length=12)]
State = Annotated[str, BeforeValidator(lambda s: v.us_state(s) if isinstance(s, str) else s)]
Zip = Annotated[str, BeforeValidator(text(v.us_zip)), Field(max_length=10)]
Id = Annotated[int, BeforeValidator(whole(1, 10**15))]


def surcharge_bps(value: object) -> int:
    thousandths = v.rate_thousandths(value, maximum=3)
    if thousandths % 10:
        raise ValueError("must have at most 2 decimals")
    return thousandths // 10


SurchargeBps = Annotated[
    int,
    BeforeValidator(surcharge_bps),
    decimal_string_or_number(r"^\d(\.\d{1,2})?$", "3.00", "Percent, 0 to 3.00"),
]
