"""Card facts (kit/cards.py) and identifiers (kit/ids.py): rulings R11 and the IIN ranges."""

from __future__ import annotations

import re
from datetime import date

import pytest

from homerun.kit.cards import (
    BRAND_IDS,
    CVV_LENGTH,
    CardNumberError,
    Expiry,
    ExpiryError,
    brand_of,
    check_pan,
    expiry_from_mmyy,
    mask,
    parse_expiry,
)
from homerun.kit.ids import (
    keyed_hash,
    luhn_check_digit,
    luhn_valid,
    new_account_token,
    new_hpp_client_id,
    new_mid,
    new_order_id,
    new_secret,
)
from homerun.processors.simulator import cards as simulator


def with_check_digit(partial: str) -> str:
    return partial + luhn_check_digit(partial)


# ---------------------------------------------------------------- brands


@pytest.mark.parametrize(
    ("pan", "brand"),
    [
        ("4111111111111111", "VISA"),
        ("4222222222222", "VISA"),
        ("5100000000000008", "MASTERCARD"),
        ("5555555555554444", "MASTERCARD"),
        ("2221000000000009", "MASTERCARD"),  # first of the 2-series
        ("2720990000000007", "MASTERCARD"),  # last of the 2-series
        ("2223003122003222", "MASTERCARD"),
        ("340000000000009", "AMEX"),
        ("378282246310005", "AMEX"),
        ("6011111111111117", "DISCOVER"),
        ("6500000000000002", "DISCOVER"),
        ("6440000000000000", "DISCOVER"),
        ("6490000000000000", "DISCOVER"),
        ("6221260000000000", "DISCOVER"),
        ("6229250000000000", "DISCOVER"),
    ],
)
def test_brand_of(pan: str, brand: str) -> None:
    assert brand_of(pan) == brand


@pytest.mark.parametrize(
    "pan",
    [
        "5000000000000000",  # 50: Maestro, not Mastercard
        "5600000000000000",
        "2220990000000000",  # just below the 2-series
        "2721000000000000",  # just above it (272099 is the last)
        "3530111333300000",  # JCB
        "3600000000000000",  # Diners
        "3500000000000000",
        "6430000000000000",
        "6221250000000000",  # just below the Discover China UnionPay co-brand range
        "6229260000000000",
        "6010000000000000",
        "1234567890123456",
        "9111111111111111",  # an account token
    ],
)
def test_brand_of_unknown_ranges(pan: str) -> None:
    assert brand_of(pan) is None


@pytest.mark.parametrize("card", simulator.TEST_CARDS, ids=lambda c: c.pan)
def test_every_simulator_test_card_is_a_well_formed_number_of_its_brand(
    card: simulator.TestCard,
) -> None:
    assert luhn_valid(card.pan)
    assert check_pan(card.pan) == card.brand


@pytest.mark.parametrize(
    ("pan", "reason"),
    [
        ("4111111111111112", "Luhn"),
        ("411111111111", "Luhn"),
        ("41111111111", "12 to 19 digits"),
        ("41111111111111111111", "12 to 19 digits"),
        ("", "12 to 19 digits"),
        ("4111 1111 1111 1111", "12 to 19 digits"),
        ("4111-1111-1111-1111", "12 to 19 digits"),
        ("411111111111111a", "12 to 19 digits"),
        ("\uff14\uff11\uff11\uff11" * 4, "12 to 19 digits"),  # FULLWIDTH digits
        (with_check_digit("353011133330000"), "not a Visa, Mastercard, Amex or Discover"),
        (with_check_digit("55555555555544"), "wrong length for MASTERCARD"),  # 15 digits
        (with_check_digit("3782822463100"), "wrong length for AMEX"),  # 14 digits
        (with_check_digit("378282246310000"), "wrong length for AMEX"),  # 16 digits
        (with_check_digit("41111111111111"), "wrong length for VISA"),  # 15 digits
        (with_check_digit("60111111111111111"), "wrong length for DISCOVER"),  # 18 digits
    ],
)
def test_check_pan_rejections(pan: str, reason: str) -> None:
    with pytest.raises(CardNumberError, match=reason):
        check_pan(pan)


@pytest.mark.parametrize(
    ("pan", "brand"),
    [
        (with_check_digit("422222222222"), "VISA"),  # 13 digits
        ("4111111111111111", "VISA"),
        (with_check_digit("411111111111111111"), "VISA"),  # 19 digits
        (with_check_digit("601111111111111111"), "DISCOVER"),  # 19 digits
        ("371449635398431", "AMEX"),
    ],
)
def test_check_pan_lengths_of_each_brand(pan: str, brand: str) -> None:
    assert check_pan(pan) == brand


def test_brand_tables() -> None:
    assert BRAND_IDS == {"VISA": 1, "MASTERCARD": 2, "AMEX": 3, "DISCOVER": 4}
    assert CVV_LENGTH == {"VISA": 3, "MASTERCARD": 3, "AMEX": 4, "DISCOVER": 3}


def test_mask() -> None:
    assert mask("1111") == "**** **** **** 1111"
    assert mask(None) is None


# ---------------------------------------------------------------- expiry (R11)


