"""A mixed load of charges, captures and refunds, half of them keyed, that remembers what
every request was told; and the checks that nothing acknowledged was lost or doubled."""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from homerun.config import Settings
from tests.conftest import ADMIN

CARD = {"account_token": "4111111111111111", "expiration": "12/30", "account_zip": "19106"}
# A 409 is a key still reserved by a request the crash cut off; 5xx: the server could not
# finish (a lost database connection). A keyed request is sent again with its key.
RETRY = {409, 500, 502, 503, 504}


@dataclass
class Sent:
    path: str
    body: dict[str, Any]
    key: str | None
    status: int | None = None  # None: no answer (the connection was lost)
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def acknowledged(self) -> bool:
        return self.status == 200


@dataclass
class Load:
    base_url: str
    mid: str = ""
    api_key: str = ""
    sent: list[Sent] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    # Set once `milestone` requests have been acknowledged (0: never).
    milestone: int = 0
    reached: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def acknowledged(self) -> int:
        return sum(1 for s in self.sent if s.acknowledged)

    async def open_merchant(self, http: httpx.AsyncClient) -> None:
        made = await http.post("/homerun/v1/merchants", json={"name": "Crash Store"}, headers=ADMIN)
        assert made.status_code == 201, made.text
        self.mid = made.json()["mid"]
        issued = await http.post(f"/homerun/v1/merchants/{self.mid}/credentials", headers=ADMIN)
        assert issued.status_code == 201, issued.text
        self.api_key = issued.json()["api_key"]

    async def send(
        self, http: httpx.AsyncClient, path: str, body: dict[str, Any], keyed: bool
    ) -> Sent:
        sent = Sent(path, body, secrets.token_hex(12) if keyed else None)
        self.sent.append(sent)
        await self.deliver(http, sent)
        return sent

    async def deliver(self, http: httpx.AsyncClient, sent: Sent) -> None:
        headers = (
            self.headers if sent.key is None else {**self.headers, "Idempotency-Key": sent.key}
        )
        try:
            answer = await http.post(sent.path, json=sent.body, headers=headers)
        except httpx.TransportError:
            sent.status = None
            return
        sent.status = answer.status_code
        if answer.status_code == 200:
            sent.answer = answer.json()
            if self.milestone and self.acknowledged() >= self.milestone:
                self.reached.set()

    async def client(self, http: httpx.AsyncClient, n: int, operations: int) -> None:
        """charge; auth then capture; charge then refund part: in turn, keyed every other."""
        for i in range(operations):
            if self.stop.is_set():
                return
            keyed = i % 2 == 0
            order_id = f"o{n}-{i}"
            capture = "N" if i % 3 == 1 else "Y"
            charge = {
                **CARD,
                "mid": self.mid,
                "amount": 1000,
                "order_id": order_id,
                "capture": capture,
            }
            first = await self.send(http, "/api/v1/charge", charge, keyed)
            if not first.acknowledged or first.answer.get("result") != "A":
                continue
            trans_id = first.answer["trans_id"]
            if i % 3 == 1:
                follow = {"mid": self.mid, "trans_id": trans_id, "amount": 1000}
                await self.send(http, "/api/v1/capture", follow, keyed)
            elif i % 3 == 2:
                follow = {"mid": self.mid, "trans_id": trans_id, "amount": 300}
                await self.send(http, "/api/v1/void-or-refund", follow, keyed)

    async def retry_keyed(self, http: httpx.AsyncClient, seconds: float = 30) -> None:
        """Send every keyed request that got no final answer again, with its key."""
        deadline = asyncio.get_running_loop().time() + seconds
        for sent in self.sent:
            while sent.key is not None and (sent.status is None or sent.status in RETRY):
                assert asyncio.get_running_loop().time() < deadline, f"never answered: {sent}"
                await self.deliver(http, sent)
                if sent.status is None or sent.status in RETRY:
                    await asyncio.sleep(0.3)


async def check_nothing_lost_or_doubled(database_url: str, load: Load) -> None:
    """Every acknowledged or keyed charge exists exactly once, with the trans_id it was
    given; an unanswered unkeyed one at most once; no capture or refund was made twice."""
    engine = create_async_engine(Settings(database_url=database_url).async_database_url)
    try:
        async with engine.connect() as conn:
            merchant_id = (
                await conn.execute(
                    text("SELECT id FROM merchants WHERE mid = :mid"), {"mid": load.mid}
                )
            ).scalar_one()
            rows = (
                await conn.execute(
                    text(
                        "SELECT id, kind, order_id, parent_id, amount_authorized, amount_captured,"
                        " amount_refunded FROM transactions WHERE merchant_id = :m"
                    ),
                    {"m": merchant_id},
                )
            ).all()
    finally:
        await engine.dispose()
    charges = [r for r in rows if r.kind != "refund"]
    per_order = Counter(r.order_id for r in charges)
    for sent in load.sent:
        if sent.path != "/api/v1/charge":
            continue
        order_id = sent.body["order_id"]
        if sent.acknowledged:
            assert per_order[order_id] == 1, (sent, per_order[order_id])
            row = next(r for r in charges if r.order_id == order_id)
            assert str(row.id) == sent.answer["trans_id"]
        else:
            assert sent.key is None and per_order[order_id] <= 1, (sent, per_order[order_id])
    assert all(n == 1 for n in per_order.values()), per_order
    refunds = Counter(r.parent_id for r in rows if r.kind == "refund")
    assert all(n == 1 for n in refunds.values()), refunds
    for r in charges:
        assert r.amount_captured <= r.amount_authorized, r
        assert r.amount_refunded <= r.amount_captured, r
