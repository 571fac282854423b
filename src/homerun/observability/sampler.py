"""The database gauges of this process, sampled every few seconds and at each scrape.

In multiprocess mode each process writes its own sample and a scrape sums the live ones
(homerun_db_pool_in_use, homerun_db_waiting); nothing is measured on a request's path.
"""

from __future__ import annotations

import asyncio
import contextlib

from homerun.kit.db.engine import Database
from homerun.observability.metrics import DB_IN_USE, DB_WAITING

SAMPLE_SECONDS = 2.0


def sample(db: Database) -> None:
    in_use, waiting = db.load()
    DB_IN_USE.set(in_use)
    DB_WAITING.set(waiting)


async def sample_forever(db: Database, stop: asyncio.Event) -> None:
    while not stop.is_set():
        sample(db)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=SAMPLE_SECONDS)
