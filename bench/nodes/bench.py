"""Charges per second through HAProxy with 1, 2 and 3 `homerun serve` nodes sharing
PostgreSQL through PgBouncer (transaction mode), and where the CPU went.

    .venv/bin/python bench/nodes/bench.py                 # nodes 1 2 3, c=64, 10 s each
    .venv/bin/python bench/nodes/bench.py --nodes 1 3 --concurrency 128 --seconds 20

Everything runs on loopback, built the way tests/cluster builds it (tests/cluster/topology.py):
a fresh database on BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432, dropped at
the end), PgBouncer, N nodes (`--workers 1` each, no in-server worker), one `homerun worker`,
HAProxy, and wrk with bench/lua/charge.lua. Prints one markdown table row per node count:
approved charges/s, p50/p99, and the CPU seconds per charge of the nodes, PostgreSQL,
PgBouncer + HAProxy and wrk, against the machine's cores, which say what bounds it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from tests.cluster.topology import Topology  # noqa: E402
from tests.conftest import ADMIN  # noqa: E402
from tests.test_cli import homerun  # noqa: E402

PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICKS


def pids_named(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def children_of(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's own children)."""
    family, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) == parent:
                    family.append(int(entry.name))
                    frontier.append(int(entry.name))
    return family


async def wrk(base_url: str, mid: str, api_key: str, c: int, seconds: int) -> dict[str, object]:
    env = {
        **os.environ,
        "BENCH_MID": mid,
        "BENCH_API_KEY": api_key,
        "BENCH_LUA_DIR": str(ROOT / "bench/lua"),
        "BENCH_META": "{}",
    }
    argv = [
        "wrk",
        "-t1",
        f"-c{c}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(ROOT / "bench/lua/charge.lua"),
        base_url,
    ]
    proc = await asyncio.create_subprocess_exec(*argv, env=env, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    line = next(x for x in out.decode().splitlines() if x.startswith("BENCH_JSON "))
    result: dict[str, object] = json.loads(line[len("BENCH_JSON ") :])
    return result


async def one(nodes: int, c: int, seconds: int) -> str:
    name = f"homerun_bench_nodes_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(f"{PG}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="homerun-bench-nodes-") as folder:
            topology = Topology(Path(folder), server_url=PG, database=name)
            try:
                code, out, err = await homerun(f"{PG}/{name}", "migrate")
                assert code == 0, (out, err)
                await topology.start_pgbouncer()
                for n in range(nodes):
                    await topology.start_node(f"node{n + 1}")
                await topology.start_haproxy()
                await topology.start_worker("worker1")
                async with httpx.AsyncClient(base_url=topology.base_url) as http:
                    made = await http.post(
                        "/homerun/v1/merchants", json={"name": "Bench"}, headers=ADMIN
                    )
                    mid = made.json()["mid"]
                    issued = await http.post(
                        f"/homerun/v1/merchants/{mid}/credentials", headers=ADMIN
                    )
                    api_key = issued.json()["api_key"]
                await wrk(topology.base_url, mid, api_key, c, 3)  # warm-up, not counted
                node_pids = [
                    p for node in topology.nodes.values() for p in children_of(node.proc.pid)
                ]
                groups = {
                    "nodes": node_pids,
                    "postgres": pids_named("postgres"),
                    "proxies": pids_named("pgbouncer") + pids_named("haproxy"),
                }
                before = {k: cpu_seconds(v) for k, v in groups.items()}
                result = await wrk(topology.base_url, mid, api_key, c, seconds)
                used = {k: cpu_seconds(v) - before[k] for k, v in groups.items()}
            finally:
                await topology.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    approved = int(result["ok"])  # type: ignore[call-overload]
    rate = float(result["ok_per_s"])  # type: ignore[arg-type]
    latency: dict[str, float] = result["latency_ms"]  # type: ignore[assignment]
    per = {k: 1000 * v / max(approved, 1) for k, v in used.items()}
    busy = sum(used.values()) / seconds
    return (
        f"| {nodes} | {c} | {rate:,.0f} | {latency['p50']:.1f} | {latency['p99']:.1f} | "
        f"{per['nodes']:.2f} | {per['postgres']:.2f} | {per['proxies']:.2f} | "
        f"{busy:.2f} of {os.cpu_count()} |"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    print(
        "| nodes | c | charges/s | p50 ms | p99 ms | node CPU ms/charge "
        "| PostgreSQL ms/charge | PgBouncer+HAProxy ms/charge | cores busy |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for nodes in args.nodes:
        print(await one(nodes, args.concurrency, args.seconds), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
