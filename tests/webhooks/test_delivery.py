"""Delivery end to end: an event committed by the API reaches a real receiver, signed."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from pathlib import Path

import httpx
import orjson

from homerun.runtime import Runtime
from homerun.webhooks.dispatcher import deliver_due
from tests.conftest import MerchantAccess
from tests.helpers import charge, events
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import Hooks, deliveries, delivery, run_recipe_verifies


async def test_an_event_reaches_the_receiver_signed_as_run_signs(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    endpoint = await hooks.add(receiver.url(), mid=merchant.mid)
    secret = endpoint["secret"]
    assert len(secret) == 64 and int(secret, 16) >= 0
    sale = (await charge(client, merchant, amount="12.34", order_id="ORD-1")).json()
    assert receiver.received == []  # nothing is posted inside the request

    totals = await deliver_due(runtime)
    assert totals.delivered >= 1
    [got] = receiver.received
    [event] = [
        e for e in await events(client, merchant) if e["event_type"] == "transaction.entered"
    ]

    # The headers of spec §10, and a signature over the exact bytes that arrived.
    assert got.method == "POST"
    assert got.headers["content-type"] == "application/json"
    signature = got.headers["x-webhook-signature-256"]
    assert signature == "sha256=" + hmac.new(secret.encode(), got.body, hashlib.sha256).hexdigest()
    assert run_recipe_verifies(secret, got.body, signature)
    assert not run_recipe_verifies("0" * 64, got.body, signature)
    assert "x-webhook-signature-256-previous" not in got.headers

    # The envelope, in Run's key order, with a numeric source_id and a millisecond Z time.
    body = orjson.loads(got.body)
    assert list(body) == ["event_type", "source_id", "timestamp", "payload", "metadata"]
    [listed] = await deliveries(client, endpoint_id=endpoint["id"])
    assert body == {
        "event_type": "transaction.entered",
        "source_id": int(sale["trans_id"]),
        "timestamp": body["timestamp"],
        "payload": event["payload"],
        "metadata": {
            "webhook_id": listed["webhook_id"],
            "attempt": 1,
            "idempotency_key": listed["idempotency_key"],
        },
    }
    assert body["timestamp"].endswith("Z") and len(body["timestamp"]) == 24
    occurred = datetime.fromisoformat(event["timestamp"])
    sent = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
    assert sent == occurred.replace(microsecond=occurred.microsecond // 1000 * 1000)
    assert got.headers["x-idempotency-key"] == listed["idempotency_key"]
    assert listed["webhook_id"].startswith("wh_") and len(listed["idempotency_key"]) == 40
    assert {k: body["payload"][k] for k in ("trans_id", "mid", "order_id", "amount", "result")} == {
        "trans_id": sale["trans_id"],
        "mid": merchant.mid,
        "order_id": "ORD-1",
        "amount": "12.34",
        "result": "A",
    }
    assert body["payload"]["card_number"] == "**** **** **** 1111"

    done = await delivery(client, listed["webhook_id"])
    assert (done["state"], done["attempts"], done["last_status"], done["last_error"]) == (
        "delivered",
        1,
        200,
        None,
    )
    assert done["last_response"] == "ok" and done["next_attempt_at"] is None

    # Delivered means done: another run posts nothing.
    await deliver_due(runtime)
    assert len(receiver.received) == 1


def documented_recipe() -> str:
    """The Python receiver of docs/webhooks.md, as written there."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    return doc.split("```python\n", 1)[1].split("```", 1)[0]


async def test_the_documented_python_receiver_accepts_a_delivery_once(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    endpoint = await hooks.add(receiver.url(), mid=merchant.mid)
    await charge(client, merchant)
    await deliver_due(runtime)
    [got] = receiver.received
    processed: list[tuple[str, dict[str, object]]] = []
    namespace: dict[str, object] = {}
    exec(documented_recipe(), namespace)  # noqa: S102 - our own documentation
    namespace["SECRETS"] = [endpoint["secret"]]
    namespace["process"] = lambda kind, payload: processed.append((kind, payload))
    handle = namespace["handle"]
    assert callable(handle)
    seen: set[str] = set()
    assert handle(got.body, got.headers, seen) == 200
    assert handle(got.body, got.headers, seen) == 200  # a repeat is taken, not processed
    assert processed == [("transaction.entered", got.json["payload"])]
    assert handle(got.body + b" ", got.headers, seen) == 401  # one byte more
    namespace["SECRETS"] = ["f" * 64]
    assert handle(got.body, got.headers, set()) == 401
