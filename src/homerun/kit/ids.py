"""Identifier and secret generation; every format of ruling R11 lives here."""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import datetime


def new_mid() -> str:
    """A 12-digit numeric merchant id that never starts with 0."""
    return str(secrets.randbelow(9 * 10**11) + 10**11)


def new_secret(prefix: str) -> str:
    """An opaque URL-safe secret with 192 bits of randomness and a telling prefix."""
    return f"{prefix}_{secrets.token_urlsafe(24)}"


def new_order_id() -> str:
    return f"HR{secrets.token_hex(8).upper()}"


def new_gateway_reference() -> str:
    """The gateway's reference for one authorization attempt, sent to the processor.

    Drawn before the transaction row is written, so that the row is written once,
    with the processor's answer (it is not the trans_id, which the insert assigns).
    """
    return f"GW{secrets.token_hex(10).upper()}"


def new_hpp_client_id() -> str:
    return secrets.token_hex(16).upper()


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 hex: how secrets and card fingerprints are stored."""
    return hmac.digest(key, value.encode(), "sha256").hex()  # one-shot: OpenSSL in C


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or not digits:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit that makes partial + digit Luhn-valid."""
    for digit in "0123456789":
        if luhn_valid(partial + digit):
            return digit
    raise AssertionError("unreachable: one digit always completes a Luhn number")


def new_account_token(last_four: str) -> str:
    """16 digits, leading 9, trailing last four, never Luhn-valid (ruling R11)."""
    while True:
        middle = "".join(str(secrets.randbelow(10)) for _ in range(11))
        token = f"9{middle}{last_four}"
        if not luhn_valid(token):
            return token


def new_uuid7(moment: datetime) -> str:
    """A time-ordered UUID (RFC 9562 version 7) stamped with `moment` (ms), like the vault
    payment-account uuids of the Run docs: later accounts sort after earlier ones."""
    millis = int(moment.timestamp() * 1000) & ((1 << 48) - 1)
    rand_a = secrets.randbits(12)
    rand_b = secrets.randbits(62)
    value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return str(uuid.UUID(int=value))


def new_uuid4() -> str:
    return str(uuid.uuid4())


def normalise_uuid(text: str) -> str | None:
    """The canonical lower-case form of a UUID written with or without hyphens, else None."""
    cleaned = text.strip()
    if not cleaned.isascii() or len(cleaned) not in (32, 36):
        return None
    try:
        return str(uuid.UUID(cleaned))
    except ValueError:
        return None
