"""Which processor serves a merchant (the merchant's `processor` setting)."""

from __future__ import annotations

from homerun.processors.base import Processor
from homerun.processors.simulator.processor import Simulator

_PROCESSORS: dict[str, Processor] = {"simulator": Simulator()}


def processor_for(name: str) -> Processor:
    return _PROCESSORS[name]


def known_processors() -> list[str]:
    return sorted(_PROCESSORS)
