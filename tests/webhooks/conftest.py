"""Webhook fixtures: a loopback receiver, endpoints that are deleted after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.webhooks.receiver import Receiver
from tests.webhooks.support import Hooks


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    started = await Receiver().start()
    try:
        yield started
    finally:
        await started.stop()


@pytest.fixture
async def hooks(client: httpx.AsyncClient) -> AsyncIterator[Hooks]:
    """Registers endpoints and deletes them afterwards, so that no later test's
    delivery run posts to a receiver that is gone (or to another on the same port)."""
    made = Hooks(client)
    try:
        yield made
    finally:
        await made.delete_all()
