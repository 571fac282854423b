"""A serving process freezes its start-up heap, so full collections stay short."""

from __future__ import annotations

import gc

import pytest

from homerun.app import create_app
from homerun.config import Settings
from homerun.runtime import Runtime


@pytest.mark.one_database("sqlite")
async def test_a_serving_process_freezes_what_start_up_made(
    settings: Settings, runtime: Runtime
) -> None:
    # `runtime` has migrated the database that the app below opens again.
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            frozen = gc.get_freeze_count()
            # The app, its routes and every imported module: far more than a request makes.
            assert frozen > 100_000
            made_since = gc.get_count()[0] + gc.get_count()[1] + gc.get_count()[2]
            assert made_since < frozen
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
