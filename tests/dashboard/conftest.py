from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from homerun.app import create_app
from homerun.runtime import Runtime
from tests.conftest import database_of_its_own
from tests.dashboard.support import Visitor, visitors

# The deposits and operator pages move the sandbox clock far: a database of their own.
database_url, settings, runtime, client = database_of_its_own()


@pytest.fixture
async def visitor(runtime: Runtime) -> AsyncIterator[Callable[..., Visitor]]:
    async with visitors(create_app(runtime=runtime)) as make:
        yield make
