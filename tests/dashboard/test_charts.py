"""The home charts: exact coordinates in the fixed viewBox, and the merchant's days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from homerun.dashboard.charts import HEIGHT_STACK, Point, Rect, columns, line, polyline, stack
from homerun.dashboard.home_charts import day_bounds, midnight


def test_columns_stand_on_the_bottom_and_the_largest_reaches_the_top() -> None:
    assert columns([0, 5, 10]) == [
        Rect(30.0, 150.0, 140.0, 0.0),
        Rect(230.0, 75.0, 140.0, 75.0),
        Rect(430.0, 0.0, 140.0, 150.0),
    ]


def test_thirty_days_make_twenty_unit_slots() -> None:
    bars = columns([3] * 29 + [1])
    assert [b.x for b in bars[:3]] == [3.0, 23.0, 43.0]
    assert bars[-1] == Rect(583.0, 100.0, 14.0, 50.0)
    assert {b.width for b in bars} == {14.0}


def test_columns_of_nothing_have_no_height_and_negative_values_none() -> None:
    assert columns([]) == []
    assert [b.height for b in columns([0, 0])] == [0.0, 0.0]
    assert columns([-4, 2], width=100, height=10) == [
        Rect(7.5, 10.0, 35.0, 0.0),
        Rect(57.5, 0.0, 35.0, 10.0),
    ]


def test_columns_round_to_a_tenth() -> None:
    assert columns([1, 3], width=90, height=100) == [
        Rect(6.8, 66.7, 31.5, 33.3),
        Rect(51.8, 0.0, 31.5, 100.0),
    ]


def test_a_day_without_data_breaks_the_line() -> None:
    runs = line([1.0, None, 0.5, 0.25])
    assert runs == [[Point(75.0, 0.0)], [Point(375.0, 75.0), Point(525.0, 112.5)]]
    assert polyline(runs[1]) == "375,75 525,112.5"
    assert line([None, None]) == []
    assert line([]) == []


def test_rates_outside_zero_to_one_are_held_at_the_edges() -> None:
    assert line([1.5, -0.2], width=100, height=10) == [[Point(25.0, 0.0), Point(75.0, 10.0)]]


def test_the_stack_fills_the_width_exactly() -> None:
    assert stack([1, 1, 1]) == [
        Rect(0.0, 0.0, 200.0, HEIGHT_STACK),
        Rect(200.0, 0.0, 200.0, HEIGHT_STACK),
        Rect(400.0, 0.0, 200.0, HEIGHT_STACK),
    ]
    assert stack([1, 2], width=100) == [
        Rect(0.0, 0.0, 33.3, HEIGHT_STACK),
        Rect(33.3, 0.0, 66.7, HEIGHT_STACK),
    ]
    assert stack([5, 0], width=100) == [
        Rect(0.0, 0.0, 100.0, HEIGHT_STACK),
        Rect(100.0, 0.0, 0.0, HEIGHT_STACK),
    ]
    assert stack([0, 0]) == []


def test_a_merchants_days_follow_its_clock_across_daylight_saving() -> None:
    chicago = ZoneInfo("America/Chicago")
    days = [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]
    bounds = day_bounds(days, chicago)
    assert bounds == [
        datetime(2026, 10, 31, 5, tzinfo=UTC),
        datetime(2026, 11, 1, 5, tzinfo=UTC),
        datetime(2026, 11, 2, 6, tzinfo=UTC),  # 1 November had 25 hours
        datetime(2026, 11, 3, 6, tzinfo=UTC),
    ]
    assert midnight(date(2026, 3, 9), chicago) - midnight(date(2026, 3, 8), chicago) == (
        timedelta(hours=23)
    )
