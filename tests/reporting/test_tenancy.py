"""Tenancy: a reporting token sees the merchants its client is bound to, and nothing else.

Two merchants with rows in every collection; three clients (bound to the first, to the
second, to both) and one bound to none. Every endpoint is walked whole with each, including
with filters that try to name the other merchant's rows.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantFactory
from tests.helpers import charge
from tests.oauth.support import bearer, make_client
from tests.reporting.factory import Funded, fund

API = "/ords/sprint/api/3p/v1"
ENDPOINTS = ("transactions", "deposits", "chargebacks", "adjustments")
KEY = {"transactions": "trans_id", "deposits": "id", "chargebacks": "id", "adjustments": "id"}


async def walk(
    client: httpx.AsyncClient, headers: dict[str, str], endpoint: str, q: Any = None
) -> list[dict[str, Any]]:
    """Every item of the endpoint, following the `next` links page after page."""
    params: dict[str, Any] = {"limit": 2}
    if q is not None:
        params["q"] = orjson.dumps(q).decode()
    answer = await client.get(f"{API}/{endpoint}", headers=headers, params=params)
    items: list[dict[str, Any]] = []
    while True:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        if not nxt:
            return items
        link = urlsplit(nxt[0])
        answer = await client.get(f"{link.path}?{link.query}", headers=headers)


async def _merchant_with_money(
    client: httpx.AsyncClient, runtime: Runtime, make_merchant: MerchantFactory
) -> tuple[str, list[str], Funded]:
    merchant = await make_merchant()
    ids = []
    for amount in (1111, 2222, 3333):
        answer = await charge(client, merchant, amount=amount, order_id=f"SHARED-{amount}")
        ids.append(answer.json()["trans_id"])
    funded = await fund(runtime, merchant.mid, ids[:2])
    return merchant.mid, ids, funded


async def test_two_clients_never_see_each_others_rows(
    client: httpx.AsyncClient, runtime: Runtime, make_merchant: MerchantFactory
) -> None:
    mid_a, ids_a, funded_a = await _merchant_with_money(client, runtime, make_merchant)
    mid_b, ids_b, funded_b = await _merchant_with_money(client, runtime, make_merchant)
    alice = await bearer(client, await make_client(client, mid_a, name="Alice"))
    bob = await bearer(client, await make_client(client, mid_b, name="Bob"))
    both = await bearer(client, await make_client(client, mid_a, mid_b, name="Both"))
    nobody = await bearer(client, await make_client(client, name="Nobody"))

    seen: dict[str, dict[str, set[Any]]] = {}
    for name, headers in (("alice", alice), ("bob", bob), ("both", both)):
        seen[name] = {}
        for endpoint in ENDPOINTS:
            items = await walk(client, headers, endpoint)
            assert items, (name, endpoint)
            seen[name][endpoint] = {(i["mid"], i[KEY[endpoint]]) for i in items}
    for endpoint in ENDPOINTS:
        a, b, ab = seen["alice"][endpoint], seen["bob"][endpoint], seen["both"][endpoint]
        assert {mid for mid, _ in a} == {mid_a}, endpoint
        assert {mid for mid, _ in b} == {mid_b}, endpoint
        assert not a & b, endpoint
        assert ab == a | b, endpoint
        assert await walk(client, nobody, endpoint) == []

    assert {t for _, t in seen["alice"]["transactions"]} == set(ids_a)
    assert {t for _, t in seen["bob"]["transactions"]} == set(ids_b)

    # Filters that name the other merchant's rows find nothing.
    attempts: list[tuple[str, Any]] = [
        ("transactions", {"mid": mid_b}),
        ("transactions", {"mid": {"$in": [mid_a, mid_b]}}),
        ("transactions", {"mid": {"$ne": mid_a}}),
        ("transactions", {"mid": {"$like": "%"}, "$orderby": {"mid": "desc"}}),
        ("transactions", {"trans_id": {"$in": ids_b}}),
        ("transactions", {"$or": [{"mid": mid_b}, {"trans_id": ids_b[0]}]}),
        ("transactions", {"order_id": {"$like": "SHARED-%"}}),
        ("transactions", {"batch_id": funded_b.batch_id}),
        ("deposits", {"funding_master_id": funded_b.funding_master_id}),
        ("deposits", {"id": funded_b.deposit_id}),
        ("chargebacks", {"case_number": funded_b.case_number}),
        ("chargebacks", {"trans_id": ids_b[0]}),
        ("adjustments", {"funding_master_id": funded_b.funding_master_id}),
        ("adjustments", {"id": {"$in": funded_b.adjustment_ids}}),
    ]
    for endpoint, q in attempts:
        items = await walk(client, alice, endpoint, q)
        assert all(i["mid"] == mid_a for i in items), (endpoint, q)
        assert not {i[KEY[endpoint]] for i in items} & {k for _, k in seen["bob"][endpoint]}

    # Bob's own filters still work for Bob.
    found = await walk(client, bob, "deposits", {"funding_master_id": funded_b.funding_master_id})
    assert [d["id"] for d in found] == [funded_b.deposit_id]
    assert funded_a.funding_master_id != funded_b.funding_master_id


async def test_binding_is_read_at_request_time(
    client: httpx.AsyncClient, runtime: Runtime, make_merchant: MerchantFactory
) -> None:
    mid, ids, _ = await _merchant_with_money(client, runtime, make_merchant)
    oauth = await make_client(client, mid)
    headers = await bearer(client, oauth)
    assert {i["trans_id"] for i in await walk(client, headers, "transactions")} == set(ids)
    revoked = await client.delete(f"/homerun/v1/oauth/clients/{oauth.client_id}", headers=ADMIN)
    assert revoked.status_code == 200
    answer = await client.get(f"{API}/transactions", headers=headers)
    assert answer.status_code == 401
