"""Charges sent straight into the ASGI app: the server's work only, no client library.

    .venv/bin/python bench/server_calls.py [--database-url URL] [--warmup N] [--charges N]

Builds the app against a fresh merchant (as bench/cpu_per_charge.py does), sends `--warmup`
charges, then `--charges` more, each as one ASGI call with a prepared scope and body, and
prints the CPU time per measured charge. No HTTP client runs in the process, so everything
it spends is the server's: the middlewares, routing, dependencies, the charge, the driver
(and aiosqlite's connection thread on SQLite).

Its main use is under callgrind (bench/instructions_per_charge.sh), where the count of
instructions is the same from run to run whatever else the machine is doing: the meter
for comparing two versions of the code on a busy or jittery VM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import MutableMapping
from typing import Any

from bench_runtime import credentials, migrated_runtime, new_merchant

from homerun.app import create_app

Message = MutableMapping[str, Any]


def _scope(body: bytes, api_key: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/charge",
        "raw_path": b"/api/v1/charge",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"authorization", f"Bearer {api_key}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }


async def measure(url: str, warmup: int, charges: int) -> dict[str, Any]:
    runtime = await migrated_runtime(url, "hr_admin_server_calls_0123456789")
    try:
        merchant = await new_merchant(runtime, "Server calls")
        creds = await credentials(runtime, merchant)
        app = create_app(runtime=runtime)
        body = json.dumps(
            {
                "mid": merchant.mid,
                "amount": 1000,
                "account_token": "4111111111111111",
                "expiration": "12/30",
                "capture": "Y",
            }
        ).encode()
        scope = _scope(body, creds.api_key)

        async def charge() -> None:
            answered: list[Message] = []
            request: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

            async def receive() -> Message:
                if request:
                    return request.pop()
                await asyncio.Event().wait()  # the client never disconnects
                raise AssertionError("unreachable")

            async def send(message: Message) -> None:
                answered.append(message)

            await app(dict(scope), receive, send)
            if answered[0]["status"] != 200 or b'"result":"A"' not in answered[1]["body"]:
                raise SystemExit(f"charge not approved: {answered}")

        for _ in range(warmup):
            await charge()
        cpu = time.process_time()
        for _ in range(charges):
            await charge()
        spent = time.process_time() - cpu
    finally:
        await runtime.db.dispose()
    return {
        "database": url.split(":", 1)[0],
        "warmup": warmup,
        "charges": charges,
        "cpu_ms_per_charge": round(1000 * spent / charges, 3) if charges else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--charges", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="homerun-calls-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/calls.db"
        print(json.dumps(asyncio.run(measure(url, args.warmup, args.charges))))


if __name__ == "__main__":
    main()
