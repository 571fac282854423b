"""Which processor serves a merchant (the merchant's `processor` setting)."""

from __future__ import annotations

from homerun.processors.base import Processor
from homerun.processors.faults import Faults, WithFaults
from homerun.processors.simulator.processor import Simulator

_PROCESSORS: dict[str, Processor] = {"simulator": Simulator()}


def processor_for(name: str, faults: Faults | None = None) -> Processor:
    """The merchant's processor; the simulator with the merchant's sandbox faults, if any
    (a real processor's faults are its own)."""
    processor = _PROCESSORS[name]
    if faults is not None and faults.any and isinstance(processor, Simulator):
        return WithFaults(processor, faults)
    return processor


def known_processors() -> list[str]:
    return sorted(_PROCESSORS)
