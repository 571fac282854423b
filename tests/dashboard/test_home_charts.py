"""Home's charts: the last 30 days in the merchant's time zone and this month's brands,
aggregated by the database and drawn with exact coordinates."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.ach.helpers import ach_sale
from tests.conftest import ADMIN, MerchantFactory
from tests.dashboard.support import Visitor
from tests.helpers import charge
from tests.people.support import make_user
from tests.webhooks.support import advance

ZONE = ZoneInfo("Pacific/Auckland")  # far from UTC: a day here is not the UTC day
MASTERCARD = "5555555555554444"
DECLINED = "4000000000000002"
ROW = re.compile(
    r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>'
)


def _mid_next_month(now: datetime) -> datetime:
    """10:00 on the 15th of the month after `now`, in ZONE: a day well inside its month."""
    local = now.astimezone(ZONE).date().replace(day=1) + timedelta(days=40)
    return datetime.combine(local.replace(day=15), time(10), tzinfo=ZONE).astimezone(UTC)


def _day(d: date) -> str:
    return f"{d:%d %b %Y}"


async def test_home_draws_thirty_days_and_this_months_brands(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    # API keys and sessions last hours: each is made after the clock moved.
    await advance(client, until=_mid_next_month(runtime.clock.now()))
    m = await make_merchant(name="Charts", timezone="Pacific/Auckland", accepts="both")
    user = await make_user(runtime, Role.VIEWER, mid=m.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    empty = (await v.get("/dashboard")).text
    assert 'class="chart-bar"' in empty and "No approved payments this month yet." in empty
    assert 'height="0.0"' in empty and "chart-line" not in empty

    first = runtime.clock.now().astimezone(ZONE).date()
    for fields in ({"amount": 1000}, {"amount": 2500, "account_token": MASTERCARD}):
        answer = await charge(client, m, **fields)
        assert answer.json().get("result") == "A", answer.text
    assert (await charge(client, m, amount=9900, account_token=DECLINED)).json()["result"] == "C"
    await ach_sale(client, m, 700)
    await advance(client, seconds=86400)
    second = runtime.clock.now().astimezone(ZONE).date()
    assert second == first + timedelta(days=1) and second.day == 16
    issued = await client.post(f"/homerun/v1/merchants/{m.mid}/credentials", headers=ADMIN)
    fresh = dataclasses.replace(m, api_key=issued.json()["api_key"])
    assert (await charge(client, fresh, amount=300)).json()["result"] == "A"
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303

    home = (await v.get("/dashboard")).text
    rows = ROW.findall(home)
    assert len(rows) == 30
    assert rows[-2:] == [
        (_day(first), "$42.00", "3 of 4", "75.0%"),
        (_day(second), "$3.00", "1 of 1", "100.0%"),
    ]
    assert rows[0][0] == _day(second - timedelta(days=29))
    assert {r[1:] for r in rows[:-2]} == {("$0.00", "0 of 0", "—")}

    bars = re.findall(r'<rect class="chart-bar" ([^/]+)/>', home)
    assert len(bars) == 30
    assert bars[0] == 'x="3.0" y="150.0" width="14.0" height="0.0"'
    assert bars[-2:] == [
        'x="563.0" y="0.0" width="14.0" height="150.0"',
        'x="583.0" y="139.3" width="14.0" height="10.7"',
    ]
    assert re.findall(r'<polyline class="chart-line" points="([^"]+)"', home) == ["570,37.5 590,0"]
    assert "chart-dot" not in home
    assert "$45.00 in all" in home and "80.0% overall" in home

    stack = re.findall(r'<rect class="(brand-\d)" x="([^"]+)" y="0" width="([^"]+)"', home)
    assert stack == [
        ("brand-0", "0.0", "333.3"),
        ("brand-1", "333.3", "173.4"),
        ("brand-2", "506.7", "93.3"),
    ]
    legend = re.findall(
        r'<span class="legend-name">([^<]+)</span> <span class="legend-value">([^<]+)</span> '
        r'<span class="small">([^<]+)</span>',
        home,
    )
    assert legend == [
        ("Mastercard", "$25.00", "55.6% · 1 payment"),
        ("Visa", "$13.00", "28.9% · 2 payments"),
        ("ACH", "$7.00", "15.6% · 1 payment"),
    ]
    assert 'role="img"' in home and '<title id="volume-svg-title">' in home


async def test_a_user_without_payments_sees_no_charts(
    runtime: Runtime, visitor: Callable[..., Visitor], make_merchant: MerchantFactory
) -> None:
    operator = await make_user(runtime, Role.OPERATOR)
    v = visitor()
    assert (await v.sign_in(operator.email)).status_code == 303
    home = (await v.get("/dashboard")).text
    assert 'class="charts"' not in home and "Volume per day" not in home
