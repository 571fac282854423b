"""The Processor protocol: what the payment core asks of any card network connection.

The simulator implements it; a real connector implements the same protocol, with
`remote = True` (tests/payments/test_remote_processor.py shows what that changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    # The processor did not answer in time: the result is not known. Never
    # guessed as failed; the transaction stays `unknown` until reconciled.
    UNKNOWN = "unknown"
    # The processor could not take the request (line down): nothing happened, and the
    # same request may be sent again (result B, like a timeout, but known to have failed).
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class CardData:
    pan: str
    brand: str
    expiry_mmyy: str | None
    cvv: str | None


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    # The gateway's reference for this attempt (kit.ids.new_gateway_reference): the
    # processor's idempotency key, kept as the transaction's processor_ref until the
    # processor names its own.
    reference: str
    amount: int  # minor units, surcharge included
    currency: str
    card: CardData
    capture: bool
    account_zip: str | None
    address1: str | None


@dataclass(frozen=True, slots=True)
class CardProfile:
    """What the issuer says about a card: debit or credit, commercial or not."""

    funding: str  # "CREDIT" | "DEBIT"
    commercial: bool


@dataclass(frozen=True, slots=True)
class ChargebackPlan:
    after_days: int
    reason_code: str


@dataclass(frozen=True, slots=True)
class ProcessorResult:
    outcome: Outcome
    resp_code: str
    resp_text: str
    auth_code: str | None = None
    avs_resp: str = ""
    cvv_resp: str = ""
    processor_ref: str | None = None
    chargeback: ChargebackPlan | None = None


class Processor(Protocol):
    """Capture, void, refund and inquire name the authorization by its processor_ref:
    the processor's own reference, or the gateway's reference of the attempt when the
    processor never answered."""

    name: str  # answered as resp_proc
    # True when an authorization acts outside Homerun's database (a real network): the
    # attempt is then committed before the processor is asked, so that a crash during
    # the call leaves a pending row to reconcile. False for the in-process simulator,
    # whose answer is a pure function of the request: nothing can have happened that
    # the database does not know, and the row is written once, with the answer.
    remote: bool

    def profile(self, card: CardData) -> CardProfile: ...

    async def authorize(self, request: AuthorizationRequest) -> ProcessorResult: ...

    async def capture(self, reference: str, amount: int) -> ProcessorResult: ...

    async def void(self, reference: str, amount: int) -> ProcessorResult: ...

    async def refund(self, reference: str, amount: int) -> ProcessorResult: ...

    async def inquire(self, reference: str) -> ProcessorResult:
        """Ask what became of an authorization whose answer never arrived."""
        ...
