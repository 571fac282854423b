"""Faults an integrator switches on for a sandbox merchant (docs/testing.md#faults): added
latency on every processor call, and a share of authorizations that time out (result B,
reconciled to the network's answer later) or find the processor unavailable (result B,
"61 Line down", nothing charged).

Which authorizations fail is drawn from the attempt's gateway reference, not at random: the
same attempt always meets the same fault, so a test that found one can find it again.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

from homerun.processors.base import (
    AuthorizationRequest,
    CardData,
    CardProfile,
    Outcome,
    Processor,
    ProcessorResult,
)

TIMED_OUT = ProcessorResult(Outcome.UNKNOWN, "62", "Timed out")
LINE_DOWN = ProcessorResult(Outcome.UNAVAILABLE, "61", "Line down")


@dataclass(frozen=True, slots=True)
class Faults:
    latency_ms: int = 0
    timeout_bps: int = 0  # of authorizations, in hundredths of a percent
    error_bps: int = 0

    @property
    def any(self) -> bool:
        return bool(self.latency_ms or self.timeout_bps or self.error_bps)


def draw(reference: str) -> int:
    """0 to 9,999, evenly spread over references, the same for the same reference."""
    return int.from_bytes(hashlib.sha256(reference.encode()).digest()[:4], "big") % 10_000


class WithFaults:
    """A processor as `inner` answers, slowed down and failing as `faults` says."""

    def __init__(self, inner: Processor, faults: Faults) -> None:
        self.inner = inner
        self.faults = faults
        self.name = inner.name
        self.remote = inner.remote

    async def _delay(self) -> None:
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000)

    def profile(self, card: CardData) -> CardProfile:
        return self.inner.profile(card)

    async def authorize(self, request: AuthorizationRequest) -> ProcessorResult:
        await self._delay()
        share = draw(request.reference)
        if share < self.faults.timeout_bps:
            return TIMED_OUT
        if share < self.faults.timeout_bps + self.faults.error_bps:
            return LINE_DOWN
        return await self.inner.authorize(request)

    async def capture(self, reference: str, amount: int) -> ProcessorResult:
        await self._delay()
        return await self.inner.capture(reference, amount)

    async def void(self, reference: str, amount: int) -> ProcessorResult:
        await self._delay()
        return await self.inner.void(reference, amount)

    async def refund(self, reference: str, amount: int) -> ProcessorResult:
        await self._delay()
        return await self.inner.refund(reference, amount)

    async def inquire(self, reference: str) -> ProcessorResult:
        await self._delay()
        return await self.inner.inquire(reference)
