"""The ledger's accounts and movement kinds (see homerun.ledger.models for the signs)."""

from __future__ import annotations

from enum import StrEnum


class Account(StrEnum):
    CARD_CLEARING = "card_clearing"
    MERCHANT_PAYABLE = "merchant_payable"
    PROCESSOR_INCOME = "processor_income"
    BANK = "bank"


class Kind(StrEnum):
    SALE = "sale"
    REFUND = "refund"
    FEE = "fee"
    CHARGEBACK = "chargeback"
    REVERSAL = "reversal"
    ADJUSTMENT = "adjustment"
    DEPOSIT = "deposit"
