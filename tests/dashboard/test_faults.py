"""Sandbox faults from the dashboard: seen and set through merchants' own update (the admin
API's PATCH), validated by its model, logged; only in sandbox mode, only for the roles that
manage credentials."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from homerun.app import create_app
from homerun.config import Mode
from homerun.people.roles import Role
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess
from tests.dashboard.forms import field_error, signed_in
from tests.dashboard.support import Visitor, visitors
from tests.helpers import charge
from tests.people.support import make_user

PAGE = "/dashboard/developers/faults"
NONE = {"latency_ms": 0, "timeout_rate": "0.00", "error_rate": "0.00"}


async def faults_of(client: httpx.AsyncClient, m: MerchantAccess) -> dict[str, Any]:
    answer = await client.get(f"/homerun/v1/merchants/{m.mid}", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    faults: dict[str, Any] = answer.json()["faults"]
    return faults


@pytest.mark.parametrize("role", [Role.OWNER, Role.DEVELOPER])
async def test_faults_are_set_from_the_page_and_every_charge_meets_them(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant, role)
    developers = await v.get("/dashboard/developers")
    assert 'id="sandbox-faults"' in developers.text
    assert f'href="{PAGE}"' in developers.text
    assert "Now: None: the simulator answers at once" in developers.text
    page = await v.get(PAGE)
    assert page.status_code == 200
    assert '<p id="faults-now">None: the simulator answers at once' in page.text
    assert 'id="timeout_rate" name="timeout_rate"' in page.text and 'value="0.00"' in page.text

    saved = await v.post(
        PAGE, csrf=await v.csrf(), latency_ms="", timeout_rate="100", error_rate="0"
    )
    assert (saved.status_code, saved.headers["location"]) == (303, f"{PAGE}?done=saved")
    assert await faults_of(client, merchant) == {
        "latency_ms": 0,
        "timeout_rate": "100.00",
        "error_rate": "0.00",
    }
    timed_out = (await charge(client, merchant)).json()
    assert (timed_out["result"], timed_out["resp_code"], timed_out["resp_text"]) == (
        "B",
        "62",
        "Timed out",
    )
    shown = await v.get(PAGE, done="saved")
    assert "Saved. The next charges meet these faults." in shown.text
    assert '<p id="faults-now">100.00% of authorizations time out.</p>' in shown.text

    down = await v.post(PAGE, csrf=await v.csrf(), latency_ms="5", error_rate="2.5%")
    assert down.status_code == 303
    assert await faults_of(client, merchant) == {
        "latency_ms": 5,
        "timeout_rate": "0.00",
        "error_rate": "2.50",
    }
    off = await v.post(PAGE, csrf=await v.csrf(), latency_ms="0", timeout_rate="0", error_rate="0")
    assert off.status_code == 303
    assert await faults_of(client, merchant) == NONE
    assert (await charge(client, merchant)).json()["result"] == "A"

    owner = v if role is Role.OWNER else await signed_in(runtime, visitor, merchant)
    audit = (await owner.get("/dashboard/audit")).text
    assert audit.count("faults set</td>") == 3
    assert (
        "before: 0 ms, 0.00% timeouts, 0.00% line down, error_rate: 0.00, latency_ms: 0, "
        "timeout_rate: 100.00"
    ) in audit
    assert (
        "before: 0 ms, 100.00% timeouts, 0.00% line down, error_rate: 2.50, latency_ms: 5, "
        "timeout_rate: 0.00"
    ) in audit


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"latency_ms": "-1"}, "latency_ms", "Input should be greater than or equal to 0"),
        ({"latency_ms": "30001"}, "latency_ms", "Input should be less than or equal to 30000"),
        ({"latency_ms": "soon"}, "latency_ms", "Input should be a valid integer"),
        ({"timeout_rate": "101"}, "timeout_rate", "between 0 and 100.00 percent"),
        ({"error_rate": "abc"}, "error_rate", "must be a percentage"),
        (
            {"timeout_rate": "60", "error_rate": "50"},
            "error_rate",
            "timeout_rate and error_rate add up to more than 100 percent",
        ),
    ],
)
async def test_refused_faults_name_their_field_and_change_nothing(
    form: dict[str, str],
    field: str,
    message: str,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant)
    refused = await v.post(PAGE, csrf=await v.csrf(), **form)
    assert refused.status_code == 422
    assert message in field_error(refused.text, field)
    assert await faults_of(client, merchant) == NONE
    assert "faults set" not in (await v.get("/dashboard/audit")).text
    assert (await charge(client, merchant)).json()["result"] == "A"


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.VIEWER])
async def test_roles_that_do_not_manage_credentials_cannot_set_faults(
    role: Role,
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant, role)
    assert (await v.get(PAGE)).status_code == 403
    posted = await v.post(PAGE, csrf=await v.csrf(), timeout_rate="100")
    assert posted.status_code == 403
    assert await faults_of(client, merchant) == NONE


async def test_a_forged_post_changes_nothing(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    merchant: MerchantAccess,
) -> None:
    v = await signed_in(runtime, visitor, merchant)
    for csrf in ("", "forged", (await v.csrf())[:-1]):
        assert (await v.post(PAGE, csrf=csrf, timeout_rate="100")).status_code == 403
    assert await faults_of(client, merchant) == NONE


async def test_there_are_no_faults_in_live_mode(
    runtime: Runtime, client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    live = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"mode": Mode.LIVE})
    )
    user = await make_user(runtime, Role.OWNER, mid=merchant.mid)
    async with visitors(create_app(runtime=live)) as make:
        v = make()
        assert (await v.sign_in(user.email)).status_code == 303
        developers = await v.get("/dashboard/developers")
        assert developers.status_code == 200
        assert 'id="sandbox-faults"' not in developers.text and PAGE not in developers.text
        assert (await v.get(PAGE)).status_code == 404
        assert (await v.post(PAGE, csrf=await v.csrf(), timeout_rate="100")).status_code == 404
    assert await faults_of(client, merchant) == NONE
