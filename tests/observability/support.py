"""Helpers of the observability tests: the request log's lines as JSON objects."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

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


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """A scrape's samples by (name, labels)."""
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(
    scraped: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)
