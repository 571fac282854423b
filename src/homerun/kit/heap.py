"""The garbage collector and a long-running server process."""

from __future__ import annotations

import gc


def settle_startup_heap() -> None:
    """Take what start-up made out of the cyclic garbage collector's sight.

    Imports, routes, schemas and mappers are ~100 MiB of objects that live as long as the
    process. Left in the oldest generation, every full collection walks them all: about
    100 ms with the event loop stopped, every second or two under load, which was the
    whole p99 of a charge at concurrency 8 (bench/README.md). Frozen, a full collection
    only walks what requests made since.
    """
    gc.collect()
    gc.freeze()
