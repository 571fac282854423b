"""What a boarding desk checks on an application: pure functions, no I/O.

Each raises ValueError with a readable message; the schemas turn it into a 400
that names the field (ruling R6).
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from homerun.kit.money import AmountError, parse_dollars

# The states and DC, then the territories and the military post codes (AA, AE, AP).
_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "PR VI GU AS MP AA AE AP"
)
US_STATES = frozenset(_STATE_CODES.split())

_PHONE = re.compile(r"^\d{3}-\d{3}-\d{4}$")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_WEBSITE = re.compile(
    r"^(https?://)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(:\d{1,5})?([/?#]\S*)?$",
    re.IGNORECASE,
)
_TAX_ID_FORMS = (
    re.compile(r"^\d{9}$"),
    re.compile(r"^\d{2}-\d{7}$"),  # EIN
    re.compile(r"^\d{3}-\d{2}-\d{4}$"),  # SSN / ITIN
)
# First two digits of a routing number: Federal Reserve districts (01-12), thrifts (21-32),
# electronic-only (61-72), the U.S. government (00) and traveler's cheques (80).
_ABA_PREFIXES = frozenset([0, 80, *range(1, 13), *range(21, 33), *range(61, 73)])


def normalise_choice(value: object) -> str:
    """'Sole Proprietorship', 'sole-proprietorship', 'SOLE_PROPRIETORSHIP': sole_proprietorship."""
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return re.sub(r"[\s\-]+", "_", value.strip()).lower()


def choice(value: object, allowed: tuple[str, ...]) -> str:
    normal = normalise_choice(value)
    if normal not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}")
    return normal


def phone(value: str) -> str:
    if not _PHONE.match(value):
        raise ValueError("must be a US phone number written ###-###-####")
    return value


def email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("must be an e-mail address such as name@example.com")
    return value


def website(value: str) -> str:
    if not _WEBSITE.match(value):
        raise ValueError("must be a web address such as https://www.example.com")
    return value


def tax_id(value: str) -> str:
    """A 9-digit EIN or SSN, kept as written (12-3456789, 123-45-6789) or as 9 digits."""
    if not any(form.match(value) for form in _TAX_ID_FORMS):
        raise ValueError("must be a 9-digit EIN or SSN (12-3456789, 123-45-6789 or 123456789)")
    if tax_id_digits(value) == "000000000":
        raise ValueError("must not be all zeros")
    return value


def tax_id_digits(value: str) -> str:
    return value.replace("-", "")


def us_state(value: str) -> str:
    state = value.strip().upper()
    if state not in US_STATES:
        raise ValueError("must be a two-letter US state or territory code such as PA")
    return state


def us_zip(value: str) -> str:
    if not _ZIP.match(value):
        raise ValueError("must be a US ZIP code: ##### or #####-####")
    return value


def country(value: str) -> str:
    if value.strip().upper() not in ("US", "USA"):
        raise ValueError("must be US: Homerun boards US merchants only")
    return "US"


def routing_number(value: str) -> str:
    """A 9-digit ABA routing transit number whose check digit is right."""
    if not re.fullmatch(r"\d{9}", value):
        raise ValueError("must be a 9-digit ABA routing number")
    digits = [int(c) for c in value]
    if not any(digits):
        raise ValueError("is not an ABA routing number: it is all zeros")
    if int(value[:2]) not in _ABA_PREFIXES:
        raise ValueError(
            "is not an ABA routing number: its first two digits are not a valid prefix"
        )
    weighted = 3 * (digits[0] + digits[3] + digits[6])
    weighted += 7 * (digits[1] + digits[4] + digits[7])
    weighted += digits[2] + digits[5] + digits[8]
    if weighted % 10 != 0:
        raise ValueError("fails the ABA routing number checksum")
    return value


def account_number(value: str) -> str:
    if not re.fullmatch(r"\d{4,17}", value):
        raise ValueError("must be 4 to 17 digits")
    return value


def seasonal_months(value: str) -> str:
    """ "1:2:10" -> the same, sorted and without repeats; each a month number 1-12."""
    if len(value) > 30:
        raise ValueError("must be at most 30 characters")
    parts = value.split(":")
    months: set[int] = set()
    for part in parts:
        if not part.strip().isdigit() or not 1 <= int(part) <= 12:
            raise ValueError('must be month numbers 1-12 separated by colons, such as "1:2:10"')
        months.add(int(part))
    return ":".join(str(m) for m in sorted(months))


def birth_date(value: str) -> date:
    try:
        parsed = datetime.strptime(value, "%m/%d/%Y").date()
    except ValueError:
        raise ValueError("must be a date written mm/dd/yyyy") from None
    if parsed.year < 1900:
        raise ValueError("must be a date after 1900")
    return parsed


def years_between(earlier: date, later: date) -> int:
    years = later.year - earlier.year
    if (later.month, later.day) < (earlier.month, earlier.day):
        years -= 1
    return years


def dollars(value: object) -> int:
    """A boarding amount in dollars (JSON number, or a numeric string) -> minor units."""
    if isinstance(value, str) and not value.strip():
        raise ValueError("must be a dollar amount such as 2599.99")
    try:
        return parse_dollars(value)
    except AmountError as problem:
        raise ValueError(str(problem)) from None


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("must be a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not number.is_finite():
        raise ValueError("must be a number")
    return number


def percent_hundredths(value: object) -> int:
    """A percentage 0-100 with at most 2 decimals -> hundredths of a percent (25.5 -> 2550)."""
    number = _decimal(value)
    if number < 0 or number > 100:
        raise ValueError("must be a percentage between 0 and 100")
    scaled = number * 100
    if scaled != scaled.to_integral_value():
        raise ValueError("must have at most 2 decimals")
    return int(scaled)


def rate_thousandths(value: object, maximum: int = 10) -> int:
    """A pricing rate in percent (0-`maximum`, at most 3 decimals) -> thousandths of a percent."""
    number = _decimal(value)
    if number < 0 or number > maximum:
        raise ValueError(f"must be a percentage between 0 and {maximum}")
    scaled = number * 1000
    if scaled != scaled.to_integral_value():
        raise ValueError("must have at most 3 decimals")
    return int(scaled)


def whole_number(value: object, minimum: int, maximum: int) -> int:
    number = _decimal(value)
    if number != number.to_integral_value():
        raise ValueError("must be a whole number")
    if not minimum <= number <= maximum:
        raise ValueError(f"must be between {minimum} and {maximum}")
    return int(number)


def hundredths_out(value: int) -> int | float:
    """Hundredths of a unit as a JSON number: 7000 -> 70, 3333 -> 33.33."""
    return value // 100 if value % 100 == 0 else value / 100


def thousandths_out(value: int) -> int | float:
    return value // 1000 if value % 1000 == 0 else value / 1000


@cache
def mcc_codes() -> dict[str, str]:
    """Every merchant category code (ISO 18245 and the networks' T&E codes) -> description."""
    text = resources.files("homerun.boarding").joinpath("data/mcc.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {row["mcc_code"]: row["description"] for row in rows}


def mcc(value: str) -> str:
    code = value.strip()
    if code not in mcc_codes():
        raise ValueError("is not a known merchant category code (see /mcc)")
    return code
