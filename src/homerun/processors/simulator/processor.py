"""A deterministic card network: the same request always gets the same answer."""

from __future__ import annotations

import hashlib

from homerun.processors.base import (
    AuthorizationRequest,
    CardData,
    CardProfile,
    ChargebackPlan,
    Outcome,
    ProcessorResult,
)
from homerun.processors.simulator.cards import BY_PAN, Behaviour, TestCard

_DEFAULT = TestCard("", "")


def _auth_code(reference: str) -> str:
    # A hex digest is all letters and digits already: its first six, upper-cased.
    return hashlib.sha256(reference.encode()).hexdigest()[:6].upper()


def _avs(request: AuthorizationRequest) -> str:
    if not request.account_zip:
        return ""  # no AVS data sent, none answered
    return "Y" if request.address1 else "Z"


class Simulator:
    """The sandbox processor. Unknown card numbers approve as plain credit cards."""

    name = "SIM"
    remote = False

    def profile(self, card: CardData) -> CardProfile:
        test_card = BY_PAN.get(card.pan, _DEFAULT)
        return CardProfile(funding=test_card.funding, commercial=test_card.commercial)

    async def authorize(self, request: AuthorizationRequest) -> ProcessorResult:
        card = BY_PAN.get(request.card.pan, _DEFAULT)
        avs = _avs(request)
        cvv = "M" if request.card.cvv else "P"
        behaviour = card.behaviour
        if behaviour is Behaviour.TIMEOUT:
            return ProcessorResult(Outcome.UNKNOWN, "62", "Timed out")
        if behaviour is Behaviour.DECLINE:
            assert card.decline_code and card.decline_text
            return ProcessorResult(
                Outcome.DECLINED, card.decline_code, card.decline_text, avs_resp=avs, cvv_resp=cvv
            )
        if behaviour is Behaviour.CVV_MISMATCH and request.card.cvv:
            return ProcessorResult(
                Outcome.DECLINED, "N7", "Decline for CVV2 failure", avs_resp=avs, cvv_resp="N"
            )
        if behaviour is Behaviour.AVS_MISMATCH and request.account_zip:
            return ProcessorResult(
                Outcome.DECLINED, "101", "AVS Mismatch", avs_resp="N", cvv_resp=cvv
            )
        chargeback = None
        if card.chargeback_after_days is not None and card.chargeback_reason is not None:
            chargeback = ChargebackPlan(card.chargeback_after_days, card.chargeback_reason)
        return ProcessorResult(
            Outcome.APPROVED,
            "00",
            "Approval",
            auth_code=_auth_code(request.reference),
            avs_resp=avs,
            cvv_resp=cvv,
            processor_ref=f"SIM{request.reference}",
            chargeback=chargeback,
        )

    async def capture(self, reference: str, amount: int) -> ProcessorResult:
        return ProcessorResult(Outcome.APPROVED, "00", "Approval", auth_code=_auth_code(reference))

    async def void(self, reference: str, amount: int) -> ProcessorResult:
        return ProcessorResult(Outcome.APPROVED, "00", "Approval", auth_code=_auth_code(reference))

    async def refund(self, reference: str, amount: int) -> ProcessorResult:
        return ProcessorResult(Outcome.APPROVED, "00", "Approval", auth_code=_auth_code(reference))

    async def inquire(self, reference: str) -> ProcessorResult:
        # The network did approve the timed-out authorization; only the answer was lost.
        return ProcessorResult(
            Outcome.APPROVED,
            "00",
            "Approval",
            auth_code=_auth_code(reference),
            cvv_resp="P",
            processor_ref=f"SIM{reference}",
        )
