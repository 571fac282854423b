"""The payments list's query string, read into a search, with an error per bad field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from homerun.kit.money import AmountError, parse_dollars
from homerun.payments.lookup import Search
from homerun.payments.state import State

UTC_ZONE = ZoneInfo("UTC")
# What people pick from, in the order they read it; values are the states themselves.
STATUS_CHOICES: list[tuple[State, str]] = [
    (State.AUTHORIZED, "Authorized"),
    (State.CAPTURED, "Captured, not yet settled"),
    (State.SETTLED, "Settled"),
    (State.PARTIALLY_REFUNDED, "Partly refunded"),
    (State.REFUNDED, "Refunded"),
    (State.VOIDED, "Voided"),
    (State.DECLINED, "Declined"),
    (State.EXPIRED, "Expired"),
    (State.UNKNOWN, "Unknown"),
]
STATUS_LABELS: dict[State, str] = {
    **dict(STATUS_CHOICES),
    State.PENDING: "Pending",
    State.VERIFIED: "Verified",
}


@dataclass
class Filters:
    """What the form showed (echoed back as typed) and the search it means."""

    last_four: str = ""
    order_id: str = ""
    invoice_id: str = ""
    customer: str = ""
    amount: str = ""
    status: str = ""
    since: str = ""
    until: str = ""
    before: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    search: Search = field(default_factory=Search)

    def query(self, before: str | None = None) -> dict[str, str]:
        """The filters as a query string's values (for the next page's link)."""
        values = {
            "last_four": self.last_four,
            "order_id": self.order_id,
            "invoice_id": self.invoice_id,
            "customer": self.customer,
            "amount": self.amount,
            "status": self.status,
            "from": self.since,
            "to": self.until,
        }
        if before:
            values["before"] = before
        return {k: v for k, v in values.items() if v}


def cursor_text(before: tuple[datetime, int]) -> str:
    at, key = before
    return f"{int(at.timestamp() * 1_000_000)}-{key}"


def _cursor(text: str) -> tuple[datetime, int] | None:
    micros, dash, key = text.partition("-")
    if not (dash and micros.isascii() and micros.isdigit() and key.isascii() and key.isdigit()):
        return None
    if len(micros) > 17 or len(key) > 18:
        return None
    at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))
    return at, int(key)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def read(params: dict[str, str], zone: ZoneInfo) -> Filters:
    """Dates are the merchant's own days: from the start of `from` to the end of `to`."""
    f = Filters(
        last_four=params.get("last_four", "").strip()[: 4 + 20],
        order_id=params.get("order_id", "").strip()[: 64 + 20],
        invoice_id=params.get("invoice_id", "").strip()[: 64 + 20],
        customer=params.get("customer", "").strip()[: 36 + 20],
        amount=params.get("amount", "").strip()[:32],
        status=params.get("status", "").strip()[:32],
        since=params.get("from", "").strip()[:32],
        until=params.get("to", "").strip()[:32],
        before=params.get("before", "").strip()[:64],
    )
    days = _days(f, zone)
    search = Search(
        last_four=_last_four(f),
        order_id=_short(f, "order_id", "An order ID"),
        invoice_id=_short(f, "invoice_id", "An invoice ID"),
        vault_holder_id=_customer(f),
        amount=_amount(f),
        states=_states(f),
        since=days.get("since"),
        until=days.get("until"),
        before=_before(f),
    )
    if not f.errors:
        f.search = search
    return f


def _last_four(f: Filters) -> str | None:
    if not f.last_four:
        return None
    if len(f.last_four) == 4 and f.last_four.isascii() and f.last_four.isdigit():
        return f.last_four
    f.errors["last_four"] = "Enter the last 4 digits of the card, like 1111."
    return None


def _short(f: Filters, name: str, label: str) -> str | None:
    text: str = getattr(f, name)
    if not text:
        return None
    if len(text) <= 64:
        return text
    f.errors[name] = f"{label} is at most 64 characters."
    return None


def _customer(f: Filters) -> str | None:
    if not f.customer:
        return None
    try:
        return str(UUID(f.customer))
    except ValueError:
        f.errors["customer"] = "Enter a customer ID like 5b04a646-b49d-4505-b3fc-bd4062c10662."
        return None


def _amount(f: Filters) -> int | None:
    if not f.amount:
        return None
    try:
        return parse_dollars(f.amount.removeprefix("$").replace(",", ""))
    except AmountError:
        f.errors["amount"] = "Enter an amount in dollars, like 25.00."
        return None


def _states(f: Filters) -> tuple[State, ...]:
    if not f.status:
        return ()
    try:
        return (State(f.status),)
    except ValueError:
        f.errors["status"] = "Choose a status from the list."
        return ()


def _days(f: Filters, zone: ZoneInfo) -> dict[str, datetime]:
    days: dict[str, datetime] = {}
    for name, text, key, shift in (("from", f.since, "since", 0), ("to", f.until, "until", 1)):
        if not text:
            continue
        day = _day(text)
        if day is None:
            f.errors[name] = "Enter a date like 2026-01-31."
            continue
        days[key] = datetime.combine(day + timedelta(days=shift), time(0), tzinfo=zone)
    return days


def _before(f: Filters) -> tuple[datetime, int] | None:
    if not f.before:
        return None
    cursor = _cursor(f.before)
    if cursor is None:
        f.errors["before"] = "This page link is not valid; start again from the first page."
    return cursor
