"""`homerun worker` writes its log lines in HOMERUN_LOG_FORMAT too."""

from __future__ import annotations

import asyncio
import json
import signal

from tests.isolated import HOMERUN, isolated_database, migrate, subprocess_env


async def test_the_worker_logs_json_lines_on_stderr() -> None:
    async with isolated_database("homerun_worker_log") as database:
        await migrate(database.url)
        proc = await asyncio.create_subprocess_exec(
            HOMERUN,
            "worker",
            "--name",
            "logged-worker",
            env=subprocess_env(database.url, HOMERUN_LOG_FORMAT="json"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert proc.stderr is not None
        try:
            first = await asyncio.wait_for(proc.stderr.readline(), timeout=60)
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), timeout=30)
    line = json.loads(first)
    assert {k: v for k, v in line.items() if k != "timestamp"} == {
        "event": "worker logged-worker started (1 loops)",
        "level": "info",
        "logger": "homerun.worker",
    }
