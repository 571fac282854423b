"""A live Homerun for the client's tests: `homerun serve` on a free 127.0.0.1 port, on a
fresh database (HOMERUN_TEST_DATABASE=sqlite|postgresql, as the server's own tests), with
10,000 seeded Reporting rows written by `homerun seed` (on PostgreSQL while the other
tests run)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

ADMIN_TOKEN = "hr_admin_client_tests"
PG_SERVER = os.environ.get("HOMERUN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")
HOMERUN = str(Path(sys.executable).parent / "homerun")
SEED_ROWS = 10_000


def backend() -> str:
    return os.environ.get("HOMERUN_TEST_DATABASE", "sqlite")


def free_port() -> int:
    """A loopback port; from HOMERUN_TEST_PORTS ("first-last") when ./scripts/test runs
    two suites at once, so they never draw the same one (see tests/ports.py)."""
    span = os.environ.get("HOMERUN_TEST_PORTS")
    first, last = (int(part) for part in span.split("-")) if span else (0, 0)
    for _ in range(200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", random.randint(first, last) if span else 0))
            except OSError:
                continue
            port: int = probe.getsockname()[1]
            return port
    raise RuntimeError(f"no free port in HOMERUN_TEST_PORTS={span}")


async def _pg(statement: str) -> None:
    import asyncpg  # the server's own driver, installed beside it

    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


@contextmanager
def fresh_database() -> Iterator[str]:
    if backend() == "postgresql":
        name = f"runpayments_test_{secrets.token_hex(4)}"
        asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        with tempfile.TemporaryDirectory(prefix="runpayments-test-") as folder:
            yield f"sqlite:///{Path(folder) / 'homerun.db'}"


@dataclass
class Seeded:
    transactions: int
    declines: int
    deposits: int
    chargebacks: int
    adjustments: int
    client_id: str
    client_secret: str
    mid: str


class LiveHomerun:
    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HOMERUN_")},
            "HOMERUN_DATABASE_URL": database_url,
            "HOMERUN_ADMIN_TOKEN": ADMIN_TOKEN,
            "HOMERUN_PUBLIC_BASE_URL": self.base_url,
            "HOMERUN_WEBHOOK_ALLOW_LOOPBACK": "true",
            "HOMERUN_LOG_LEVEL": "warning",
        }
        self.admin = httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
        )
        self._server: subprocess.Popen[bytes] | None = None
        self._seed: subprocess.Popen[str] | None = None
        self._seeded: Seeded | None = None
        self._log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()

    def start(self) -> None:
        # The server's output goes to a file: a pipe nobody reads would fill and stall it.
        self._server = subprocess.Popen(
            [HOMERUN, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self._server.poll() is not None:
                self._log.seek(0)
                raise RuntimeError(self._log.read().decode(errors="replace"))
            try:
                if self.admin.get("/homerun/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("homerun serve did not come up in 90 s")
        self._seed = subprocess.Popen(
            [
                HOMERUN,
                "seed",
                "--transactions",
                str(SEED_ROWS),
                "--merchants",
                "1",
                "--days",
                "30",
                "--batch-size",
                "1000",
                "--client",
                "runpayments-tests",
            ],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if backend() == "sqlite":
            # SQLite has one writer: the seed's big write transactions would make the
            # tests' writes wait past their timeouts, so there the tests start after it.
            self.seeded()

    def seeded(self) -> Seeded:
        """Wait for the seed and read what it made from its own summary."""
        if self._seeded is None:
            assert self._seed is not None
            out, _ = self._seed.communicate(timeout=180)
            assert self._seed.returncode == 0, out
            self._seeded = parse_seed(out)
        return self._seeded

    def stop(self) -> None:
        self.admin.close()
        for process in (self._seed, self._server):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
        self._log.close()

    # ------------------------------------------------------------------ admin helpers

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.admin.post(path, json=body or {})
        assert answer.status_code in (200, 201), answer.text
        result: dict[str, Any] = answer.json()
        return result

    def get(self, path: str, **params: Any) -> Any:
        answer = self.admin.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()


def parse_seed(out: str) -> Seeded:
    summary = re.search(
        r"(\d+) transactions \(\d+ refunds, (\d+) declines\), 1 merchants, \d+ batches, "
        r"(\d+)\s+deposits, (\d+) chargebacks, (\d+) adjustments",
        out,
    )
    assert summary is not None, out
    made = json.loads(out[out.index("{") :])
    rows, declines, deposits, chargebacks, adjustments = (int(n) for n in summary.groups())
    return Seeded(
        rows,
        declines,
        deposits,
        chargebacks,
        adjustments,
        made["client_id"],
        made["client_secret"],
        made["mids"][0],
    )
