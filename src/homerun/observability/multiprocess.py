"""Several server processes, one set of metrics (prometheus_client's multiprocess mode).

Each process writes its values to memory-mapped files in PROMETHEUS_MULTIPROC_DIR, and a
scrape of any process reads every file. The mode is chosen when the metrics are created
(at import), from the environment: `homerun serve --workers N` sets the directory up
before it starts the worker processes (`serving`), so they import with it set.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

ENV = "PROMETHEUS_MULTIPROC_DIR"
# The directory this process's metrics were created with (None: the default registry).
_CREATED_WITH = os.environ.get(ENV) or None


@contextmanager
def serving(workers: int) -> Iterator[str | None]:
    """The directory of a `homerun serve` run, if it needs one.

    Set by the operator: created if missing, and emptied of other processes' files at
    start (a crashed run's would be counted again) and of all files at exit. Unset and
    several workers: a new directory, removed at exit. Unset and one process: none.
    """
    configured = os.environ.get(ENV) or None
    if configured is not None:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        _empty(path, keep=os.getpid())
        try:
            yield configured
        finally:
            _empty(path, keep=None)
        return
    if workers <= 1:
        yield None
        return
    made = tempfile.mkdtemp(prefix="homerun-metrics-")
    os.environ[ENV] = made
    try:
        yield made
    finally:
        os.environ.pop(ENV, None)
        shutil.rmtree(made, ignore_errors=True)


def _empty(path: Path, keep: int | None) -> None:
    for file in path.glob("*.db"):
        if keep is None or not file.stem.endswith(f"_{keep}"):
            file.unlink(missing_ok=True)


def process_exiting() -> None:
    """This process's live gauges stop counting (its counters stay in the totals)."""
    if _CREATED_WITH is not None:
        mark_process_dead(os.getpid(), _CREATED_WITH)  # type: ignore[no-untyped-call]


class _Fixed:
    """Metric families computed before the scrape (from the database)."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def exposition(extra: Iterable[Metric], directory: str | None = _CREATED_WITH) -> bytes:
    """The text of a scrape: every process's metrics (or this one's), then `extra`."""
    if directory is not None:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    computed = CollectorRegistry(auto_describe=False)
    computed.register(_Fixed(extra))
    return counted + generate_latest(computed)
