"""A processor whose calls are timed (homerun_processor_duration_seconds).

The registry hands out processors wrapped in Timed, so that every caller (a charge, a
capture, reconciliation) is measured without a line of its own.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable

from homerun.observability.metrics import time_processor
from homerun.processors.base import (
    AuthorizationRequest,
    CardData,
    CardProfile,
    Processor,
    ProcessorResult,
)


class Timed:
    """`inner`, its calls timed under `setting` (the merchant setting that names it)."""

    def __init__(self, inner: Processor, setting: str) -> None:
        self.inner = inner
        self.setting = setting
        self.name = inner.name
        self.remote = inner.remote

    def profile(self, card: CardData) -> CardProfile:
        return self.inner.profile(card)  # local: the card table, no call to time

    async def authorize(self, request: AuthorizationRequest) -> ProcessorResult:
        return await self._timed("authorize", self.inner.authorize(request))

    async def capture(self, reference: str, amount: int) -> ProcessorResult:
        return await self._timed("capture", self.inner.capture(reference, amount))

    async def void(self, reference: str, amount: int) -> ProcessorResult:
        return await self._timed("void", self.inner.void(reference, amount))

    async def refund(self, reference: str, amount: int) -> ProcessorResult:
        return await self._timed("refund", self.inner.refund(reference, amount))

    async def inquire(self, reference: str) -> ProcessorResult:
        return await self._timed("inquire", self.inner.inquire(reference))

    async def _timed(self, operation: str, call: Awaitable[ProcessorResult]) -> ProcessorResult:
        start = time.perf_counter()
        try:
            return await call
        finally:  # a processor that raised (a timeout) took its time too
            time_processor(self.setting, operation, time.perf_counter() - start)
