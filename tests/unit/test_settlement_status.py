"""The one table from a transaction's state to the wire's settlement_status."""

from __future__ import annotations

from homerun.payments import answers
from homerun.payments.state import SETTLEMENT_STATUS, State
from homerun.reporting import schemas as reporting

# docs/api-differences.md and docs/reporting.md: "Pending" is captured money waiting for its
# batch; an attempt whose processor has not answered (`pending`) is as unknown as one whose
# processor timed out (`unknown`): reconciliation asks about both.
PINNED = {
    "pending": "Unknown",
    "authorized": "Authorized",
    "captured": "Pending",
    "verified": "Verified",
    "voided": "Voided",
    "settled": "Settled",
    "partially_refunded": "Settled",
    "refunded": "Settled",
    "declined": "Declined",
    "unknown": "Unknown",
    "expired": "Expired",
    # ACH (docs/ach.md): pending until it settles; "Returned" when the payer's bank sent it back.
    "accepted": "Pending",
    "originated": "Pending",
    "returned": "Returned",
}
DOCUMENTED = {"Pending", "Authorized", "Verified", "Voided", "Settled", "Declined", "Unknown"}


def test_every_state_has_its_pinned_settlement_status() -> None:
    assert {state.value: wire for state, wire in SETTLEMENT_STATUS.items()} == PINNED
    assert set(SETTLEMENT_STATUS) == set(State)


def test_only_documented_values_are_answered() -> None:
    assert set(SETTLEMENT_STATUS.values()) == DOCUMENTED | {"Expired", "Returned"}


def test_payments_and_reporting_answer_from_the_same_table() -> None:
    assert answers.SETTLEMENT_STATUS is SETTLEMENT_STATUS
    assert reporting.SETTLEMENT_STATUS is SETTLEMENT_STATUS
