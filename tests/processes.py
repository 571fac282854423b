"""Homerun and its neighbours as real child processes, for the tests that run the `homerun`
command or kill it: a fresh database for them, their environment; each process logs to a
file of its own, and `Processes.close` stops whatever is still running."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, PG_SERVER, backend

HOMERUN = str(Path(sys.executable).parent / "homerun")


async def fresh_database(tmp_path: Path, name: str) -> AsyncIterator[str]:
    """An empty database that child processes can share, so that `migrate` and `serve`
    start from nothing: a SQLite file in tmp_path, or with HOMERUN_TEST_DATABASE=postgresql
    a PostgreSQL database of its own, dropped after."""
    if backend() != "postgresql":
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    database = f"homerun_{name}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
        yield f"{PG_SERVER}/{database}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    async for url in fresh_database(tmp_path, "cli"):
        yield url


def cli_env(db_url: str, **extra: str) -> dict[str, str]:
    """This process's environment without its HOMERUN_ settings, on `db_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMERUN_")}
    return {**env, "HOMERUN_DATABASE_URL": db_url, **extra}


@dataclass
class Process:
    name: str
    proc: asyncio.subprocess.Process
    log: Path
    port: int = 0  # what it listens on, for a server

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def homerun_env(database_url: str, **settings: str) -> dict[str, str]:
    """A node's environment: fixed keys and admin token, so that every node (and a restart)
    reads what the others wrote."""
    return cli_env(
        database_url,
        HOMERUN_ADMIN_TOKEN=ADMIN_TOKEN,
        HOMERUN_SECRET_KEY="0" * 64,
        HOMERUN_MASTER_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        HOMERUN_WORKER_POLL_SECONDS="0.2",
        HOMERUN_WEBHOOK_POLL_SECONDS="0.1",
        HOMERUN_WEBHOOK_ALLOW_LOOPBACK="true",
        **settings,
    )


@dataclass
class Processes:
    folder: Path
    started: list[Process] = field(default_factory=list)

    async def spawn(self, name: str, *argv: str, env: dict[str, str] | None = None) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("ab") as out:
            proc = await asyncio.create_subprocess_exec(
                *argv, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
            )
        process = Process(name, proc, log)
        self.started.append(process)
        return process

    async def serve(self, name: str, port: int, env: dict[str, str]) -> Process:
        """`homerun serve` on `port`, once it answers its health check."""
        node = await self.spawn(
            name, HOMERUN, "serve", "--host", "127.0.0.1", "--port", str(port), env=env
        )
        node.port = port
        await until_healthy(f"http://127.0.0.1:{port}", node)
        return node

    async def worker(self, name: str, env: dict[str, str]) -> Process:
        return await self.spawn(name, HOMERUN, "worker", "--name", name, env=env)

    async def close(self) -> None:
        for process in reversed(self.started):
            if process.proc.returncode is None:
                process.proc.terminate()
        for process in self.started:
            try:
                await asyncio.wait_for(process.proc.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.proc.wait()


async def until_listening(port: int, process: Process, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert process.proc.returncode is None, process.tail()
        assert time.monotonic() < deadline, process.tail()
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return


async def until_healthy(base_url: str, process: Process, seconds: float = 90) -> None:
    # Generous: a node imports Homerun and opens its runtime first, slow on a busy machine.
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=base_url) as http:
        while True:
            assert process.proc.returncode is None, process.tail()
            assert time.monotonic() < deadline, process.tail()
            try:
                if (await http.get("/homerun/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)


async def books_verified(database_url: str) -> None:
    """`homerun verify` over the database, with the keys the nodes used: it must exit 0."""
    proc = await asyncio.create_subprocess_exec(
        HOMERUN,
        "verify",
        env=homerun_env(database_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, out.decode()
