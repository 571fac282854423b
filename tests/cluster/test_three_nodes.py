"""Three `homerun serve` nodes and two `homerun worker`s behind HAProxy, sharing PostgreSQL
through PgBouncer in transaction mode. Under load one node and one worker are killed
(SIGKILL); every keyed request is retried with its key until it is answered. Then: every
acknowledged payment exists exactly once, no refund is doubled, every captured payment is in
exactly one batch, every webhook was delivered under one stable id, and `homerun verify`
finds the books whole.

PostgreSQL only (several nodes share one database); skipped where PgBouncer or HAProxy is
missing (./scripts/test installs both where it can).
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.cluster.topology import Topology, missing_tools
from tests.conftest import ADMIN, PG_SERVER, backend
from tests.processes import books_verified
from tests.test_cli import homerun
from tests.webhooks.receiver import Receiver, always

pytestmark = [
    pytest.mark.skipif(backend() != "postgresql", reason="several nodes share PostgreSQL"),
    pytest.mark.skipif(bool(missing_tools()), reason=f"missing: {missing_tools()}"),
]

CLIENTS = 12
CHARGES_EACH = 15
KILL_AFTER = 60  # acknowledged charges before a node and a worker die
# 502-504: the proxy or a node could not answer. 409: the key is still reserved by a request
# that was in flight on the node that died; it is free again once abandoned (below).
RETRYABLE = {409, 502, 503, 504}


@pytest.fixture
async def cluster() -> AsyncIterator[Topology]:
    name = f"homerun_cluster_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    with tempfile.TemporaryDirectory(prefix="homerun-cluster-") as folder:
        topology = Topology(Path(folder), server_url=PG_SERVER, database=name)
        try:
            code, out, err = await homerun(f"{PG_SERVER}/{name}", "migrate")
            assert code == 0, (out, err)
            await topology.start_pgbouncer()
            await topology.start_node("node1")  # the first start creates the demo merchant
            await asyncio.gather(topology.start_node("node2"), topology.start_node("node3"))
            await topology.start_haproxy()
            for worker in ("worker1", "worker2"):
                await topology.start_worker(worker)
            yield topology
        finally:
            await topology.close()
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


@dataclass
class Ledger:
    """What the clients were told."""

    charges: dict[str, str] = field(default_factory=dict)  # order_id -> trans_id
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)  # parent trans_id -> answer
    retried: Counter[str] = field(default_factory=Counter)  # why a request was sent again
    killed: asyncio.Event = field(default_factory=asyncio.Event)


async def keyed(
    http: httpx.AsyncClient,
    ledger: Ledger,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
) -> dict[str, Any]:
    """POST until answered: a lost connection or a 502-504 is retried with the same key."""
    key = {"Idempotency-Key": secrets.token_hex(12)}
    for _ in range(200):
        try:
            answer = await http.post(path, json=body, headers={**headers, **key})
        except httpx.TransportError as lost:
            ledger.retried[type(lost).__name__] += 1
            await asyncio.sleep(0.1)
            continue
        if answer.status_code not in RETRYABLE:
            assert answer.status_code == 200, answer.text
            data: dict[str, Any] = answer.json()
            return data
        ledger.retried[str(answer.status_code)] += 1
        await asyncio.sleep(0.5 if answer.status_code == 409 else 0.1)
    raise AssertionError(f"{path} never answered; retried: {ledger.retried}")


async def client_run(
    http: httpx.AsyncClient, ledger: Ledger, topology: Topology, merchant: dict[str, Any], n: int
) -> None:
    headers = {"Authorization": f"Bearer {merchant['api_key']}"}
    for i in range(CHARGES_EACH):
        order_id = f"c{n}-{i}"
        body = {
            "amount": 1000,
            "account_token": "4111111111111111",
            "expiration": "12/30",
            "account_zip": "19106",
            "order_id": order_id,
            "mid": merchant["mid"],
        }
        answer = await keyed(http, ledger, "/api/v1/charge", body, headers)
        assert answer["result"] == "A", answer
        ledger.charges[order_id] = answer["trans_id"]
        if i % 3 == 0:
            refund = {"trans_id": answer["trans_id"], "mid": merchant["mid"], "amount": 400}
            ledger.refunds[answer["trans_id"]] = await keyed(
                http, ledger, "/api/v1/void-or-refund", refund, headers
            )
        if len(ledger.charges) >= KILL_AFTER and not ledger.killed.is_set():
            ledger.killed.set()
            topology.nodes["node2"].kill()
            topology.workers["worker1"].kill()


async def make_merchant(http: httpx.AsyncClient) -> dict[str, Any]:
    made = await http.post("/homerun/v1/merchants", json={"name": "Cluster Store"}, headers=ADMIN)
    assert made.status_code == 201, made.text
    mid = made.json()["mid"]
    issued = await http.post(f"/homerun/v1/merchants/{mid}/credentials", headers=ADMIN)
    assert issued.status_code == 201, issued.text
    return {"mid": mid, **issued.json()}


async def rows(topology: Topology, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(f"{PG_SERVER}/{topology.database}")
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def test_nothing_is_lost_or_doubled_when_a_node_and_a_worker_die(
    cluster: Topology,
) -> None:
    receiver = await Receiver(always(200)).start()
    ledger = Ledger()
    try:
        limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
        async with httpx.AsyncClient(base_url=cluster.base_url, timeout=30, limits=limits) as http:
            merchant = await make_merchant(http)
            hook = await http.post(
                "/homerun/v1/webhooks/endpoints",
                json={
                    "mid": merchant["mid"],
                    "url": receiver.url(),
                    "event_types": ["transaction.*"],
                },
                headers=ADMIN,
            )
            assert hook.status_code == 201, hook.text

            await asyncio.gather(
                *(client_run(http, ledger, cluster, merchant, n) for n in range(CLIENTS))
            )
            assert ledger.killed.is_set()

            # Every acknowledged charge exists exactly once, under the trans_id it was given.
            merchant_id = (
                await rows(cluster, "SELECT id FROM merchants WHERE mid = $1", merchant["mid"])
            )[0]["id"]
            sales = await rows(
                cluster,
                "SELECT id, order_id FROM transactions WHERE merchant_id = $1 AND kind = 'sale'",
                merchant_id,
            )
            assert len(ledger.charges) == CLIENTS * CHARGES_EACH
            assert Counter(r["order_id"] for r in sales) == Counter(list(ledger.charges))
            assert {r["order_id"]: str(r["id"]) for r in sales} == ledger.charges

            # No refund was made twice, and each acknowledged one exists once.
            refunds = await rows(
                cluster,
                "SELECT parent_id, count(*) AS n FROM transactions"
                " WHERE merchant_id = $1 AND kind = 'refund' GROUP BY parent_id",
                merchant_id,
            )
            made = {str(r["parent_id"]): r["n"] for r in refunds}
            assert set(made.values()) <= {1}
            approved = {
                p
                for p, a in ledger.refunds.items()
                if a["result"] == "A" and a.get("trans_id") != p
            }
            assert approved <= set(made)

            # A day later every captured payment is in exactly one batch.
            moved = await http.post(
                "/homerun/v1/clock/advance", json={"seconds": 86400}, headers=ADMIN
            )
            assert moved.status_code == 200, moved.text
            unbatched = await rows(
                cluster,
                "SELECT count(*) AS n FROM transactions WHERE merchant_id = $1"
                " AND kind = 'sale' AND amount_captured > 0 AND batch_id IS NULL",
                merchant_id,
            )
            assert unbatched[0]["n"] == 0

        # Every webhook is delivered, each under the one id it was given.
        deadline = asyncio.get_running_loop().time() + 30
        while (
            await rows(
                cluster, "SELECT count(*) AS n FROM webhook_deliveries WHERE state <> 'delivered'"
            )
        )[0]["n"]:
            assert asyncio.get_running_loop().time() < deadline, "deliveries still pending"
            await asyncio.sleep(0.2)
        deliveries = await rows(cluster, "SELECT webhook_id, event_id FROM webhook_deliveries")
        ids_by_event: dict[int, set[str]] = defaultdict(set)
        for d in deliveries:
            ids_by_event[d["event_id"]].add(d["webhook_id"])
        assert all(len(ids) == 1 for ids in ids_by_event.values())
        received = {r.headers["x-webhook-id"] for r in receiver.on("hook")}
        assert received == {d["webhook_id"] for d in deliveries}
        assert len(deliveries) >= len(ledger.charges)
        await books_verified(f"{PG_SERVER}/{cluster.database}")
    finally:
        await receiver.stop()
