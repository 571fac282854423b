"""Homerun on several nodes, for real, on loopback: PostgreSQL behind PgBouncer in transaction
mode, `homerun serve` nodes behind HAProxy, and `homerun worker` processes.

Each piece is a child process with its own config in a temporary folder and ports from
tests/ports.py; everything is stopped when the topology closes.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

from tests.ports import free_port
from tests.processes import Process, Processes, homerun_env, until_healthy, until_listening

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def missing_tools() -> list[str]:
    return [tool for tool in (PGBOUNCER, HAPROXY) if not os.access(tool, os.X_OK)]


@dataclass
class Topology(Processes):
    server_url: str = ""  # PostgreSQL itself, e.g. postgresql://postgres@127.0.0.1:5432
    database: str = ""
    pgbouncer_port: int = 0
    haproxy_port: int = 0
    nodes: dict[str, Process] = field(default_factory=dict)
    workers: dict[str, Process] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.haproxy_port}"

    def node_env(self) -> dict[str, str]:
        return homerun_env(
            f"postgresql://postgres@127.0.0.1:{self.pgbouncer_port}/{self.database}",
            HOMERUN_DATABASE_TRANSACTION_POOLER="true",
            HOMERUN_DATABASE_POOL_SIZE="4",
            HOMERUN_WORKER_IN_SERVER="false",
            # A key reserved by a request on a killed node is free again after this.
            HOMERUN_IDEMPOTENCY_ABANDONED_SECONDS="10",
        )

    async def start_pgbouncer(self) -> None:
        self.pgbouncer_port = free_port()
        users = self.folder / "users.txt"
        users.write_text('"postgres" ""\n')
        host, port = self.server_url.rsplit("@", 1)[1].split(":")
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
        bouncer = await self.spawn("pgbouncer", PGBOUNCER, *as_user, str(config))
        await until_listening(self.pgbouncer_port, bouncer)

    async def start_node(self, name: str) -> Process:
        self.nodes[name] = await self.serve(name, free_port(), self.node_env())
        return self.nodes[name]

    async def start_worker(self, name: str) -> Process:
        self.workers[name] = await self.worker(name, self.node_env())
        return self.workers[name]

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
        await until_healthy(self.base_url, proxy)
