"""Every event type Homerun sends, made by real flows, accepted by a receiver written to
Run's recipe: verify `sha256=` HMAC of the raw body, dedupe on the idempotency key."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx

from homerun.runtime import Runtime
from homerun.webhooks.catalogue import EVENT_TYPES, MERCHANT
from homerun.webhooks.dispatcher import deliver_due
from tests.ach.helpers import ach_sale
from tests.boarding.support import act_ok, create_ok, make_partner
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import charge, post
from tests.webhooks.receiver import Received, Receiver, Reply
from tests.webhooks.support import Hooks, advance, deliveries


class RunRecipeReceiver:
    """What an integrator following Run's docs writes (one per endpoint secret)."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}  # path -> secret
        self.processed: dict[str, dict[str, Any]] = {}  # idempotency key -> envelope
        self.rejected = 0
        self.duplicates = 0

    def __call__(self, request: Received) -> Reply:
        secret = self.secrets[request.path.rsplit("/", 1)[-1]]
        header = request.headers.get("x-webhook-signature-256", "")
        digest = hmac.new(secret.encode("utf-8"), request.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(f"sha256={digest}", header):
            self.rejected += 1
            return Reply(401, b"bad signature")
        envelope = request.json
        key = request.headers["x-idempotency-key"]
        assert key == envelope["metadata"]["idempotency_key"]
        if key in self.processed:
            self.duplicates += 1
        else:
            self.processed[key] = envelope
        return Reply(200)


async def ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_every_event_type_is_accepted_by_a_receiver_written_to_runs_recipe(
    client: httpx.AsyncClient, runtime: Runtime, receiver: Receiver, hooks: Hooks
) -> None:
    recipe = RunRecipeReceiver()
    receiver.handler = recipe
    parent = await make_partner(client)
    child = await make_partner(client, parent=parent.partner_id)
    partner_hook = await hooks.add(receiver.url("partner"), partner_id=parent.partner_id)
    recipe.secrets["partner"] = partner_hook["secret"]

    # Boarding: one application all the way to live (it becomes the merchant below), one
    # cancelled and deleted, one declined.
    boarded = await create_ok(client, child)
    await act_ok(client, boarded, "send_for_signature", "sign", "approve", "go_live")
    withdrawn = await create_ok(client, child)
    await act_ok(client, withdrawn, "send_for_signature", "cancel", "delete")
    declined = await create_ok(client, child)
    await act_ok(client, declined, "send_for_signature", "sign", "decline")

    app = await ok(await client.get(f"/homerun/v1/boarding/merchants/{boarded}", headers=ADMIN))
    mid = app["mid"]
    creds = await ok(await client.post(f"/homerun/v1/merchants/{mid}/credentials", headers=ADMIN))
    m = MerchantAccess(mid, creds["api_key"], creds["refresh_token"], creds["public_key"], 0)
    merchant_hook = await hooks.add(receiver.url("merchant"), mid=mid)
    recipe.secrets["merchant"] = merchant_hook["secret"]

    # Payments: approved, declined, rejected, captured, voided, refunded in full and in part.
    sale = await ok(await charge(client, m, amount="40.00", capture="Y", cvn="123"))
    assert sale["result"] == "A"
    other = await ok(await charge(client, m, amount="30.00", capture="Y", cvn="123"))
    third = await ok(await charge(client, m, amount="20.00", capture="Y", cvn="123"))
    assert (await ok(await charge(client, m, account_token="4000000000009995")))["result"] == "C"
    await ok(await charge(client, m, expiration="01/20"))
    held = await ok(await charge(client, m, amount="15.00", capture="N"))
    await ok(await post(client, m, "/api/v1/capture", trans_id=held["trans_id"]))
    voided = await ok(await charge(client, m, amount="9.00", capture="N"))
    await ok(await post(client, m, "/api/v1/void", trans_id=voided["trans_id"]))
    await ok(await client.post(f"/homerun/v1/merchants/{mid}/batches/close", headers=ADMIN))
    await ok(await post(client, m, "/api/v1/refund", trans_id=sale["trans_id"]))
    await ok(await post(client, m, "/api/v1/refund", trans_id=other["trans_id"], amount="5.00"))

    # ACH: the merchant takes bank accounts too; one payment returned, one with a change.
    await ok(
        await client.patch(f"/homerun/v1/merchants/{mid}", json={"accepts": "both"}, headers=ADMIN)
    )
    ach_sales = [await ach_sale(client, m, 1200) for _ in range(2)]
    await ok(await client.post(f"/homerun/v1/merchants/{mid}/ach/originate", headers=ADMIN))
    for trans_id, code in zip(ach_sales, ("R01", "C01"), strict=True):
        await ok(
            await client.post(
                f"/homerun/v1/merchants/{mid}/transactions/{trans_id}/ach-return",
                json={"return_code": code},
                headers=ADMIN,
            )
        )

    # Settlement: chargebacks opened and decided, and a deposit a few days on.
    opened = []
    for trans_id in (other["trans_id"], third["trans_id"]):
        cb = await ok(
            await client.post(
                "/homerun/v1/chargebacks", json={"mid": mid, "trans_id": trans_id}, headers=ADMIN
            )
        )
        opened.append(cb["chargeback_id"])
    await ok(await client.post(f"/homerun/v1/chargebacks/{opened[0]}/win", headers=ADMIN))
    await ok(await client.post(f"/homerun/v1/chargebacks/{opened[1]}/lose", headers=ADMIN))
    await advance(client, seconds=7 * 86400)

    await deliver_due(runtime)
    assert recipe.rejected == 0 and recipe.duplicates == 0
    got = {e["event_type"] for e in recipe.processed.values()}
    emitted = {t.name for t in EVENT_TYPES if t.emitted}
    assert got == emitted

    # Each endpoint got what its owner should: the partner above the boarding partner its
    # applications' events and its merchant's; the merchant its own, no boarding events.
    def types_at(path: str) -> set[str]:
        return {r.json["event_type"] for r in receiver.on(path) if r.headers}

    assert types_at("merchant") == {
        t.name for t in EVENT_TYPES if t.emitted and t.audience == MERCHANT
    }
    assert types_at("partner") == emitted
    for hook in (partner_hook, merchant_hook):
        states = {d["state"] for d in await deliveries(client, endpoint_id=hook["id"])}
        assert states == {"delivered"}

    # source_id: a number for payments and chargebacks, a string for boarding and funding.
    for envelope in recipe.processed.values():
        family = envelope["event_type"].split(".")[0]
        expected = int if family in ("transaction", "chargeback") else str
        assert isinstance(envelope["source_id"], expected), envelope
    [funding] = [e for e in recipe.processed.values() if e["event_type"] == "funding.entered"][:1]
    assert funding["source_id"].startswith("F") and funding["payload"]["mid"] == mid
    new = [e for e in recipe.processed.values() if e["event_type"] == "merchant.new"]
    assert sorted(e["source_id"] for e in new) == sorted(
        str(n) for n in (boarded, withdrawn, declined)
    )
