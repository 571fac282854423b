"""Helpers of the observability tests: the request log's lines as JSON objects."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from homerun.config import LogFormat
from homerun.observability.logging import REQUEST_LOGGER, formatter

_JSON = formatter(LogFormat.JSON)


def rendered(record: logging.LogRecord) -> str:
    """A captured record as our handler writes it in production (JSON)."""
    return _JSON.format(record)


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    lines = [
        json.loads(rendered(record)) for record in caplog.records if record.name == REQUEST_LOGGER
    ]
    caplog.clear()
    return lines
