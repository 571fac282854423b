"""The `homerun` command on a fresh database: `migrate` and `serve` run as an operator would,
the installed command in a subprocess; the other commands' answers are checked in this process
(tests/commands.py), the same Typer app without a process start-up each.

A temporary SQLite file, or with HOMERUN_TEST_DATABASE=postgresql a fresh PostgreSQL
database of its own, so that `migrate` and `serve` start from nothing either way.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from homerun.app import create_app
from homerun.config import Settings
from homerun.instance.service import stored_admin_token_hash
from homerun.kit.db.engine import create_engine
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from homerun.startup import open_runtime
from tests.commands import homerun as command
from tests.conftest import backend
from tests.ports import free_port
from tests.processes import HOMERUN, Process, cli_env, db_url, until_healthy

__all__ = ["db_url"]  # the fixture, shared with the other tests of the command

CARD = {
    "amount": 1000,
    "account_token": "4111111111111111",
    "expiration": "12/30",
    "account_zip": "19106",
}


def dialect() -> str:
    return "postgresql" if backend() == "postgresql" else "sqlite"


async def homerun(db_url: str, *args: str, seconds: float = 60, **env: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        HOMERUN,
        *args,
        env=cli_env(db_url, **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=seconds)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@asynccontextmanager
async def app_on(db_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process Homerun on the CLI's database, with no admin token of its own."""
    async with runtime_on(db_url) as runtime:
        app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://cli.test") as http:
            yield http


