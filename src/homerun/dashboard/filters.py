"""The payments list's query string, read into a search, with an error per bad field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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
        status=params.get("status", "").strip()[:32],
        since=params.get("from", "").strip()[:32],
        until=params.get("to", "").strip()[:32],
        before=params.get("before", "").strip()[:64],
    )
    last_four = order_id = None
    states: tuple[State, ...] = ()
    days: dict[str, datetime] = {}
    before = None
    if f.last_four:
        if len(f.last_four) == 4 and f.last_four.isascii() and f.last_four.isdigit():
            last_four = f.last_four
        else:
            f.errors["last_four"] = "Enter the last 4 digits of the card, like 1111."
    if f.order_id:
        if len(f.order_id) <= 64:
            order_id = f.order_id
        else:
            f.errors["order_id"] = "An order ID is at most 64 characters."
    if f.status:
        try:
            states = (State(f.status),)
        except ValueError:
            f.errors["status"] = "Choose a status from the list."
    for name, text, key, shift in (("from", f.since, "since", 0), ("to", f.until, "until", 1)):
        if not text:
            continue
        day = _day(text)
        if day is None:
            f.errors[name] = "Enter a date like 2026-01-31."
            continue
        days[key] = datetime.combine(day + timedelta(days=shift), time(0), tzinfo=zone)
    if f.before:
        cursor = _cursor(f.before)
        if cursor is None:
            f.errors["before"] = "This page link is not valid; start again from the first page."
        else:
            before = cursor
    if not f.errors:
        f.search = Search(
            last_four=last_four,
            order_id=order_id,
            states=states,
            since=days.get("since"),
            until=days.get("until"),
            before=before,
        )
    return f
