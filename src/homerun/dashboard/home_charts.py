"""The home page's charts: the last 30 days and this month's brands, read from payments'
aggregates (payments.trends) and turned into what home.html draws.

Days are the merchant's: the 31 local midnights that bound the last 30 days (today
included) are worked out here, in the merchant's time zone, so a day of 23 or 25 hours
around a change of daylight saving time is still one day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.dashboard import charts
from homerun.dashboard.service import merchant_zone
from homerun.dashboard.views import money
from homerun.merchants.models import Merchant
from homerun.payments import trends
from homerun.runtime import Runtime

DAYS = 30
BRAND_CLASSES = 6  # brand-0 .. brand-5 in dashboard.css; more brands share the last one
_BRAND_NAMES = {"ach": "ACH", "amex": "American Express", "card": "Other cards"}


@dataclass(frozen=True, slots=True)
class HomeCharts:
    days: list[date]  # the merchant's local dates, oldest first
    daily: list[trends.Day]  # one per day
    brands: list[trends.Brand]  # this month, largest first
    month: date  # the first day of this month


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (UTC) the local `day` begins in `zone`."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def day_bounds(days: list[date], zone: ZoneInfo) -> list[datetime]:
    """The local midnights that begin each of `days` (consecutive) and end the last one."""
    return [midnight(d, zone) for d in [*days, days[-1] + timedelta(days=1)]]


async def home_charts(session: AsyncSession, runtime: Runtime, merchant: Merchant) -> HomeCharts:
    zone = merchant_zone(merchant)
    today = runtime.clock.now().astimezone(zone).date()
    days = [today - timedelta(days=DAYS - 1 - n) for n in range(DAYS)]
    bounds = day_bounds(days, zone)
    daily = await trends.daily(session, merchant.id, bounds)
    month = today.replace(day=1)
    brands = await trends.by_brand(session, merchant.id, midnight(month, zone), bounds[-1])
    return HomeCharts(days, daily, brands, month)


def _rate(day: trends.Day) -> float | None:
    return day.approved / day.answered if day.answered else None


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _short(day: date) -> str:
    return f"{day.day} {day:%b}"


def brand_name(brand: str) -> str:
    return _BRAND_NAMES.get(brand, brand.title())


def context(found: HomeCharts, currency: str) -> dict[str, Any]:
    """What home.html needs to draw the three charts and their tables."""
    volumes = [d.volume for d in found.daily]
    rates = [_rate(d) for d in found.daily]
    answered = sum(d.answered for d in found.daily)
    approved = sum(d.approved for d in found.daily)
    first, last = found.days[0], found.days[-1]
    brand_total = sum(b.volume for b in found.brands)
    parts = charts.stack([b.volume for b in found.brands])
    return {
        "width": charts.WIDTH,
        "height": charts.HEIGHT,
        "stack_height": charts.HEIGHT_STACK,
        "first_day": _short(first),
        "last_day": _short(last),
        "period": f"{_short(first)} to {_short(last)} {last.year}",
        "volume_bars": charts.columns(volumes),
        "volume_top": money(max(volumes, default=0), currency),
        "volume_total": money(sum(volumes), currency),
        "rate_runs": [charts.polyline(run) for run in charts.line(rates) if len(run) > 1],
        "rate_dots": [run[0] for run in charts.line(rates) if len(run) == 1],
        "rate_overall": _percent(approved / answered if answered else None),
        "rows": [
            {
                "day": f"{d:%d %b %Y}",
                "volume": money(day.volume, currency),
                "approved": f"{day.approved} of {day.answered}",
                "rate": _percent(_rate(day)),
            }
            for d, day in zip(found.days, found.daily, strict=True)
        ],
        "month": f"{found.month:%B %Y}",
        "brand_total": money(brand_total, currency),
        "brands": [
            {
                "name": brand_name(b.brand),
                "volume": money(b.volume, currency),
                "count": b.count,
                "share": f"{b.volume * 100 / brand_total:.1f}%" if brand_total else "—",
                "css": f"brand-{min(index, BRAND_CLASSES - 1)}",
                "part": parts[index] if index < len(parts) else None,
            }
            for index, b in enumerate(found.brands)
        ],
    }