@asynccontextmanager
async def runtime_on(db_url: str) -> AsyncIterator[Runtime]:
    runtime = await open_runtime(
        Settings(database_url=db_url, admin_token=None), generate_admin_token=False
    )
    try:
        yield runtime
    finally:
        await runtime.db.dispose()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def table_count(db_url: str, table: str) -> int:
    engine = create_engine(Settings(database_url=db_url))
    try:
        async with engine.connect() as connection:
            query = text(f"SELECT count(*) FROM {table}")  # noqa: S608 - a table name of ours
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def assert_credentials_work(http: httpx.AsyncClient, creds: dict[str, Any]) -> None:
    charged = await http.post(
        "/api/v1/charge", json={"mid": creds["mid"], **CARD}, headers=bearer(creds["api_key"])
    )
    assert charged.status_code == 200, charged.text
    assert charged.json()["result"] == "A"
    token = await http.post(
        "/homerun/v1/tokens",
        json={"account_number": "4111111111111111", "expiry": "1230"},
        headers=bearer(creds["public_key"]),
    )
    assert token.status_code == 200, token.text
    refreshed = await http.post(
        "/api/v1/api_keys/refresh",
        json={"token": creds["refresh_token"]},
        headers=bearer(creds["api_key"]),
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["public_key"] == creds["public_key"]


async def test_migrate_creates_the_schema_and_can_run_again(db_url: str) -> None:
    for _ in range(2):
        code, out, err = await homerun(db_url, "migrate")
        assert code == 0, err
        assert "database is up to date" in out
    for table in ("merchants", "credential_sets", "api_secrets", "idempotency_records"):
        assert await table_count(db_url, table) == 0


async def test_merchants_create_prints_credentials_that_work(db_url: str) -> None:
    code, out, err = await command(
        db_url, "merchants", "create", "CLI Store", "--surcharge-rate", "3.00"
    )
    assert code == 0, err
    creds = json.loads(out)
    assert re.fullmatch(r"[1-9]\d{11}", creds["mid"])
    assert creds["name"] == "CLI Store"
    assert creds["api_key"].startswith("sk_test_")
    assert creds["refresh_token"].startswith("rt_test_")
    assert creds["public_key"].startswith("pk_test_")
    assert isinstance(creds["credential_id"], int)
    assert isinstance(creds["api_key_expires_at"], int)
    assert creds["refresh_token_expires_at"] - creds["api_key_expires_at"] == 30 * 86400 - 3600
    async with app_on(db_url) as http:
        await assert_credentials_work(http, creds)
    async with runtime_on(db_url) as runtime, runtime.db.transaction() as session:
        merchant = await session.scalar(select(Merchant).where(Merchant.mid == creds["mid"]))
        # The CLI never makes an admin token nobody sees: that is left to `homerun serve`.
        assert await stored_admin_token_hash(session) is None
    assert merchant is not None
    assert (merchant.surcharge_enabled, merchant.surcharge_rate_bps) == (True, 300)


async def test_merchants_create_refuses_a_bad_rate_plainly(db_url: str) -> None:
    code, out, err = await command(db_url, "migrate")
    assert code == 0
    rates = ["5", "3.001", "abc", "-1"]
    answers = [
        await command(db_url, "merchants", "create", "Bad", "--surcharge-rate", r) for r in rates
    ]
    for rate, (code, out, err) in zip(rates, answers, strict=True):
        assert code == 1, rate
        assert err.startswith("error: surcharge_rate: "), (rate, err)
        assert "Traceback" not in err and out == "", rate
    assert await table_count(db_url, "merchants") == 0


async def test_merchants_create_says_what_the_mid_takes(db_url: str) -> None:
    code, out, err = await command(db_url, "merchants", "create", "Bank Store", "--accepts", "ach")
    assert code == 0, err
    mid = json.loads(out)["mid"]
    code, out, err = await command(db_url, "merchants", "create", "Bad", "--accepts", "cash")
    assert (code, out) == (1, "")
    assert err.startswith("error: accepts: ") and "Traceback" not in err
    async with runtime_on(db_url) as runtime, runtime.db.transaction() as session:
        made = (await session.scalars(select(Merchant))).all()
    assert [(m.mid, m.accepts) for m in made] == [(mid, "ach")]


async def test_credentials_create_issues_a_second_working_set(db_url: str) -> None:
    code, out, _ = await command(db_url, "merchants", "create", "Two Keys")
    assert code == 0
    first = json.loads(out)
    code, out, err = await command(db_url, "credentials", "create", first["mid"])
    assert code == 0, err
    second = json.loads(out)
    assert second["mid"] == first["mid"]
    assert second["credential_id"] != first["credential_id"]
    assert {second["api_key"], second["refresh_token"], second["public_key"]}.isdisjoint(
        {first["api_key"], first["refresh_token"], first["public_key"]}
    )
    async with app_on(db_url) as http:
        await assert_credentials_work(http, first)
        await assert_credentials_work(http, second)


@pytest.mark.parametrize("mid", ["123456789012", "not-a-mid"])
async def test_credentials_create_for_an_unknown_mid_fails_plainly(db_url: str, mid: str) -> None:
    code, out, err = await command(db_url, "credentials", "create", mid)
    assert code == 1
    assert err.strip() == f"error: merchant {mid} not found"
    assert out == "" and "Traceback" not in err


async def test_admin_token_reset_replaces_the_token_even_on_a_running_server(
    db_url: str,
) -> None:
    code, _, err = await command(db_url, "migrate")
    assert code == 0, err
    async with app_on(db_url) as http:
        refused = await http.get("/homerun/v1/merchants", headers=bearer("hr_admin_guess"))
        assert refused.status_code == 401
        code, out, err = await command(db_url, "admin-token", "reset")
        assert code == 0, err
        first = out.strip()
        await asyncio.sleep(1.1)  # a node re-reads the stored token at most once a second
        assert re.fullmatch(r"hr_admin_[A-Za-z0-9_-]{32}", first)
        listed = await http.get("/homerun/v1/merchants", headers=bearer(first))
        assert listed.status_code == 200, listed.text

        code, out, _ = await command(db_url, "admin-token", "reset")
        second = out.strip()
        assert code == 0 and second != first
        await asyncio.sleep(1.1)  # a node re-reads the stored token at most once a second
        assert (await http.get("/homerun/v1/merchants", headers=bearer(second))).status_code == 200
        assert (await http.get("/homerun/v1/merchants", headers=bearer(first))).status_code == 401
    async with app_on(db_url) as http:
        assert (await http.get("/homerun/v1/merchants", headers=bearer(second))).status_code == 200
        assert (await http.get("/homerun/v1/merchants", headers=bearer(first))).status_code == 401


async def test_admin_token_reset_refuses_when_the_token_is_a_setting(db_url: str) -> None:
    code, out, err = await command(db_url, "admin-token", "reset", HOMERUN_ADMIN_TOKEN="fixed")
    assert code == 1
    assert "HOMERUN_ADMIN_TOKEN" in err and "Traceback" not in err and out == ""


def log_text(path: Path) -> str:
    return path.read_text()


@asynccontextmanager
async def serving(
    db_url: str, port: int, log: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, list[str], float]]:
    """`homerun serve`, up and answering; yields the process, its stdout lines, its start time."""
    started = time.monotonic()
    with log.open("wb") as stderr:
        proc = await asyncio.create_subprocess_exec(
            HOMERUN,
            "serve",
            "--port",
            str(port),
            env=cli_env(db_url),
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )
        try:
            await until_healthy(f"http://127.0.0.1:{port}", Process("serve", proc, log))
            ready_after = time.monotonic() - started
            assert proc.stdout is not None
            lines: list[str] = []
            while True:  # everything printed before the server started is there to read
                try:
                    line = await asyncio.wait_for(proc.stdout.readline(), timeout=0.5)
                except TimeoutError:
                    break
                if not line:
                    break
                lines.append(line.decode().rstrip("\n"))
            yield proc, lines, ready_after
        finally:
            if proc.returncode is None:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), timeout=15)


