"""One-time form keys (dashboard.once): the work of a form done once, its answer kept with it,
and a refusal or a failure that leaves nothing behind and gives the key back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.dashboard import once
from homerun.runtime import Runtime
from tests.dashboard.support import key_kept

PATH = "/dashboard/things"
DONE = once.Done(f"{PATH}/1?done=created")


async def _logged(runtime: Runtime, label: str) -> int:
    """How many audit entries the work of `label` left."""
    async with runtime.db.transaction() as session:
        logged = await audit.events(session, merchant_id=None, limit=200)
    return sum(1 for e in logged if e.actor == label)


def _maker(
    runtime: Runtime, label: str, outcome: str
) -> Callable[[AsyncSession], Awaitable[once.Made[int] | str]]:
    """Work that writes an audit entry, then ends as `outcome` says."""

    async def make(session: AsyncSession) -> once.Made[int] | str:
        await audit.record(session, runtime.clock.now(), Actor(label), AuditAction.SIGN_IN)
        if outcome == "fails":
            raise RuntimeError("the work failed")
        return once.Made(DONE, 1) if outcome == "made" else "refused"

    return make


def test_a_new_key_each_rendering() -> None:
    keys = {once.new_form_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(len(k) == 32 and once.sound(k) for k in keys)
    assert once.posted_key({"form_key": "a" * 32}) == "a" * 32
    for bad in ({}, {"form_key": ""}, {"form_key": "a" * 31}, {"form_key": "a" * 31 + "."}):
        assert once.posted_key(bad) is None


async def test_the_work_is_done_once_and_its_answer_kept_with_it(runtime: Runtime) -> None:
    key, label = once.new_form_key(), "once-made@example.com"
    make = _maker(runtime, label, "made")
    assert await once.post(runtime, 1, key, PATH, b"name=a", make) == DONE
    assert await once.post(runtime, 1, key, PATH, b"name=a", make) == DONE
    assert await _logged(runtime, label) == 1
    assert await key_kept(runtime, key)
    assert isinstance(await once.post(runtime, 1, key, PATH, b"name=b", make), once.Reused)
    assert isinstance(await once.post(runtime, 1, key, PATH + "/x", b"name=a", make), once.Reused)
    assert await _logged(runtime, label) == 1
    # Keys are kept per user: another user's form with the same key is a form of its own.
    assert await once.post(runtime, 2, key, PATH, b"name=a", make) == DONE
    assert await _logged(runtime, label) == 2


async def test_a_refusal_rolls_the_work_back_and_gives_the_key_back(runtime: Runtime) -> None:
    key, label = once.new_form_key(), "once-refused@example.com"
    refused = await once.post(runtime, 1, key, PATH, b"name=", _maker(runtime, label, "refused"))
    assert refused == "refused"
    assert await _logged(runtime, label) == 0
    assert not await key_kept(runtime, key)
    # The corrected form, with the same key, is done.
    made = await once.post(runtime, 1, key, PATH, b"name=a", _maker(runtime, label, "made"))
    assert made == DONE
    assert await _logged(runtime, label) == 1


async def test_a_failure_rolls_the_work_back_gives_the_key_back_and_goes_on(
    runtime: Runtime,
) -> None:
    key, label = once.new_form_key(), "once-failed@example.com"
    with pytest.raises(RuntimeError, match="the work failed"):
        await once.post(runtime, 1, key, PATH, b"name=a", _maker(runtime, label, "fails"))
    assert await _logged(runtime, label) == 0
    assert not await key_kept(runtime, key)
    assert await once.post(runtime, 1, key, PATH, b"name=a", _maker(runtime, label, "made")) == DONE
    assert await _logged(runtime, label) == 1
