"""Surcharge rules (spec §4.5, §12.6): credit cards only, not in restricted areas, capped."""

from __future__ import annotations

from dataclasses import dataclass

from homerun.config import Settings
from homerun.kit.money import apply_rate_bps
from homerun.merchants.models import Merchant
from homerun.payments import codes
from homerun.payments.codes import Answer
from homerun.payments.row import AnyTransaction
from homerun.payments.state import State


@dataclass(frozen=True, slots=True)
class SurchargeDecision:
    rate_bps: int  # 0 when no surcharge applies
    refusal: Answer | None = None
    reason: str | None = None


def is_restricted(settings: Settings, postal: str | None) -> bool:
    if not postal:
        return False
    digits = postal.strip()
    return any(
        digits.startswith(prefix) for prefix in settings.surcharge_restricted_postal_prefixes
    )


def surcharge_for(
    settings: Settings, merchant: Merchant, funding: str, postal: str | None
) -> SurchargeDecision:
    if not merchant.surcharge_enabled or merchant.surcharge_rate_bps == 0:
        return SurchargeDecision(0, reason="Surcharging is not enabled for this merchant")
    if funding != "CREDIT":
        return SurchargeDecision(0, reason="Debit cards are never surcharged")
    if not postal:
        # A surcharge MID must know where the cardholder is (spec §12.6).
        return SurchargeDecision(
            0,
            refusal=codes.SURCHARGE_NOT_SUPPORTED,
            reason="account_zip is required on a surcharge merchant",
        )
    if is_restricted(settings, postal):
        return SurchargeDecision(0, reason="Surcharges are not allowed in this postal area")
    rate = min(merchant.surcharge_rate_bps, settings.surcharge_max_bps)
    return SurchargeDecision(rate)


def fee_held(txn: AnyTransaction) -> int:
    """The surcharge a transaction carries now, in minor units.

    Once captured it is fee_amount (the fee on the captured amount). An open
    authorization was authorized for amount + fee, so it holds the fee on its
    authorized amount; that is what its answers report and what a void releases.
    """
    if txn.state == State.AUTHORIZED.value:
        return apply_rate_bps(txn.amount_authorized, txn.fee_rate_bps)
    return txn.fee_amount
