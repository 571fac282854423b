from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from homerun.app import create_app
from homerun.runtime import Runtime
from tests.dashboard.support import Visitor, visitors


@pytest.fixture
async def visitor(runtime: Runtime) -> AsyncIterator[Callable[..., Visitor]]:
    async with visitors(create_app(runtime=runtime)) as make:
        yield make
