"""The simulator's ACH test accounts: each reaches one documented outcome (ruling R15).

docs/testing.md lists them beside the test cards; tests/ach/test_test_accounts_doc.py keeps
the two in step. Any other account with a routing number that passes the ABA checksum is
accepted and settles.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

TEST_ROUTING = "036001808"  # the Run docs' own routing number


class RiskDecision(StrEnum):
    """What account validation says at tokenization (`risk_info.decision`)."""

    ACCEPT = "A"
    WARN = "W"  # accepted with a warning
    DECLINE = "D"  # no token is made


@dataclass(frozen=True, slots=True)
class TestAccount:
    routing: str
    account: str
    decision: RiskDecision = RiskDecision.ACCEPT
    reason: str = ""  # risk_info.reason
    # A return (R..) or notification of change (C..) the bank sends, so many banking days
    # after the payment settled.
    return_code: str | None = None
    return_after_days: int | None = None
    note: str = ""


def _returned(account: str, code: str, days: int, note: str) -> TestAccount:
    return TestAccount(TEST_ROUTING, account, return_code=code, return_after_days=days, note=note)


TEST_ACCOUNTS: tuple[TestAccount, ...] = (
    TestAccount(TEST_ROUTING, "86063057", note="accepted, settles (the Run docs' pair)"),
    TestAccount(
        TEST_ROUTING,
        "86063001",
        RiskDecision.DECLINE,
        "Account reported closed by the bank",
        note="risk `D`: declined at tokenization, `account_token` is empty",
    ),
    TestAccount(
        TEST_ROUTING,
        "86063002",
        RiskDecision.WARN,
        "Account has no history with the validation network",
        note="risk `W`: tokenized with a warning; accepted, settles",
    ),
    _returned("86063101", "R01", 2, "settles, returned `R01` insufficient funds"),
    _returned("86063102", "R02", 2, "settles, returned `R02` account closed"),
    _returned("86063103", "R03", 2, "settles, returned `R03` no account"),
    _returned("86063104", "R04", 2, "settles, returned `R04` invalid account number"),
    _returned("86063110", "R10", 60, "settles, returned `R10` customer says unauthorized, late"),
    _returned("86063129", "R29", 2, "settles, returned `R29` corporate not authorized"),
    _returned("86063201", "C01", 2, "settles; notification of change `C01` (no money moves)"),
)

_BY_ACCOUNT = {(a.routing, a.account): a for a in TEST_ACCOUNTS}
_PLAIN = TestAccount("", "")


def behaviour_of(routing: str, account: str) -> TestAccount:
    """The documented behaviour of an account (a plain accepted one if it is not listed)."""
    return _BY_ACCOUNT.get((routing, account), _PLAIN)
