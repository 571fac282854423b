"""What a merchant can be: taking payments, or turned off by an operator; and what it takes."""

from __future__ import annotations

from enum import StrEnum


class MerchantStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"  # charges refused with codes.MERCHANT_DISABLED


class Accepts(StrEnum):
    """What a MID takes: cards, ACH (bank-account debits) or both (ruling R15)."""

    CARDS = "cards"
    ACH = "ach"
    BOTH = "both"

    @property
    def cards(self) -> bool:
        return self is not Accepts.ACH

    @property
    def ach(self) -> bool:
        return self is not Accepts.CARDS


# How Runner.js names it (ruling R15): 1 cards only, 2 ACH only, 3 both.
MERCHANT_TYPE_ID: dict[Accepts, int] = {Accepts.CARDS: 1, Accepts.ACH: 2, Accepts.BOTH: 3}
