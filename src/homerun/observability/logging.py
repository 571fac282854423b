"""Log lines as JSON objects (one per line) or as readable console lines.

HOMERUN_LOG_FORMAT chooses; `configure_logging` is called once per server or worker
process and renders every record of the `homerun` loggers (and uvicorn's own) the same
way. The request log (`RequestLog`) is structlog over the stdlib logger
`homerun.request`, so whatever captures stdlib records (tests, an embedding app) sees
its lines too. Timestamps are the wall clock in UTC, not the sandbox's movable clock:
a log line says when it was written.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TextIO

import orjson
import structlog
from structlog.stdlib import ProcessorFormatter
from structlog.typing import Processor

from homerun.config import LogFormat, Settings

REQUEST_LOGGER = "homerun.request"
# The loggers whose records are written by our handler.
_OWNED = ("homerun", "uvicorn")
_MARK = "_homerun_handler"


def _dumps(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    return orjson.dumps(value, default=default).decode()


_STAMP = structlog.processors.TimeStamper(fmt="iso", utc=True)
# What every line carries, whether structlog or the stdlib wrote it.
_SHARED: list[Processor] = [
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    _STAMP,
]


def formatter(log_format: LogFormat) -> logging.Formatter:
    """The formatter of our handler: JSON lines, or console lines for a person."""
    renderer: list[Processor]
    if log_format is LogFormat.CONSOLE:
        renderer = [structlog.dev.ConsoleRenderer(colors=False)]
    else:
        renderer = [
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ]
    return ProcessorFormatter(
        processors=[ProcessorFormatter.remove_processors_meta, *renderer],
        foreign_pre_chain=_SHARED,
    )


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Write every `homerun` and `uvicorn` record to `stream` (stderr, where uvicorn writes
    its own) in the set format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings.log_format))
    setattr(handler, _MARK, True)
    for name in _OWNED:
        logger = logging.getLogger(name)
        # uvicorn's handler is replaced, and so is ours from an earlier configuration.
        for old in list(logger.handlers):
            if name == "uvicorn" or getattr(old, _MARK, False):
                logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = False  # written once, here, not again by a root handler
    logging.getLogger("homerun").setLevel(settings.log_level.upper())
    return handler


class RequestLog:
    """Writes the one line of each request (homerun.observability.middleware)."""

    def __init__(self) -> None:
        self._stdlib = logging.getLogger(REQUEST_LOGGER)
        self._log = structlog.wrap_logger(
            self._stdlib,
            processors=[*_SHARED, ProcessorFormatter.wrap_for_formatter],
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=True,
        )

    def enabled(self) -> bool:
        return self._stdlib.isEnabledFor(logging.INFO)

    def write(self, fields: dict[str, Any]) -> None:
        self._log.info("request", **fields)
