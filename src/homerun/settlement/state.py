"""The chargeback lifecycle as a table: TRANSITIONS[(state, event)] -> state.

A chargeback opens when it is filed (debiting the merchant), and is decided once:
won (the reversal credits the merchant back) or lost (the debit stands). An admin
decides it, the merchant's answer does (settlement.responses), or the clock does at
`respond_by` (docs/settlement.md has the rule).
"""

from __future__ import annotations

from enum import StrEnum


class ChargebackState(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ChargebackEvent(StrEnum):
    WIN = "win"
    LOSE = "lose"


S, E = ChargebackState, ChargebackEvent

TRANSITIONS: dict[tuple[ChargebackState, ChargebackEvent], ChargebackState] = {
    (S.OPEN, E.WIN): S.WON,
    (S.OPEN, E.LOSE): S.LOST,
}


class IllegalChargebackTransition(Exception):
    def __init__(self, state: ChargebackState, event: ChargebackEvent) -> None:
        super().__init__(f"cannot {event.value} a chargeback that is {state.value}")
        self.state = state
        self.event = event


def apply(state: ChargebackState, event: ChargebackEvent) -> ChargebackState:
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalChargebackTransition(state, event) from None


def allowed(state: ChargebackState, event: ChargebackEvent) -> bool:
    return (state, event) in TRANSITIONS
