"""The operator advances the sandbox clock from the console: a preview, then the advance."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from homerun.audit import service as audit
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.conftest import MerchantFactory
from tests.dashboard.support import Visitor, csrf_of
from tests.helpers import charge, transaction
from tests.people.support import make_user

_UNTIL = re.compile(r'name="until" value="([^"]+)"')


async def _operator(runtime: Runtime, visitor: Callable[..., Visitor]) -> Visitor:
    user = await make_user(runtime, Role.OPERATOR)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


async def test_a_preview_lists_the_jobs_due_and_the_advance_runs_them(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await make_merchant(name="Clock Shop")
    trans_id = (await charge(client, m, amount=3000)).json()["trans_id"]
    v = await _operator(runtime, visitor)
    before = runtime.clock.now()
    page = await v.get("/dashboard/clock", amount="2", unit="days")
    assert page.status_code == 200
    assert "Batch cut-off: open batches close" in page.text
    assert "Advance to " in page.text
    until = datetime.fromisoformat(_UNTIL.search(page.text).group(1))  # type: ignore[union-attr]
    assert timedelta(days=2) <= until - before < timedelta(days=2, minutes=1)
    assert runtime.clock.now() - before < timedelta(minutes=1)  # a preview moves nothing
    assert (await transaction(client, m, trans_id))["state"] == "captured"

    done = await v.post(
        "/dashboard/clock/advance", csrf=csrf_of(page.text), until=until.isoformat()
    )
    assert done.status_code == 200, done.text
    assert "The clock moved." in done.text
    assert re.search(r"<dt>Batches closed</dt><dd>[1-9]\d*</dd>", done.text)
    assert re.search(r"<dt>Payments settled</dt><dd>[1-9]\d*</dd>", done.text)
    assert runtime.clock.now() >= until
    assert (await transaction(client, m, trans_id))["state"] == "settled"
    async with runtime.db.transaction() as session:
        logged = [
            e
            for e in await audit.events(session, merchant_id=None, limit=50)
            if e.action == "clock_advanced"
        ]
    assert logged and logged[0].detail["until"] == until.isoformat()
    assert int(logged[0].detail["counts"]["batches_closed"]) >= 1

    # The same form posted again: the clock is already past that time.
    again = await v.post(
        "/dashboard/clock/advance", csrf=csrf_of(page.text), until=until.isoformat()
    )
    assert again.status_code == 400
    assert "the clock is already past that time" in again.text


async def test_a_bad_preview_is_named_and_moves_nothing(
    runtime: Runtime, visitor: Callable[..., Visitor]
) -> None:
    v = await _operator(runtime, visitor)
    before = runtime.clock.now()
    for amount, unit, text in (
        ("0", "days", "By how much: a whole number of days from 1 to 366."),
        ("x", "hours", "By how much: a whole number of hours from 1 to 8784."),
        ("3", "weeks", "Unit: choose hours or days."),
    ):
        page = await v.get("/dashboard/clock", amount=amount, unit=unit)
        assert page.status_code == 400
        assert text in page.text
        assert 'action="/dashboard/clock/advance"' not in page.text
    bad = await v.post("/dashboard/clock/advance", csrf=await v.csrf(), until="soon")
    assert bad.status_code == 400 and "The form had no time." in bad.text
    assert runtime.clock.now() - before < timedelta(minutes=1)
