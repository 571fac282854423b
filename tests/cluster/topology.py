"""Homerun on several nodes, for real, on loopback: PostgreSQL behind PgBouncer in transaction
mode, `homerun serve` nodes behind HAProxy, and `homerun worker` processes.

Each piece is a child process with its own config in a temporary folder and ports from
tests/ports.py; everything is killed when the topology closes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import ADMIN_TOKEN
from tests.ports import free_port
from tests.test_cli import HOMERUN, cli_env

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def missing_tools() -> list[str]:
    return [tool for tool in (PGBOUNCER, HAPROXY) if not os.access(tool, os.X_OK)]


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


@dataclass
class Topology:
    folder: Path
    server_url: str  # PostgreSQL itself, e.g. postgresql://postgres@127.0.0.1:5432
    database: str
    processes: list[Process] = field(default_factory=list)
    pgbouncer_port: int = 0
    haproxy_port: int = 0
    nodes: dict[str, Process] = field(default_factory=dict)
    workers: dict[str, Process] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.haproxy_port}"

    @property
    def pooled_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pgbouncer_port}/{self.database}"

    def homerun_env(self) -> dict[str, str]:
        return cli_env(
            self.pooled_url,
            HOMERUN_DATABASE_TRANSACTION_POOLER="true",
            HOMERUN_DATABASE_POOL_SIZE="4",
            HOMERUN_ADMIN_TOKEN=ADMIN_TOKEN,
            HOMERUN_SECRET_KEY="0" * 64,
            HOMERUN_MASTER_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            HOMERUN_WORKER_IN_SERVER="false",
            HOMERUN_WORKER_POLL_SECONDS="0.2",
            HOMERUN_WEBHOOK_POLL_SECONDS="0.1",
            HOMERUN_WEBHOOK_ALLOW_LOOPBACK="true",
            # A key reserved by a request on a killed node is free again after this.
            HOMERUN_IDEMPOTENCY_ABANDONED_SECONDS="10",
        )

    async def spawn(self, name: str, *argv: str, env: dict[str, str] | None = None) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                *argv, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
            )
        started = Process(name, proc, log)
        self.processes.append(started)
        return started

    async def start_pgbouncer(self) -> None:
        self.pgbouncer_port = free_port()
        users = self.folder / "users.txt"
        users.write_text('"postgres" ""\n')
        host_port = self.server_url.rsplit("@", 1)[1]
        host, port = host_port.split(":")
        config = self.folder / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"* = host={host} port={port}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.pgbouncer_port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {users}\n"
            "pool_mode = transaction\n"
            "max_client_conn = 500\n"
            "default_pool_size = 20\n"
            "ignore_startup_parameters = extra_float_digits\n"
        )
        for path in (self.folder, users, config):
            path.chmod(0o755 if path.is_dir() else 0o644)
        # PgBouncer refuses to run as root; it drops to nobody when started as root.
        as_user = ["-u", "nobody"] if os.geteuid() == 0 else []
        await self.spawn("pgbouncer", PGBOUNCER, *as_user, str(config))
        await _until_listening(self.pgbouncer_port, self.processes[-1])

    async def start_node(self, name: str) -> Process:
        port = free_port()
        node = await self.spawn(
            name,
            HOMERUN,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=self.homerun_env(),
        )
        node.port = port
        self.nodes[name] = node
        await _until_healthy(f"http://127.0.0.1:{port}", node)
        return node

    async def start_worker(self, name: str) -> Process:
        worker = await self.spawn(name, HOMERUN, "worker", "--name", name, env=self.homerun_env())
        self.workers[name] = worker
        return worker

    async def start_haproxy(self) -> None:
        self.haproxy_port = free_port()
        servers = "".join(
            f"    server {name} 127.0.0.1:{node.port} check\n" for name, node in self.nodes.items()
        )
        config = self.folder / "haproxy.cfg"
        config.write_text(
            "global\n"
            "    maxconn 4096\n"
            "defaults\n"
            "    mode http\n"
            "    timeout connect 1s\n"
            "    timeout client 30s\n"
            "    timeout server 30s\n"
            # Only a request that never reached a node is tried on another; anything
            # else is the client's to retry (with its Idempotency-Key).
            "    retries 3\n"
            "    option redispatch\n"
            "    retry-on conn-failure\n"
            "frontend api\n"
            f"    bind 127.0.0.1:{self.haproxy_port}\n"
            "    default_backend nodes\n"
            "backend nodes\n"
            "    balance roundrobin\n"
            "    option httpchk GET /homerun/v1/health\n"
            "    default-server inter 200ms fall 2 rise 2\n" + servers
        )
        proxy = await self.spawn("haproxy", HAPROXY, "-db", "-f", str(config))
        await _until_healthy(self.base_url, proxy)

    async def close(self) -> None:
        for process in reversed(self.processes):
            if process.proc.returncode is None:
                process.proc.terminate()
        for process in self.processes:
            try:
                await asyncio.wait_for(process.proc.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.proc.wait()


async def _until_listening(port: int, process: Process, seconds: float = 15) -> None:
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


async def _until_healthy(base_url: str, process: Process, seconds: float = 30) -> None:
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