@pytest.mark.parametrize(
    ("value", "month", "year"),
    [
        ("1230", 12, 2030),  # MMYY
        ("0129", 1, 2029),
        ("12/30", 12, 2030),  # MM/YY
        ("1/30", 1, 2030),
        ("01/30", 1, 2030),
        ("12/2030", 12, 2030),  # MM/YYYY
        ("3/2031", 3, 2031),
        ("203012", 12, 2030),  # YYYYMM
        ("202911", 11, 2029),  # the Vaults guide's form
        ("2030-12", 12, 2030),  # YYYY-MM (Get Vault)
        ("2026-01", 1, 2026),
        (" 12/30 ", 12, 2030),
        (1029, 10, 2029),  # a JSON number, as the Process a Payment guide sends it
        (130, 1, 2030),  # leading zero lost in a number
        (203012, 12, 2030),
    ],
)
def test_expiry_forms(value: object, month: int, year: int) -> None:
    assert parse_expiry(value) == Expiry(month, year)


@pytest.mark.parametrize(
    "value",
    [
        "13/30",
        "00/30",
        "1330",
        "0030",
        "203013",
        "203000",
        "2030-13",
        "2030-00",
        "12-30",
        "12/3",
        "12/203",
        "123",
        "12345",
        "1230a",
        "12//30",
        "2030/12",
        "",
        "   ",
        None,
        True,
        12.30,
        [12, 30],
        "\uff11\uff12/\uff13\uff10",  # FULLWIDTH 12/30
    ],
)
def test_expiry_rejections(value: object) -> None:
    with pytest.raises(ExpiryError):
        parse_expiry(value)


def test_expiry_answer_forms() -> None:
    expiry = Expiry(3, 2031)
    assert (expiry.mmyy, expiry.yyyy_mm) == ("0331", "2031-03")
    assert expiry_from_mmyy("0331") == expiry
    assert expiry_from_mmyy(Expiry(12, 2099).mmyy) == Expiry(12, 2099)


@pytest.mark.parametrize(
    ("expiry", "today", "passed"),
    [
        (Expiry(6, 2030), date(2030, 6, 1), False),  # good through its month
        (Expiry(6, 2030), date(2030, 6, 30), False),
        (Expiry(6, 2030), date(2030, 7, 1), True),
        (Expiry(6, 2030), date(2030, 5, 31), False),
        (Expiry(12, 2029), date(2030, 1, 1), True),  # across the year
        (Expiry(1, 2030), date(2029, 12, 31), False),
        (Expiry(1, 2020), date(2030, 6, 15), True),
        (Expiry(12, 2030), date(2030, 12, 31), False),
    ],
)
def test_has_passed(expiry: Expiry, today: date, passed: bool) -> None:
    assert expiry.has_passed(today) is passed


# ---------------------------------------------------------------- Luhn


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("79927398713", True),
        ("0", True),
        ("00", True),
        ("18", True),
        ("4111111111111112", False),
        ("79927398710", False),
        ("1", False),
        ("", False),
        ("4111 1111 1111 1111", False),
        ("abc", False),
    ],
)
def test_luhn_valid(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


def test_luhn_check_digit_completes_every_prefix() -> None:
    for partial in ("7992739871", "411111111111111", "", "9", "123456789012345"):
        digit = luhn_check_digit(partial)
        assert len(digit) == 1 and luhn_valid(partial + digit)
        assert sum(luhn_valid(partial + d) for d in "0123456789") == 1


# ---------------------------------------------------------------- identifiers (R11)


@pytest.mark.parametrize("last_four", ["1111", "0000", "4444", "0005", "9999", "5556"])
def test_account_token_shape(last_four: str) -> None:
    for _ in range(300):
        token = new_account_token(last_four)
        assert len(token) == 16 and token.isascii() and token.isdigit()
        assert token.startswith("9") and token.endswith(last_four)
        assert not luhn_valid(token)  # can never be mistaken for a card number
        with pytest.raises(CardNumberError):
            check_pan(token)


def test_account_tokens_differ() -> None:
    assert len({new_account_token("1111") for _ in range(200)}) == 200


def test_mid_is_twelve_digits() -> None:
    for _ in range(500):
        mid = new_mid()
        assert re.fullmatch(r"[1-9][0-9]{11}", mid)


def test_hpp_client_id_is_32_upper_hex() -> None:
    for _ in range(100):
        assert re.fullmatch(r"[0-9A-F]{32}", new_hpp_client_id())


def test_order_ids_are_generated_unique() -> None:
    ids = {new_order_id() for _ in range(500)}
    assert len(ids) == 500
    assert all(re.fullmatch(r"HR[0-9A-F]{16}", order_id) for order_id in ids)


def test_secrets_are_prefixed_url_safe_and_long() -> None:
    secret = new_secret("sk_test")
    assert secret.startswith("sk_test_")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", secret)
    assert len(secret) - len("sk_test_") >= 32  # 192 bits, base64url
    assert new_secret("sk_test") != secret


def test_keyed_hash_is_hmac_sha256_hex() -> None:
    first = keyed_hash(b"key", "value")
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert keyed_hash(b"key", "value") == first
    assert keyed_hash(b"other", "value") != first
    assert keyed_hash(b"key", "other") != first
    # RFC 4231-style known answer.
    assert (
        keyed_hash(b"key", "The quick brown fox jumps over the lazy dog")
        == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )
