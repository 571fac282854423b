"""Deposits fund on banking days only: the sandbox clock over Federal Reserve holidays.

The expected dates are written out from the Federal Reserve's rule, not asked of the
calendar: Thanksgiving is the fourth Thursday of November; a Saturday holiday (Christmas
Day 2027, New Year's Day 2028) leaves the Friday before a banking day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import charge
from tests.settlement.support import advance_until, listing, now, rekey, utc_merchant


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(weeks=3)


async def charge_on(
    client: httpx.AsyncClient, m: MerchantAccess, moment: datetime, amount: int
) -> MerchantAccess:
    """Move the clock to `moment` and take a sale there (fresh keys: they live an hour)."""
    await advance_until(client, moment)
    m = await rekey(client, m)
    assert (await charge(client, m, amount=amount)).json()["result"] == "A"
    return m


async def test_batches_around_thanksgiving_fund_on_the_friday_after(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    start = await now(client)
    year = start.year
    while at(thanksgiving(year) - timedelta(days=1), 9) <= start + timedelta(days=1):
        year += 1
    thursday = thanksgiving(year)
    wednesday, friday = thursday - timedelta(days=1), thursday + timedelta(days=1)
    await advance_until(client, at(wednesday, 9))
    m = await utc_merchant(make_merchant)
    m = await charge_on(client, m, at(wednesday, 9, 30), 1000)
    m = await charge_on(client, m, at(thursday, 9), 2000)

    await advance_until(client, at(thursday, 23))  # past Thursday's funding time (13:00)
    batches = await listing(client, m, "batches")
    assert [(b["business_date"], b["deposit_date"]) for b in batches] == [
        (wednesday.isoformat(), friday.isoformat()),  # one banking day on: not Thanksgiving
        (thursday.isoformat(), friday.isoformat()),  # a holiday's batch funds the day after
    ]
    assert await listing(client, m, "deposits") == []  # nothing funds on Thanksgiving

    await advance_until(client, at(friday, 13, 1))
    deposits = await listing(client, m, "deposits")
    assert [(d["batch_id"], d["amount"], d["deposit_date"]) for d in deposits] == [
        (batches[0]["batch_id"], "9.41", friday.isoformat()),
        (batches[1]["batch_id"], "19.12", friday.isoformat()),
    ]
    assert {d["funded_at"] for d in deposits} == {at(friday, 13).isoformat()}


async def test_a_saturday_holiday_leaves_the_friday_before_a_banking_day(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    start = await now(client)
    year = start.year
    while date(year, 12, 25).weekday() != 5 or at(date(year, 12, 22), 9) <= start:
        year += 1  # Christmas Day on a Saturday: 2027, then 2032
    wednesday = date(year, 12, 22)
    thursday, friday = date(year, 12, 23), date(year, 12, 24)
    next_monday, new_years_eve = date(year, 12, 27), date(year, 12, 31)
    await advance_until(client, at(wednesday, 9))
    m = await utc_merchant(make_merchant)
    m = await charge_on(client, m, at(thursday, 9), 1000)
    m = await charge_on(client, m, at(friday, 9), 2000)
    # New Year's Day falls on the Saturday a week later: Friday 31 December is open too.
    m = await charge_on(client, m, at(new_years_eve - timedelta(days=1), 9), 3000)

    await advance_until(client, at(new_years_eve, 13, 1))
    batches = await listing(client, m, "batches")
    assert [(b["business_date"], b["deposit_date"]) for b in batches] == [
        (thursday.isoformat(), friday.isoformat()),
        (friday.isoformat(), next_monday.isoformat()),
        ((new_years_eve - timedelta(days=1)).isoformat(), new_years_eve.isoformat()),
    ]
    deposits = await listing(client, m, "deposits")
    assert [(d["amount"], d["funded_at"]) for d in deposits] == [
        ("9.41", at(friday, 13).isoformat()),
        ("19.12", at(next_monday, 13).isoformat()),
        ("28.83", at(new_years_eve, 13).isoformat()),
    ]


def martin_luther_king_day(year: int) -> date:
    first = date(year, 1, 1)
    return first + timedelta(days=(0 - first.weekday()) % 7, weeks=2)  # third Monday


async def test_friday_and_weekend_batches_before_a_monday_holiday_fund_on_tuesday(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    start = await now(client)
    year = start.year
    while at(martin_luther_king_day(year) - timedelta(days=3), 9) <= start + timedelta(days=1):
        year += 1
    monday = martin_luther_king_day(year)
    friday, tuesday = monday - timedelta(days=3), monday + timedelta(days=1)
    await advance_until(client, at(friday, 9))
    m = await utc_merchant(make_merchant)
    for day, amount in ((friday, 1000), (friday + timedelta(days=1), 2000), (monday, 3000)):
        m = await charge_on(client, m, at(day, 10), amount)

    await advance_until(client, at(monday, 23))
    assert await listing(client, m, "deposits") == []  # nothing funds on the holiday
    await advance_until(client, at(tuesday, 13, 1))
    batches = await listing(client, m, "batches")
    assert [(b["business_date"], b["deposit_date"]) for b in batches] == [
        (friday.isoformat(), tuesday.isoformat()),
        ((friday + timedelta(days=1)).isoformat(), tuesday.isoformat()),
        (monday.isoformat(), tuesday.isoformat()),
    ]
    deposits = await listing(client, m, "deposits")
    assert [(d["amount"], d["funded_at"]) for d in deposits] == [
        ("9.41", at(tuesday, 13).isoformat()),
        ("19.12", at(tuesday, 13).isoformat()),
        ("28.83", at(tuesday, 13).isoformat()),
    ]
