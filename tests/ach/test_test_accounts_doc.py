"""docs/testing.md and the simulator's ACH test accounts must say the same thing."""

from __future__ import annotations

import re
from pathlib import Path

from homerun.ach.bank_accounts import aba_valid
from homerun.ach.returns import is_change, is_return
from homerun.processors.simulator.ach_accounts import TEST_ACCOUNTS, RiskDecision, behaviour_of

DOC = (Path(__file__).resolve().parents[2] / "docs" / "testing.md").read_text()
ROW = re.compile(r"^\| `(\d{9})` / `(\d+)` \| `([AWD])` \| (.+) \|$")


def documented() -> dict[tuple[str, str], tuple[str, str]]:
    rows = (ROW.match(line) for line in DOC.splitlines())
    return {(m[1], m[2]): (m[3], m[4]) for m in rows if m is not None}


def test_every_test_account_is_documented_and_every_documented_account_exists() -> None:
    expected = {}
    for account in TEST_ACCOUNTS:
        assert aba_valid(account.routing)
        text = account.note
        if account.return_after_days is not None:
            text += f" ({account.return_after_days} banking days)"
        expected[(account.routing, account.account)] = (account.decision.value, text)
    assert documented() == expected


def test_the_list_reaches_every_outcome_r15_names() -> None:
    decisions = {a.decision for a in TEST_ACCOUNTS}
    assert decisions == set(RiskDecision)
    codes = {a.return_code for a in TEST_ACCOUNTS if a.return_code is not None}
    assert codes == {"R01", "R02", "R03", "R04", "R10", "R29", "C01"}
    for account in TEST_ACCOUNTS:
        if account.return_code is not None:
            assert is_return(account.return_code) or is_change(account.return_code)
            late = account.return_code == "R10"
            assert account.return_after_days == (60 if late else 2)
    assert behaviour_of("036001808", "86063057").decision is RiskDecision.ACCEPT
    unlisted = behaviour_of("011000015", "12345678")
    assert (unlisted.decision, unlisted.return_code) == (RiskDecision.ACCEPT, None)
