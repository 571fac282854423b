"""Schemathesis over every operation of the app, in process (ASGI), on the suite's database kind.

A bounded, deterministic run (derandomized Hypothesis, a few examples per operation) with
valid credentials for each surface. It checks that nothing answers 5xx, that every status
code is documented and that every body matches its documented schema.

The app under test has a database of its own: the run moves the sandbox clock and
rotates keys, which must not leak into the rest of the suite. Requests reach the app on
Schemathesis' own event-loop thread, so the app opens its runtime there (its lifespan).
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import get_client, shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from homerun.app import create_app
from homerun.config import Settings
from homerun.startup import open_runtime
from homerun.verify import service as verify
from tests.conftest import ADMIN, ADMIN_TOKEN, PG_SERVER, backend

# Hypothesis examples per operation; HOMERUN_SCHEMATHESIS_EXAMPLES=200 for a deeper run.
MAX_EXAMPLES = int(os.environ.get("HOMERUN_SCHEMATHESIS_EXAMPLES", "8"))
VISA = "4111111111111111"

_SUFFIX = secrets.token_hex(4)
_PG_NAME = f"homerun_schemathesis_{_SUFFIX}"
_SQLITE_DIR = Path(tempfile.gettempdir()) / f"homerun-schemathesis-{_SUFFIX}"
DATABASE_URL = (
    f"{PG_SERVER}/{_PG_NAME}"
    if backend() == "postgresql"
    else f"sqlite:///{_SQLITE_DIR / 'homerun.db'}"
)
SETTINGS = Settings(database_url=DATABASE_URL, admin_token=SecretStr(ADMIN_TOKEN))
APP = create_app(SETTINGS)  # opens its runtime on the first request, after `world` set up

# The coverage phase (every boundary the schema defines) runs on valid data only, so that it
# reaches the code behind validation; Hypothesis' fuzzing phase sends invalid data too. The
# void-or-refund aliases share one handler: the canonical path gets the coverage phase.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261126,
        "phases": {"coverage": {"generation": {"mode": "positive"}, "unexpected-methods": []}},
        "operations": [
            {
                "include-path-regex": "^/api/v1/(void_or_refund|transactions/void-or-refund"
                "|void|refund)$",
                "phases": {"coverage": {"enabled": False}},
            }
        ],
    }
)
schema = schemathesis.openapi.from_dict(APP.openapi(), config=CONFIG)
schema.app = APP

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _app_call(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """A setup call to APP itself, on Schemathesis' loop (APP's clock and runtime)."""
    with get_client(APP) as client:
        answer = client.request(method, path, **kwargs)
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


@dataclass
class World:
    """What the run acts as and on: credentials per surface, ids that exist."""

    mid: str  # the Payments API merchant; its keys are rotated by /api_keys/refresh
    api_key: str
    public_key: str
    admin_mid: str  # the merchant the admin paths act on (they may revoke its credentials)
    basics: dict[str, str]  # OAuth audience -> Basic credentials
    authorized: list[str] = field(default_factory=list)  # trans_ids to capture
    captured: list[str] = field(default_factory=list)  # trans_ids to void or refund
    pages: list[str] = field(default_factory=list)  # hosted payment page client_ids
    access_tokens: dict[str, str] = field(default_factory=dict)

    def clock_moved(self) -> None:
        """Keys and tokens live on the sandbox clock: get ones valid at its new time."""
        creds = _app_call("POST", f"/homerun/v1/merchants/{self.mid}/credentials", headers=ADMIN)
        self.api_key, self.public_key = creds["api_key"], creds["public_key"]
        self.access_tokens.clear()

    def access_token(self, audience: str) -> str:
        if audience not in self.access_tokens:
            path = {"reporting": "/ords/sprint/oauth/token", "boarding": "/ords/relay/oauth/token"}
            issued = _app_call(
                "POST",
                path[audience],
                data={"grant_type": "client_credentials"},
                headers={"Authorization": f"Basic {self.basics[audience]}"},
            )
            self.access_tokens[audience] = issued["access_token"]
        return self.access_tokens[audience]

    def headers_for(self, path: str) -> dict[str, str]:
        if path.startswith("/api/v1/"):
            return {"Authorization": f"Bearer {self.api_key}"}
        if path == "/homerun/v1/tokens":
            return {"Authorization": f"Bearer {self.public_key}"}
        if path.startswith("/homerun/v1/hpp"):  # a merchant's own hosted pages
            return {"Authorization": f"Bearer {self.api_key}"}
        if path == "/homerun/v1/oauth/token-info":
            return {"Authorization": f"Bearer {self.access_token('reporting')}"}
        if path.startswith("/homerun/v1/"):
            return dict(ADMIN)
        if path.endswith("/oauth/token"):
            audience = "boarding" if path.startswith("/ords/relay/") else "reporting"
            return {"Authorization": f"Basic {self.basics[audience]}"}
        if path.startswith("/ords/sprint/api/"):
            return {"Authorization": f"Bearer {self.access_token('reporting')}"}
        if path.startswith("/ords/relay/api/"):
            return {"Authorization": f"Bearer {self.access_token('boarding')}"}
        return {}  # public pages and scripts


async def _create_database() -> None:
    if backend() == "postgresql":
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        await admin.execute(f'CREATE DATABASE "{_PG_NAME}"')
        await admin.close()
    else:
        _SQLITE_DIR.mkdir()


async def _drop_database() -> None:
    if backend() == "postgresql":
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        await admin.execute(f'DROP DATABASE IF EXISTS "{_PG_NAME}" WITH (FORCE)')
        await admin.close()
    else:
        shutil.rmtree(_SQLITE_DIR, ignore_errors=True)


async def _populate(http: httpx.AsyncClient) -> World:
    async def ok(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        answer = await http.request(method, path, **kwargs)
        assert answer.status_code in (200, 201), answer.text
        body: dict[str, Any] = answer.json()
        return body

    mids = [
        (await ok("POST", "/homerun/v1/merchants", json={"name": name}, headers=ADMIN))["mid"]
        for name in ("Schemathesis Payments", "Schemathesis Admin")
    ]
    creds = await ok("POST", f"/homerun/v1/merchants/{mids[0]}/credentials", headers=ADMIN)
    await ok("POST", f"/homerun/v1/merchants/{mids[1]}/credentials", headers=ADMIN)
    basics = {}
    for audience in ("reporting", "boarding"):
        client = await ok(
            "POST",
            "/homerun/v1/oauth/clients",
            json={"audience": audience, "name": f"schemathesis {audience}", "mids": mids},
            headers=ADMIN,
        )
        pair = f"{client['client_id']}:{client['client_secret']}"
        basics[audience] = base64.b64encode(pair.encode()).decode()
    world = World(mids[0], creds["api_key"], creds["public_key"], mids[1], basics)
    auth = {"Authorization": f"Bearer {world.api_key}"}
    for capture, into in (("N", world.authorized), ("Y", world.captured)):
        for _ in range(3):
            body = {"mid": world.mid, "amount": 2500, "account_token": VISA}
            body |= {"expiration": "12/30", "capture": capture}
            into.append((await ok("POST", "/api/v1/charge", json=body, headers=auth))["trans_id"])
    page = {"cc_mid": world.mid, "name": "Schemathesis page", "amount": "10.00"}
    world.pages.append((await ok("POST", "/api/v1/hpp", json=page, headers=auth))["client_id"])
    return world


@pytest.fixture(scope="module")
async def world() -> AsyncIterator[World]:
    await _create_database()
    try:
        runtime = await open_runtime(SETTINGS, migrate=True)
        try:
            transport = httpx.ASGITransport(app=create_app(runtime=runtime))
            async with httpx.AsyncClient(transport=transport, base_url="http://setup") as http:
                made = await _populate(http)
        finally:
            await runtime.db.dispose()
        yield made
    finally:
        try:
            shutdown_lifespans()  # closes APP's runtime on Schemathesis' loop
        finally:
            await _drop_database()


def _pick(value: object, pool: list[str]) -> object:
    """Most generated ids become real ones; the rest stay, so both paths get exercised."""
    if pool and isinstance(value, str) and len(value) % 3 != 0:
        return pool[len(value) % len(pool)]
    return value


def _aim(case: Any, world: World) -> None:
    """Point a generated case at things that exist, so it reaches past the look-ups."""
    path: str = case.path
    params = case.path_parameters
    if params and "mid" in params:
        owned = "trans_id" in params or "/hpp" in path  # the Payments merchant's own
        params["mid"] = world.mid if owned else world.admin_mid
    if params and "trans_id" in params:
        params["trans_id"] = _pick(params["trans_id"], world.authorized + world.captured)
    for name in ("client_id", "hpp_client_id"):
        if params and name in params and "/hpp" in path:
            params[name] = _pick(params[name], world.pages)
    if path == "/payment" and isinstance(case.query, dict) and "client_id" in case.query:
        case.query["client_id"] = _pick(case.query["client_id"], world.pages)
    body = case.body
    if path == "/homerun/v1/tokens" and isinstance(body, dict) and "account_number" in body:
        body["account_number"] = _pick(body["account_number"], [VISA])
        if body["account_number"] == VISA and "cvv" in body:
            body["cvv"] = "123"
    if not isinstance(body, dict) or not path.startswith("/api/v1/"):
        return
    for name in ("mid", "cc_mid"):
        if name in body:
            body[name] = world.mid
    if path == "/api/v1/charge" and "account_token" in body:
        body["account_token"] = _pick(body["account_token"], [VISA])
    elif path == "/api/v1/capture" and "trans_id" in body:
        body["trans_id"] = _pick(body["trans_id"], world.authorized)
    elif "trans_id" in body:
        body["trans_id"] = _pick(body["trans_id"], world.captured)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_contract(case: Any, world: World) -> None:
    _aim(case, world)
    response = case.call_and_validate(headers=world.headers_for(case.path), checks=CHECKS)
    if response.status_code != 200:
        return
    if case.path == "/api/v1/api_keys/refresh":
        # The old api_key lapses after the grace period: carry on with the new one.
        world.api_key = response.json()["api_key"]
    elif case.path == "/homerun/v1/clock/advance":
        world.clock_moved()


async def test_the_books_verify_after_every_operation_ran(world: World) -> None:
    """Defined last, so it runs after the fuzzing above, on the database it left behind:
    whatever the generated requests did, every invariant of `homerun verify` holds."""
    runtime = await open_runtime(SETTINGS)
    try:
        report = await verify.run(runtime, examples=20)
    finally:
        await runtime.db.dispose()
    found = [v for f in report.findings for v in f.examples]
    assert found == []
    assert report.counts() == dict.fromkeys(verify.names(), 0)
