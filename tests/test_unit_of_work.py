"""kit.db.engine: what runs after a unit of work commits, and what never does."""

from __future__ import annotations

import pytest

from homerun.kit.db.engine import after_commit
from homerun.runtime import Runtime


async def test_after_commit_actions_run_in_order_once_committed(runtime: Runtime) -> None:
    ran: list[str] = []
    async with runtime.db.transaction() as session:
        after_commit(session, lambda: ran.append("first"))
        after_commit(session, lambda: ran.append("second"))
        assert ran == []
    assert ran == ["first", "second"]
    async with runtime.db.transaction():
        pass
    assert ran == ["first", "second"]  # a later unit does not run them again


async def test_after_commit_actions_never_run_when_the_unit_rolls_back(runtime: Runtime) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError, match="changed its mind"):
        async with runtime.db.transaction() as session:
            after_commit(session, lambda: ran.append("remembered"))
            raise RuntimeError("changed its mind")
    assert ran == []
