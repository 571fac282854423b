"""Several processes, one set of metrics: prometheus_client's multiprocess mode, the
directory `homerun serve` sets up and cleans, and `serve --workers 2` answering for both."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from homerun.observability import multiprocess
from tests.observability.support import samples, value
from tests.processes import HOMERUN, cli_env, db_url
from tests.test_cli import free_port, log_text

__all__ = ["db_url"]  # the fixture, from tests/processes.py

CHILD = """
import sys
from homerun.observability import metrics, multiprocess
charges = int(sys.argv[1])
for _ in range(charges):
    metrics.count_charge("A", "00", "VISA")
metrics.HttpMetrics().observe("/api/v1/charge", "POST", 200, 0.004)
metrics.DB_IN_USE.set(charges)
if sys.argv[2] == "exits":
    multiprocess.process_exiting()
"""


def run_child(directory: Path, charges: int, how: str) -> None:
    env = {**os.environ, multiprocess.ENV: str(directory)}
    subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHILD, str(charges), how], env=env, check=True, timeout=60
    )


def test_two_processes_are_reported_together(tmp_path: Path) -> None:
    run_child(tmp_path, 3, "stays")
    run_child(tmp_path, 2, "exits")
    scraped = samples(multiprocess.exposition([], directory=str(tmp_path)).decode())
    card = {"result": "A", "resp_code": "00", "brand": "VISA", "method": "card"}
    assert value(scraped, "homerun_charges_total", **card) == 5
    route = {"route": "/api/v1/charge", "method": "POST"}
    assert value(scraped, "homerun_http_requests_total", status="200", **route) == 2
    assert value(scraped, "homerun_http_request_duration_seconds_count", **route) == 2
    assert value(scraped, "homerun_http_request_duration_seconds_bucket", le="0.005", **route) == 2
    # A live gauge is summed over the processes still running: the one that exited left.
    assert value(scraped, "homerun_db_pool_in_use") == 3


def test_serving_one_process_without_a_directory_uses_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(multiprocess.ENV, raising=False)
    with multiprocess.serving(1) as directory:
        assert directory is None
        assert multiprocess.ENV not in os.environ


def test_serving_several_workers_makes_a_directory_and_removes_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(multiprocess.ENV, raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with multiprocess.serving(2) as directory:
        assert directory is not None and Path(directory).is_dir()
        assert os.environ[multiprocess.ENV] == directory
        (Path(directory) / "counter_1234.db").write_bytes(b"x")
    assert not Path(directory).exists()
    assert multiprocess.ENV not in os.environ


def test_serving_a_configured_directory_empties_it_at_start_and_exit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    mine = folder / f"counter_{os.getpid()}.db"
    stale = folder / "counter_99999999.db"
    for file in (mine, stale):
        file.write_bytes(b"x")
    (folder / "notes.txt").write_text("not ours")
    monkeypatch.setenv(multiprocess.ENV, str(folder))
    with multiprocess.serving(4) as directory:
        assert directory == str(folder)
        assert mine.exists() and not stale.exists()  # a crashed run's values are gone
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert os.environ[multiprocess.ENV] == str(folder)


@pytest.mark.one_database("sqlite")
async def test_serve_with_two_workers_reports_both(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = cli_env(db_url, TMPDIR=str(temp), HOMERUN_WORKER_IN_SERVER="false")
    env.pop(multiprocess.ENV, None)
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as stderr:
        proc = await asyncio.create_subprocess_exec(
            HOMERUN,
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            started = time.monotonic()
            while True:
                assert proc.returncode is None, log_text(log)
                assert time.monotonic() - started < 60, log_text(log)
                try:
                    async with httpx.AsyncClient(base_url=base) as http:
                        if (await http.get("/metrics")).status_code == 200:
                            break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            (directory,) = temp.glob("homerun-metrics-*")

            def worker_pids() -> set[str]:
                return {file.stem.rsplit("_", 1)[1] for file in directory.glob("*.db")}

            # The second worker may still be starting when the first answers: each writes
            # its own files from its start (its pool gauges), so wait for both.
            while len(worker_pids()) < 2:
                assert time.monotonic() - started < 60, log_text(log)
                await asyncio.sleep(0.1)

            async def scrape() -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
                # A connection of its own each time, so that either worker may answer.
                async with httpx.AsyncClient(base_url=base) as http:
                    answer = await http.get("/metrics")
                assert answer.status_code == 200
                return samples(answer.text)

            def health_count(scraped: dict[tuple[str, frozenset[tuple[str, str]]], float]) -> float:
                return value(
                    scraped,
                    "homerun_http_requests_total",
                    route="/homerun/v1/health",
                    method="GET",
                    status="200",
                )

            first = health_count(await scrape())
            for _ in range(12):
                async with httpx.AsyncClient(base_url=base) as http:
                    assert (await http.get("/homerun/v1/health")).status_code == 200
            counts = [health_count(await scrape()) for _ in range(8)]
            assert counts == [first + 12] * 8
            assert len(worker_pids()) == 2, sorted(p.name for p in directory.iterdir())
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(proc.wait(), timeout=30)
    assert not directory.exists(), log_text(log)
