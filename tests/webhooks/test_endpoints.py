"""/homerun/v1/webhooks: registering, changing, rotating and deleting endpoints."""

from __future__ import annotations

import httpx

from homerun.runtime import Runtime
from homerun.webhooks.dispatcher import deliver_due
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge
from tests.webhooks.receiver import Receiver, always
from tests.webhooks.support import (
    DELIVERIES,
    ENDPOINTS,
    Hooks,
    advance,
    deliveries,
    run_recipe_verifies,
)

EVENT_TYPES = "/homerun/v1/webhooks/event-types"


async def test_an_endpoint_is_registered_read_changed_and_deleted(
    client: httpx.AsyncClient, merchant: MerchantAccess, receiver: Receiver, hooks: Hooks
) -> None:
    made = await hooks.add(
        receiver.url(), mid=merchant.mid, event_types=["transaction.*", "funding.entered"]
    )
    secret = made.pop("secret")
    assert len(secret) == 64 and all(c in "0123456789abcdef" for c in secret)
    assert made == {
        "id": made["id"],
        "mid": merchant.mid,
        "partner_id": None,
        "url": receiver.url(),
        "event_types": ["transaction.*", "funding.entered"],
        "enabled": True,
        "description": None,
        "secret_last4": secret[-4:],
        "previous_secret_expires_at": None,
        "created_at": made["created_at"],
        "updated_at": made["created_at"],
    }
    path = f"{ENDPOINTS}/{made['id']}"
    read = await client.get(path, headers=ADMIN)
    assert read.status_code == 200 and read.json() == made  # the secret is never shown again
    listed = await client.get(ENDPOINTS, params={"mid": merchant.mid}, headers=ADMIN)
    assert listed.json() == {"items": [made]}

    changed = await client.patch(
        path,
        json={"enabled": "N", "event_types": ["*"], "description": "ERP", "url": receiver.url("2")},
        headers=ADMIN,
    )
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in ("enabled", "event_types", "description", "url")} == {
        "enabled": False,
        "event_types": ["*"],
        "description": "ERP",
        "url": receiver.url("2"),
    }
    refused = await client.patch(path, json={"url": "http://10.0.0.1/"}, headers=ADMIN)
    assert refused.status_code == 400
    assert (await client.get(path, headers=ADMIN)).json()["url"] == receiver.url("2")

    assert (await client.delete(path, headers=ADMIN)).status_code == 204
    assert (await client.get(path, headers=ADMIN)).status_code == 404
    assert (await client.delete(path, headers=ADMIN)).status_code == 404
    listed = await client.get(ENDPOINTS, params={"mid": merchant.mid}, headers=ADMIN)
    assert listed.json() == {"items": []}


async def test_registration_faults_name_their_field_and_change_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess, receiver: Receiver
) -> None:
    url = receiver.url()
    cases = [
        ({"url": url}, 400, "send exactly one of mid (a merchant) or partner_id (a partner)"),
        ({"url": url, "mid": merchant.mid, "partner_id": 1}, 400, None),
        ({"mid": merchant.mid}, 400, "url: is required"),
        ({"url": url, "mid": "999999999999"}, 404, None),
        ({"url": url, "partner_id": 999999999}, 404, "partner 999999999 not found"),
        ({"url": url, "mid": merchant.mid, "event_types": []}, 400, None),
        ({"url": url, "mid": merchant.mid, "event_types": ["transaction.processed"]}, 400, None),
        ({"url": url, "mid": merchant.mid, "event_types": ["merchant.new"]}, 400, None),
        ({"url": url, "mid": merchant.mid, "event_types": ["nothing.*"]}, 400, None),
        ({"url": url, "mid": merchant.mid, "enabled": "maybe"}, 400, None),
    ]
    for body, status, message in cases:
        answer = await client.post(ENDPOINTS, json=body, headers=ADMIN)
        assert answer.status_code == status, (body, answer.text)
        if message is not None:
            assert message in answer.json()["message"], answer.text
    problem = await client.post(
        ENDPOINTS,
        json={"url": url, "mid": merchant.mid, "event_types": ["merchant.new"]},
        headers=ADMIN,
    )
    assert problem.json()["errors"] == {
        "event_types": ["'merchant.new' is a boarding event: only partner endpoints receive those"]
    }
    listed = await client.get(ENDPOINTS, params={"mid": merchant.mid}, headers=ADMIN)
    assert listed.json() == {"items": []}
    assert (await client.post(ENDPOINTS, json={"url": url, "mid": merchant.mid})).status_code == 401


async def test_the_event_type_list(client: httpx.AsyncClient) -> None:
    answer = await client.get(EVENT_TYPES, headers=ADMIN)
    assert answer.status_code == 200
    items = {item["event_type"]: item for item in answer.json()["items"]}
    assert items["transaction.entered"] == {
        "event_type": "transaction.entered",
        "audience": "merchant",
        "origin": "run",
        "emitted": True,
        "meaning": "a charge was approved",
    }
    assert items["boarding.varcomplete"]["emitted"] is False
    assert items["transaction.void"]["origin"] == "homerun"
    run_names = {
        "transaction.entered",
        "transaction.decline",
        "transaction.refund",
        "transaction.partialrefund",
        "transaction.reject",
        "chargeback.entered",
        "funding.entered",
        "statement.entered",
        "merchant.new",
        "merchant.sent_for_signature",
        "merchant.signed",
        "merchant.in_underwriting",
        "merchant.boarded",
        "merchant.live",
        "merchant.cancelled",
        "merchant.declined",
        "merchant.unknown",
        "merchant.deleted",
        "boarding.varcomplete",
    }
    assert {name for name, item in items.items() if item["origin"] == "run"} == run_names


