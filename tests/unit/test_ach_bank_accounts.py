"""ABA routing numbers, bank account numbers and return codes (homerun.ach)."""

from __future__ import annotations

import pytest

from homerun.ach.bank_accounts import aba_valid, account_number_problem, routing_problem
from homerun.ach.returns import is_change, is_return, reason_of


@pytest.mark.parametrize(
    "routing", ["036001808", "011000015", "021000021", "121000358", "026009593", "000000000"]
)
def test_real_routing_numbers_pass_the_aba_checksum(routing: str) -> None:
    assert aba_valid(routing) and routing_problem(routing) is None


@pytest.mark.parametrize(
    ("routing", "problem"),
    [
        ("036001809", "fails the ABA checksum"),
        ("136001808", "fails the ABA checksum"),
        ("03600180", "must be 9 digits"),
        ("0360018080", "must be 9 digits"),
        ("03600180a", "must be 9 digits"),
        ("\uff10\uff13\uff16\uff10\uff10\uff11\uff18\uff10\uff18", "must be 9 digits"),  # fullwidth
        ("", "must be 9 digits"),
    ],
)
def test_bad_routing_numbers_say_why(routing: str, problem: str) -> None:
    assert not aba_valid(routing)
    assert routing_problem(routing) == problem


@pytest.mark.parametrize(
    ("account", "problem"),
    [
        ("1234", None),
        ("12345678901234567", None),
        ("123", "must be 4 to 17 digits"),
        ("123456789012345678", "must be 4 to 17 digits"),
        ("1234-5678", "must be digits only"),
        ("", "must be digits only"),
    ],
)
def test_account_numbers(account: str, problem: str | None) -> None:
    assert account_number_problem(account) == problem


def test_return_and_change_codes() -> None:
    assert [c for c in ("R00", "R01", "R85", "R86", "R1", "C01", "r01") if is_return(c)] == [
        "R01",
        "R85",
    ]
    assert is_change("C01") and not is_change("C04") and not is_change("R01")
    assert reason_of("R01") == "Insufficient funds"
    assert reason_of("C01") == "Incorrect DFI account number"
    assert reason_of("R48") == "Return reason R48"  # unassigned, still a return
