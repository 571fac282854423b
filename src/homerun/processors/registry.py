"""Which processor serves a merchant (the merchant's `processor` setting)."""

from __future__ import annotations

from homerun.processors.base import Processor
from homerun.processors.faults import Faults, WithFaults
from homerun.processors.simulator.processor import Simulator
from homerun.processors.timed import Timed

_PROCESSORS: dict[str, Processor] = {"simulator": Simulator()}
# Each processor as callers get it: its calls timed.
_TIMED: dict[str, Timed] = {}


def processor_for(name: str, faults: Faults | None = None) -> Processor:
    """The merchant's processor, its calls timed; the simulator with the merchant's sandbox
    faults, if any (a real processor's faults are its own)."""
    processor = _PROCESSORS[name]
    if faults is not None and faults.any and isinstance(processor, Simulator):
        return Timed(WithFaults(processor, faults), name)
    timed = _TIMED.get(name)
    if timed is None or timed.inner is not processor:
        timed = _TIMED[name] = Timed(processor, name)
    return timed


def known_processors() -> list[str]:
    return sorted(_PROCESSORS)
