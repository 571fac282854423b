"""The simulator's test cards: each number reaches one documented outcome.

docs/testing.md is generated from nothing: keep it in step with this table
(tests/processors/test_simulator.py checks both say the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Behaviour(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    CVV_MISMATCH = "cvv_mismatch"
    AVS_MISMATCH = "avs_mismatch"
    TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class TestCard:
    pan: str
    brand: str
    funding: str = "CREDIT"
    commercial: bool = False
    behaviour: Behaviour = Behaviour.APPROVE
    decline_code: str | None = None
    decline_text: str | None = None
    chargeback_after_days: int | None = None
    chargeback_reason: str | None = None
    note: str = ""


def _decline(pan: str, code: str, text: str) -> TestCard:
    return TestCard(
        pan,
        "VISA",
        behaviour=Behaviour.DECLINE,
        decline_code=code,
        decline_text=text,
        note=f"declined {code} {text}",
    )


TEST_CARDS: tuple[TestCard, ...] = (
    TestCard("4111111111111111", "VISA", note="approved"),
    TestCard("4788250000121443", "VISA", note="approved (the Run UAT card)"),
    TestCard("4012888888881881", "VISA", note="approved"),
    TestCard("4444333322221111", "VISA", note="approved (the Run docs' example)"),
    TestCard("4000056655665556", "VISA", funding="DEBIT", note="approved, debit"),
    TestCard("4055010000000005", "VISA", commercial=True, note="approved, commercial"),
    TestCard("5555555555554444", "MASTERCARD", note="approved"),
    TestCard("5454545454545454", "MASTERCARD", note="approved"),
    TestCard("2223003122003222", "MASTERCARD", note="approved (2-series)"),
    TestCard("5200828282828210", "MASTERCARD", funding="DEBIT", note="approved, debit"),
    TestCard("5555444400000004", "MASTERCARD", commercial=True, note="approved, commercial"),
    TestCard("378282246310005", "AMEX", note="approved"),
    TestCard("371449635398431", "AMEX", note="approved"),
    TestCard("6011111111111117", "DISCOVER", note="approved"),
    TestCard("6011000990139424", "DISCOVER", note="approved"),
    TestCard("6011000000000004", "DISCOVER", funding="DEBIT", note="approved, debit"),
    _decline("4000000000000002", "05", "Do not honor"),
    _decline("4000000000009995", "51", "Insufficient funds"),
    _decline("4000000000000069", "54", "Expired card"),
    _decline("4000000000000101", "14", "Invalid card number"),
    _decline("4000000000009987", "41", "Lost card, pick up"),
    _decline("4000000000009979", "43", "Stolen card, pick up"),
    TestCard(
        "4000000000000127",
        "VISA",
        behaviour=Behaviour.CVV_MISMATCH,
        note="declined N7 when a cvn is sent (cvv_resp N); approved without one",
    ),
    TestCard(
        "4000000000000036",
        "VISA",
        behaviour=Behaviour.AVS_MISMATCH,
        note="declined 101 AVS Mismatch when account_zip is sent (avs_resp N)",
    ),
    TestCard(
        "4000000000000119",
        "VISA",
        behaviour=Behaviour.TIMEOUT,
        note="times out: result B, state unknown; reconciles to approved",
    ),
    TestCard(
        "4000000000000259",
        "VISA",
        chargeback_after_days=5,
        chargeback_reason="10.4",
        note="approved; chargeback 5 days after settlement, Visa 10.4 (fraud)",
    ),
    TestCard(
        "5105105105105100",
        "MASTERCARD",
        chargeback_after_days=10,
        chargeback_reason="4853",
        note="approved; chargeback 10 days after settlement, Mastercard 4853",
    ),
)

BY_PAN = {card.pan: card for card in TEST_CARDS}
