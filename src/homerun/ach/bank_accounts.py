"""Bank-account facts that need no database: routing numbers, account numbers, the
account types and the NACHA entry classes a payment may carry (ruling R15)."""

from __future__ import annotations

from enum import StrEnum

_ABA_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


class AccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"


class EntryClass(StrEnum):
    """NACHA standard entry class codes Homerun originates."""

    WEB = "WEB"  # authorized on the internet (Runner.js's default)
    PPD = "PPD"  # prearranged payment, consumer
    CCD = "CCD"  # corporate
    TEL = "TEL"  # authorized by telephone


def aba_valid(routing_number: str) -> bool:
    """The ABA checksum: 3·d1 + 7·d2 + d3 + 3·d4 + ... + d9 is a multiple of 10."""
    if len(routing_number) != 9 or not (routing_number.isascii() and routing_number.isdigit()):
        return False
    total = sum(int(d) * w for d, w in zip(routing_number, _ABA_WEIGHTS, strict=True))
    return total % 10 == 0


def routing_problem(routing_number: str) -> str | None:
    """Why this is no routing number, or None."""
    if len(routing_number) != 9 or not (routing_number.isascii() and routing_number.isdigit()):
        return "must be 9 digits"
    if not aba_valid(routing_number):
        return "fails the ABA checksum"
    return None


def account_number_problem(account_number: str) -> str | None:
    """Why this is no bank account number (4 to 17 digits, the NACHA field), or None."""
    if not (account_number.isascii() and account_number.isdigit()):
        return "must be digits only"
    if not 4 <= len(account_number) <= 17:
        return "must be 4 to 17 digits"
    return None


def mask_account(last_four: str | None) -> str | None:
    """A bank account as answers show it: its last four alone."""
    return None if last_four is None else f"****{last_four}"
