"""Amounts (kit/money.py): every rule of ruling R3, the rejections too, and the arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from homerun.kit.money import (
    MAX_MINOR,
    AmountError,
    AmountForm,
    WireAmount,
    apply_rate_bps,
    echo,
    parse_charge_amount,
    parse_dollars,
    proportion,
    to_dollar_number,
    to_dollars,
)

CENTS, DIGITS, DOLLARS = AmountForm.CENTS, AmountForm.DIGITS, AmountForm.DOLLARS

# ---------------------------------------------------------------- Charge / Capture / Void-Refund


@pytest.mark.parametrize(
    ("value", "minor", "form"),
    [
        # A JSON integer means cents.
        (0, 0, CENTS),
        (1, 1, CENTS),
        (2599, 2599, CENTS),
        (10000, 10000, CENTS),
        (MAX_MINOR, MAX_MINOR, CENTS),
        # A string with a decimal point means dollars, at most two decimals.
        ("12.34", 1234, DOLLARS),
        ("0.00", 0, DOLLARS),
        ("0.01", 1, DOLLARS),
        ("12.3", 1230, DOLLARS),
        ("10.00", 1000, DOLLARS),
        ("100.5", 10050, DOLLARS),
        ("999999999.99", MAX_MINOR, DOLLARS),
        (" 12.34 ", 1234, DOLLARS),
        # A string of digits alone means cents, and is answered as a string of digits.
        ("1234", 1234, DIGITS),
        ("0", 0, DIGITS),
        ("00012", 12, DIGITS),
        (" 250 ", 250, DIGITS),
        (str(MAX_MINOR), MAX_MINOR, DIGITS),
    ],
)
def test_charge_amount_forms(value: object, minor: int, form: AmountForm) -> None:
    assert parse_charge_amount(value) == WireAmount(minor, form)


@pytest.mark.parametrize(
    "value",
    [
        # A JSON number with a fraction.
        10.5,
        0.5,
        10.0,
        # Negative, in every form.
        -1,
        "-1",
        "-1.00",
        "-0.01",
        # More than two decimals, or no digits around the point.
        "12.345",
        "0.001",
        ".50",
        "12.",
        ".",
        # Anything else.
        True,
        False,
        None,
        "",
        "   ",
        "ten",
        "12.34 USD",
        "$12.34",
        "1,000.00",
        "1e3",
        "+12",
        "0x10",
        "12 34",
        [1234],
        {"amount": 1234},
        Decimal("12.34"),
        # Digits of other scripts are not digits on this wire.
        "\u0661\u0662\u0663",  # ARABIC-INDIC 123
        "\uff11\uff12.\uff13\uff14",  # FULLWIDTH 12.34
        "\u00b2",  # SUPERSCRIPT TWO
        # Beyond $999,999,999.99.
        MAX_MINOR + 1,
        str(MAX_MINOR + 1),
        "1000000000.00",
        "9" * 15,
        10**30,
    ],
)
def test_charge_amount_rejections(value: object) -> None:
    with pytest.raises(AmountError):
        parse_charge_amount(value)


def test_rejections_say_why() -> None:
    with pytest.raises(AmountError, match="negative"):
        parse_charge_amount(-5)
    with pytest.raises(AmountError, match="negative"):
        parse_charge_amount("-5.00")
    with pytest.raises(AmountError, match="too large"):
        parse_charge_amount(MAX_MINOR + 1)
    with pytest.raises(AmountError, match="whole cents"):
        parse_charge_amount(1.5)
    with pytest.raises(AmountError, match="2 decimals"):
        parse_charge_amount("1.234")
    assert issubclass(AmountError, ValueError)  # pydantic turns it into a field error


# ---------------------------------------------------------------- dollar-only amounts


@pytest.mark.parametrize(
    ("value", "minor"),
    [
        ("100.00", 10000),
        ("0.06", 6),
        ("12.3", 1230),
        ("12", 1200),
        ("0", 0),
        (" 7.50 ", 750),
        (12, 1200),
        (0, 0),
        (12.5, 1250),
        (25.99, 2599),
        (0.1, 10),
        ("999999999.99", MAX_MINOR),
        (999_999_999, 99_999_999_900),
    ],
)
def test_dollar_amounts(value: object, minor: int) -> None:
    assert parse_dollars(value) == minor


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        None,
        "",
        "abc",
        "-1",
        "-1.00",
        -1,
        -0.5,
        "1.234",
        0.125,
        1e-05,
        "1,00",
        ".5",
        "5.",
        "$5",
        [5],
        "\u0661.\u0665\u0660",  # ARABIC-INDIC 1.50
        "\u00b2",
        "1000000000.00",
        1_000_000_000,
        "9" * 13,
    ],
)
def test_dollar_amount_rejections(value: object) -> None:
    with pytest.raises(AmountError):
        parse_dollars(value)


# ---------------------------------------------------------------- answering


@pytest.mark.parametrize(
    ("minor", "text"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (100, "1.00"),
        (1234, "12.34"),
        (259999, "2599.99"),
        (MAX_MINOR, "999999999.99"),
        (-5, "-0.05"),
        (-10300, "-103.00"),
    ],
)
def test_to_dollars(minor: int, text: str) -> None:
    assert to_dollars(minor) == text


def test_echo_answers_in_the_form_of_the_request() -> None:
    assert echo(1234, CENTS) == 1234
    assert echo(1234, DOLLARS) == "12.34"
    assert echo(0, CENTS) == 0
    assert echo(0, DOLLARS) == "0.00"
    assert echo(1234, DIGITS) == "1234"
    assert echo(0, DIGITS) == "0"
    assert AmountForm("cents") is CENTS and AmountForm("dollars") is DOLLARS
    assert AmountForm("digits") is DIGITS  # fits the 8 characters of amount_form


@pytest.mark.parametrize(("minor", "number"), [(259999, 2599.99), (110, 1.1), (0, 0.0), (5, 0.05)])
def test_to_dollar_number(minor: int, number: float) -> None:
    assert to_dollar_number(minor) == number


def test_round_trip_of_every_cent_value_up_to_ten_dollars() -> None:
    for minor in range(1001):
        assert parse_charge_amount(to_dollars(minor)) == WireAmount(minor, DOLLARS)
        assert parse_dollars(to_dollars(minor)) == minor
        assert parse_charge_amount(minor) == WireAmount(minor, CENTS)
        assert parse_charge_amount(str(minor)) == WireAmount(minor, DIGITS)


# ---------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(
    ("minor", "bps", "fee"),
    [
        (1000, 300, 30),
        (10000, 300, 300),
        (2599, 300, 78),  # 77.97
        (3333, 300, 100),  # 99.99
        (50, 300, 2),  # 1.5: half rounds up
        (49, 100, 0),  # 0.49
        (1, 5000, 1),  # 0.5
        (100, 150, 2),  # 1.5
        (0, 300, 0),
        (1000, 0, 0),
        (MAX_MINOR, 300, 3_000_000_000),  # 2,999,999,999.97
    ],
)
def test_apply_rate_bps(minor: int, bps: int, fee: int) -> None:
    assert apply_rate_bps(minor, bps) == fee


@pytest.mark.parametrize(
    ("part", "whole", "of", "share"),
    [
        (5000, 10000, 300, 150),  # the spec's 50 % refund of a 3 % surcharge
        (10000, 10000, 300, 300),
        (17, 100, 3, 1),  # 0.51
        (34, 100, 3, 1),  # 1.02
        (50, 100, 3, 2),  # 1.5 rounds up
        (1, 3, 1, 0),
        (2, 3, 1, 1),
        (0, 100, 3, 0),
        (5, 0, 3, 0),  # nothing captured: nothing to share
    ],
)
def test_proportion(part: int, whole: int, of: int, share: int) -> None:
    assert proportion(part, whole, of) == share


def test_cumulative_proportions_share_out_exactly() -> None:
    """Running shares (as refunds use) never exceed the whole and end on it exactly."""
    for whole, of in ((100, 3), (9999, 300), (333, 10), (7, 1)):
        given = 0
        for done in range(1, whole + 1):
            share = proportion(done, whole, of)
            assert given <= share <= of
            given = share
        assert given == of