def printed(lines: list[str], label: str) -> str:
    found = [line[len(label) :].strip() for line in lines if line.startswith(label + " ")]
    assert len(found) == 1, (label, lines)
    return found[0]


async def test_serve_prints_a_working_demo(db_url: str, tmp_path: Path) -> None:
    # How fast `serve` gets ready is measured in bench/, not asserted here.
    port = free_port()
    async with serving(db_url, port, tmp_path / "serve.log") as (proc, lines, _ready_after):
        assert lines[0].startswith(
            f"Homerun on http://127.0.0.1:{port}  (sandbox mode, {dialect()})"
        )
        admin = printed(lines, "admin token").removesuffix("(shown once)").strip()
        mid = printed(lines, "MID")
        api_key = printed(lines, "api_key")
        refresh_token = printed(lines, "refresh_token")
        public_key = printed(lines, "public_key")
        assert re.fullmatch(r"[1-9]\d{11}", mid) and admin.startswith("hr_admin_")
        curl = next(line for line in lines if line.startswith("curl "))
        match = re.fullmatch(
            rf"curl -s (http://127\.0\.0\.1:{port}/api/v1/charge) "
            r"-H 'Authorization: Bearer (\S+)' -H 'Content-Type: application/json' -d '(.+)'",
            curl,
        )
        assert match is not None, curl
        url, curl_key, body = match.groups()
        assert curl_key == api_key and json.loads(body)["mid"] == mid

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            charged = await http.post(
                url,
                content=body.encode(),
                headers={**bearer(curl_key), "Content-Type": "application/json"},
            )
            assert charged.status_code == 200, charged.text
            assert (charged.json()["result"], charged.json()["amount"]) == ("A", "10.00")
            merchant = await http.get(f"/homerun/v1/merchants/{mid}", headers=bearer(admin))
            assert merchant.status_code == 200 and merchant.json()["name"] == "Homerun Demo Store"
            assert merchant.json()["accepts"] == "both"  # the demo takes cards and ACH
            await assert_credentials_work(
                http,
                {
                    "mid": mid,
                    "api_key": api_key,
                    "refresh_token": refresh_token,
                    "public_key": public_key,
                },
            )
            assert (await http.get("/homerun/v1/ready")).json()["status"] == "ready"
        proc.terminate()  # a clean shutdown; uvicorn then re-raises the signal it caught
        assert await asyncio.wait_for(proc.wait(), timeout=15) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in log_text(tmp_path / "serve.log")

    # A second start on the same database shows no secret again and makes no second demo.
    async with serving(db_url, free_port(), tmp_path / "again.log") as (_, lines, _):
        assert lines[0].startswith("Homerun on ")
        labels = ("admin token", "MID", "api_key", "refresh_token", "public_key", "curl ")
        assert not [line for line in lines if line.startswith(labels)]
    assert await table_count(db_url, "merchants") == 1


async def test_serve_after_the_cli_still_shows_the_admin_token(db_url: str, tmp_path: Path) -> None:
    code, out, _ = await homerun(db_url, "merchants", "create", "Made First")
    assert code == 0
    mid = json.loads(out)["mid"]
    port = free_port()
    async with serving(db_url, port, tmp_path / "serve.log") as (_, lines, _):
        admin = printed(lines, "admin token").removesuffix("(shown once)").strip()
        assert not any(line.startswith("MID ") for line in lines)  # not empty: no demo
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            merchant = await http.get(f"/homerun/v1/merchants/{mid}", headers=bearer(admin))
            assert merchant.status_code == 200, merchant.text