async def test_disabled_endpoints_and_unwanted_types_get_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_merchant: MerchantFactory,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    m = await make_merchant()
    await charge(client, m)  # before any endpoint: never delivered
    off = await hooks.add(receiver.url("off"), mid=m.mid, enabled=False)
    declines = await hooks.add(
        receiver.url("declines"), mid=m.mid, event_types=["transaction.decline"]
    )
    await charge(client, m)
    await charge(client, m, account_token="4000000000009995")
    await deliver_due(runtime)
    assert receiver.on("off") == []
    assert [r.json["event_type"] for r in receiver.on("declines")] == ["transaction.decline"]
    assert await deliveries(client, endpoint_id=off["id"]) == []
    assert len(await deliveries(client, endpoint_id=declines["id"])) == 1


async def test_a_rotated_secret_signs_beside_the_previous_one_for_the_overlap(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    made = await hooks.add(receiver.url(), mid=merchant.mid)
    old = made["secret"]
    rotate = f"{ENDPOINTS}/{made['id']}/rotate-secret"
    answer = await client.post(rotate, json={"overlap_seconds": 600}, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    new = answer.json()["secret"]
    assert new != old and answer.json()["secret_last4"] == new[-4:]
    assert answer.json()["previous_secret_expires_at"] is not None

    await charge(client, merchant)
    await deliver_due(runtime)
    [during] = receiver.received
    newest = during.headers["x-webhook-signature-256"]
    previous = during.headers["x-webhook-signature-256-previous"]
    assert run_recipe_verifies(new, during.body, newest)  # Run's recipe, newest secret
    assert run_recipe_verifies(old, during.body, previous)  # a receiver not yet switched
    assert not run_recipe_verifies(old, during.body, newest)

    await advance(client, seconds=601)
    await charge(client, merchant)
    await deliver_due(runtime)
    after = receiver.received[1]
    assert run_recipe_verifies(new, after.body, after.headers["x-webhook-signature-256"])
    assert "x-webhook-signature-256-previous" not in after.headers
    read = await client.get(f"{ENDPOINTS}/{made['id']}", headers=ADMIN)
    assert read.json()["previous_secret_expires_at"] is None

    # No overlap: the old secret stops at once; an empty body takes the setting's default.
    answer = await client.post(rotate, json={"overlap_seconds": 0}, headers=ADMIN)
    newer = answer.json()["secret"]
    await charge(client, merchant)
    await deliver_due(runtime)
    last = receiver.received[2]
    assert run_recipe_verifies(newer, last.body, last.headers["x-webhook-signature-256"])
    assert "x-webhook-signature-256-previous" not in last.headers
    answer = await client.post(rotate, headers=ADMIN)
    assert answer.status_code == 200 and answer.json()["previous_secret_expires_at"] is not None
    assert (
        await client.post(f"{ENDPOINTS}/999999/rotate-secret", headers=ADMIN)
    ).status_code == 404


async def test_deleting_an_endpoint_fails_what_it_had_pending(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    receiver.handler = always(500)
    made = await hooks.add(receiver.url(), mid=merchant.mid)
    await charge(client, merchant)
    await deliver_due(runtime)
    [pending] = await deliveries(client, endpoint_id=made["id"])
    assert pending["state"] == "pending"
    await client.delete(f"{ENDPOINTS}/{made['id']}", headers=ADMIN)
    [gone] = await deliveries(client, endpoint_id=made["id"])
    assert (gone["state"], gone["last_error"]) == ("failed", "not sent: the endpoint was deleted")
    again = await client.post(f"{DELIVERIES}/{gone['webhook_id']}/resend", headers=ADMIN)
    assert again.status_code == 409 and "deleted" in again.json()["message"]
    await advance(client, seconds=120)
    await deliver_due(runtime)
    assert len(receiver.received) == 1
    missing = await client.get(f"{DELIVERIES}/wh_0000000000000000", headers=ADMIN)
    assert missing.status_code == 404
    assert (await client.get(f"{DELIVERIES}/nonsense", headers=ADMIN)).status_code == 400


async def test_deliveries_list_by_state_and_page(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    made = await hooks.add(receiver.url(), mid=merchant.mid)
    for _ in range(3):
        await charge(client, merchant)
    await deliver_due(runtime)
    everything = await deliveries(client, endpoint_id=made["id"])
    assert [d["state"] for d in everything] == ["delivered"] * 3
    page = await client.get(
        DELIVERIES, params={"endpoint_id": made["id"], "limit": 2}, headers=ADMIN
    )
    assert [d["webhook_id"] for d in page.json()["items"]] == [
        d["webhook_id"] for d in everything[:2]
    ]
    rest = await client.get(
        DELIVERIES,
        params={"endpoint_id": made["id"], "after_id": page.json()["next_after_id"]},
        headers=ADMIN,
    )
    assert [d["webhook_id"] for d in rest.json()["items"]] == [everything[2]["webhook_id"]]
    assert rest.json()["next_after_id"] is None
    assert await deliveries(client, endpoint_id=made["id"], state="failed") == []
    by_mid = await deliveries(client, mid=merchant.mid, event_type="transaction.entered")
    assert len(by_mid) == 3
    bad = await client.get(DELIVERIES, params={"state": "lost"}, headers=ADMIN)
    assert bad.status_code == 400
