"""The Boarding API's endpoints: shapes, paging, `q`, authentication and tenancy."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.boarding.support import (
    API,
    PARTNERS,
    PartnerAccess,
    application,
    boarding_token,
    create,
    create_ok,
    events,
    full_application,
    get_merchant,
    make_partner,
    unique,
)
from tests.conftest import ADMIN
from tests.oauth.support import access_token, make_client

LIST_FIELDS = {
    "merchant_id",
    "platform",
    "rep_code",
    "customer_id",
    "mid",
    "dba_name",
    "legal_name",
    "merchant_status",
    "merchant_status_id",
    "pended",
    "merchant_type_id",
    "external_crm_id",
    "custom_01",
}


async def listing(
    client: httpx.AsyncClient, partner: PartnerAccess, path: str = "merchants", **params: Any
) -> httpx.Response:
    return await client.get(f"{API}/{path}", params=params, headers=partner.headers)


# ---- create and get ----------------------------------------------------------------------


async def test_create_answers_an_integer_merchant_id(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    answer = await create(client, partner, application(partner))
    assert answer.status_code == 201
    body = answer.json()
    assert list(body) == ["merchant_id"] and isinstance(body["merchant_id"], int)


async def test_get_reports_every_field_as_sent(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    merchant_id = (await create(client, partner, full_application(partner))).json()["merchant_id"]
    got = await get_merchant(client, partner, merchant_id)
    assert set(got) >= LIST_FIELDS
    assert got["merchant_id"] == merchant_id and got["customer_id"] == merchant_id
    assert got["platform"] == "payroc" and got["rep_code"] == partner.rep_code
    assert (got["merchant_status"], got["merchant_status_id"]) == ("new", 1)
    assert got["mid"] is None and got["pended"] == 0
    assert got["merchant_type_id"] == 3  # card products and ACH
    assert got["dba_name"] == "Green Leaf Cafe"
    assert got["legal_name"] == "Sunshine Coffee Roasters LLC"
    assert got["tax_id"] == "12-3456789" and got["years_in_business"] == 5
    assert got["website"] == "https://www.sunshinecoffee.com" and got["phone"] == "555-123-4567"
    assert got["mcc_code"] == "5812"
    assert got["annual_volume"] == 1200000 and isinstance(got["annual_volume"], int)
    assert got["average_ticket"] == 25.5 and got["highest_ticket"] == 400
    assert (got["in_person_pct"], got["online_pct"], got["telephone_pct"]) == (70, 25, 5)
    assert got["ownership_type"] == "llc"
    assert got["seasonal"] is True and got["seasonal_months"] == "10:11:12"
    assert got["signer_dob"] == "04/15/1980" and got["signer_state"] == "CO"
    assert got["signer_ownership_pct"] == 100
    assert got["addresses"][0] == {
        "type": "business",
        "address1": "100 Main St",
        "address2": "Suite 2",
        "city": "Denver",
        "state": "CO",
        "zip": "80202-1234",
        "country": "US",
    }
    assert got["bank_account"] == {
        "routing_number": "021000021",
        "account_number": "****6789",
        "account_type": "checking",
        "bank_name": "JPMorgan Chase",
        "account_holder_name": "Sunshine Coffee Roasters LLC",
    }
    assert got["pricing"]["pricing_type"] == "interchange_plus"
    assert got["pricing"]["discount_rate"] == 0.25 and got["pricing"]["per_item_fee"] == 0.1
    assert got["pricing"]["surcharge_rate"] == 3
    assert got["fees"]["monthly_fee"] == 9.95 and got["fees"]["pci_compliance_fee"] == 79
    assert got["fees"]["annual_fee"] is None
    assert [p["product"] for p in got["products"]] == ["gateway", "terminal", "ach"]
    assert got["products"][1] == {"product": "terminal", "quantity": 2, "model": "PAX A920"}
    assert got["external_crm_id"] == "CRM-2024-0001" and got["custom_01"] == "Priority client"
    assert got["auto_send_for_signature"] == "N"
    assert "000123456789" not in json.dumps(got)  # the account number is never shown


async def test_merchant_type_follows_the_products(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    for products, expected in (
        (None, 1),
        ([{"product": "gateway"}], 1),
        ([{"product": "ach"}], 2),
        ([{"product": "ach"}, {"product": "hosted_payment_page"}], 3),
    ):
        merchant_id = await create_ok(client, partner, products=products)
        assert (await get_merchant(client, partner, merchant_id))["merchant_type_id"] == expected


async def test_create_records_merchant_new_with_the_spec_payload(
    client: httpx.AsyncClient,
) -> None:
    partner = await make_partner(client)
    merchant_id = await create_ok(client, partner, external_crm_id="CRM-9", custom_01="vip")
    [event] = await events(client, merchant_id)
    assert event["event_type"] == "merchant.new" and event["source_id"] == str(merchant_id)
    payload = event["payload"]
    assert set(payload) == {
        "merchant_id",
        "event_table_pk",
        "mid",
        "rep_code_id",
        "customer_id",
        "dba_name",
        "merchant_status_id",
        "external_crm_id",
        "custom_01",
        "timestamp",
    }
    assert payload["merchant_id"] == payload["event_table_pk"] == merchant_id
    assert payload["rep_code_id"] == partner.rep_code_id
    assert payload["customer_id"] == merchant_id and payload["mid"] is None
    assert payload["merchant_status_id"] == 1 and payload["dba_name"] == "Green Leaf Cafe"
    assert (payload["external_crm_id"], payload["custom_01"]) == ("CRM-9", "vip")
    assert payload["timestamp"].endswith("+00:00") and "." in payload["timestamp"]


async def test_a_customer_can_have_a_second_application(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    first = await create_ok(client, partner)
    second = await create_ok(client, partner, customer_id=first, dba_name="Green Leaf Two")
    assert (await get_merchant(client, partner, second))["customer_id"] == first


async def test_create_with_an_idempotency_key_replays(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    headers = {**partner.headers, "Idempotency-Key": unique("key-")}
    body = application(partner)
    first = await client.post(f"{API}/merchants", json=body, headers=headers)
    again = await client.post(f"{API}/merchants", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_create_refuses_a_body_that_is_not_json(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    answer = await client.post(
        f"{API}/merchants",
        content=b"{not json",
        headers={**partner.headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and "body" in answer.json()["errors"]
    answer = await client.post(f"{API}/merchants", json=[1, 2], headers=partner.headers)
    assert answer.status_code == 400


async def test_get_of_a_missing_or_malformed_merchant_id(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    missing = await client.get(f"{API}/merchants/999999999", headers=partner.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    malformed = await client.get(f"{API}/merchants/mrc_8f3b2a1c", headers=partner.headers)
    assert malformed.status_code == 400 and "merchant_id" in malformed.json()["errors"]


# ---- the list ----------------------------------------------------------------------------


async def test_list_is_an_ords_envelope_with_paging_links(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    ids = [await create_ok(client, partner, dba_name=f"Shop {n}") for n in range(3)]
    first = (await listing(client, partner, limit=2)).json()
    assert set(first) == {"items", "hasMore", "limit", "offset", "count", "links"}
    assert [i["merchant_id"] for i in first["items"]] == ids[:2]
    assert (first["hasMore"], first["limit"], first["offset"], first["count"]) == (True, 2, 0, 2)
    rels = {link["rel"]: link["href"] for link in first["links"]}
    assert set(rels) == {"self", "first", "next"}
    assert rels["next"].endswith(f"{API}/merchants?limit=2&offset=2")
    assert rels["next"].startswith("http")
    second = (await listing(client, partner, limit=2, offset=2)).json()
    assert [i["merchant_id"] for i in second["items"]] == ids[2:]
    assert (second["hasMore"], second["count"]) == (False, 1)
    assert {link["rel"] for link in second["links"]} == {"self", "first", "prev"}
    item = second["items"][0]
    assert set(item) == LIST_FIELDS
    assert item["merchant_status"] == "new" and item["merchant_status_id"] == 1
    default = (await listing(client, partner)).json()
    assert default["limit"] == 25 and default["offset"] == 0 and default["count"] == 3


async def test_list_limits(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    assert (await listing(client, partner, limit=50000)).json()["limit"] == 10000
    for bad in ("abc", "-1", "2.5"):
        answer = await listing(client, partner, limit=bad)
        assert answer.status_code == 400 and "limit" in answer.json()["errors"]
    zero = await listing(client, partner, limit=0)
    assert zero.status_code == 400 and "limit" in zero.json()["errors"]
    answer = await listing(client, partner, offset="x")
    assert answer.status_code == 400 and "offset" in answer.json()["errors"]


async def test_q_filters_on_list_fields(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    a = await create_ok(client, partner, dba_name="Alpha Bakery", external_crm_id="CRM-A")
    b = await create_ok(client, partner, dba_name="Beta Books", platform="Fiserv")
    c = await create_ok(client, partner, dba_name="Gamma Garage")

    async def ids(q: dict[str, Any]) -> list[int]:
        answer = await listing(client, partner, q=json.dumps(q))
        assert answer.status_code == 200, answer.text
        return [i["merchant_id"] for i in answer.json()["items"]]

    assert await ids({"dba_name": "Alpha Bakery"}) == [a]
    assert await ids({"platform": "FISERV"}) == [b]
    assert await ids({"platform": "payroc", "dba_name": "Gamma Garage"}) == [c]
    assert await ids({"external_crm_id": "CRM-A"}) == [a]
    assert await ids({"merchant_status": "new"}) == [a, b, c]
    assert await ids({"merchant_status_id": 1}) == [a, b, c]
    assert await ids({"merchant_status_id": 5}) == []
    assert await ids({"merchant_id": b}) == [b]
    assert await ids({"customer_id": c}) == [c]
    assert await ids({"rep_code": partner.rep_code, "$orderby": {"merchant_id": "desc"}}) == [
        c,
        b,
        a,
    ]
    assert await ids({"dba_name": {"$like": "%B%"}}) == [a, b]
    assert await ids({"mid": {"$null": None}}) == [a, b, c]


async def test_a_bad_q_is_a_400_that_says_why(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    unknown = await listing(client, partner, q=json.dumps({"favourite_colour": "red"}))
    assert unknown.status_code == 400
    assert "q.favourite_colour" in unknown.json()["errors"]
    malformed = await listing(client, partner, q="{dba_name:")
    assert malformed.status_code == 400 and "q" in malformed.json()["errors"]
    wrong_type = await listing(client, partner, q=json.dumps({"merchant_id": "abc"}))
    assert wrong_type.status_code == 400 and "q.merchant_id" in wrong_type.json()["errors"]


# ---- utilities ---------------------------------------------------------------------------


async def test_rep_codes_are_the_partner_s(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    extra = await client.post(
        f"{PARTNERS}/{partner.partner_id}/rep_codes",
        json={"rep_code": unique("R2"), "name": "Second"},
        headers=ADMIN,
    )
    assert extra.status_code == 201
    body = (await listing(client, partner, "rep_codes")).json()
    assert [i["rep_code"] for i in body["items"]] == [partner.rep_code, extra.json()["rep_code"]]
    assert body["items"][0] == {
        "rep_code_id": partner.rep_code_id,
        "rep_code": partner.rep_code,
        "name": "Rep",
    }
    assert body["count"] == 2 and body["hasMore"] is False
    one = await listing(client, partner, "rep_codes", q=json.dumps({"name": "Second"}))
    assert [i["name"] for i in one.json()["items"]] == ["Second"]
    bad = await listing(client, partner, "rep_codes", q=json.dumps({"partner": 1}))
    assert bad.status_code == 400


async def test_mcc_lists_every_code_with_its_description(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    first = (await listing(client, partner, "mcc")).json()
    assert first["count"] == 25 and first["hasMore"] is True
    assert first["items"][0] == {"mcc_code": "0742", "description": "Veterinary Services"}
    everything = (await listing(client, partner, "mcc", limit=10000)).json()
    assert everything["count"] > 800 and everything["hasMore"] is False
    codes = [i["mcc_code"] for i in everything["items"]]
    assert codes == sorted(codes) and "5812" in codes
    one = (await listing(client, partner, "mcc", q=json.dumps({"mcc_code": "5812"}))).json()
    assert one["items"] == [{"mcc_code": "5812", "description": "Eating Places and Restaurants"}]
    liked = await listing(
        client, partner, "mcc", q=json.dumps({"description": {"$instr": "Restaurants"}})
    )
    assert {"5812", "5814"} <= {i["mcc_code"] for i in liked.json()["items"]}
    ranged = await listing(
        client,
        partner,
        "mcc",
        q=json.dumps(
            {"mcc_code": {"$between": ["5811", "5814"]}, "$orderby": {"mcc_code": "desc"}}
        ),
    )
    assert [i["mcc_code"] for i in ranged.json()["items"]] == ["5814", "5813", "5812", "5811"]
    paged = (await listing(client, partner, "mcc", limit=5, offset=5)).json()
    assert [i["mcc_code"] for i in paged["items"]] == codes[5:10]
    bad = await listing(client, partner, "mcc", q=json.dumps({"code": "5812"}))
    assert bad.status_code == 400 and "q.code" in bad.json()["errors"]


# ---- authentication ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["merchants", "merchants/1", "rep_codes", "mcc"])
async def test_every_endpoint_needs_a_boarding_token(client: httpx.AsyncClient, path: str) -> None:
    bare = await client.get(f"{API}/{path}")
    assert bare.status_code == 401 and bare.headers["WWW-Authenticate"].startswith("Bearer")
    garbage = await client.get(f"{API}/{path}", headers={"Authorization": "Bearer nonsense"})
    assert garbage.status_code == 401 and garbage.json()["code"] == "invalid_token"
    admin = await client.get(f"{API}/{path}", headers=ADMIN)
    assert admin.status_code == 401
    reporting = await make_client(client, audience="reporting")
    token = await access_token(client, reporting)
    refused = await client.get(f"{API}/{path}", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and "boarding" in refused.json()["message"]


async def test_create_needs_a_boarding_token(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    answer = await client.post(f"{API}/merchants", json=application(partner))
    assert answer.status_code == 401


async def test_a_revoked_client_is_refused(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    revoked = await client.delete(f"/homerun/v1/oauth/clients/{partner.client_id}", headers=ADMIN)
    assert revoked.status_code == 200
    answer = await listing(client, partner)
    assert answer.status_code == 401 and answer.json()["code"] == "invalid_token"
    assert (await create(client, partner, application(partner))).status_code == 401


async def test_a_client_of_no_partner_sees_nothing_and_boards_nothing(
    client: httpx.AsyncClient,
) -> None:
    partner = await make_partner(client)
    await create_ok(client, partner)
    loose = await make_client(client, audience="boarding", name="No partner")
    token = await boarding_token(client, loose.client_id, loose.client_secret)
    headers = {"Authorization": f"Bearer {token}"}
    body = (await client.get(f"{API}/merchants", headers=headers)).json()
    assert body["items"] == [] and body["count"] == 0
    assert (await client.get(f"{API}/rep_codes", headers=headers)).json()["items"] == []
    answer = await client.post(f"{API}/merchants", json=application(partner), headers=headers)
    assert answer.status_code == 400 and "rep_code" in answer.json()["errors"]


# ---- tenancy -----------------------------------------------------------------------------


async def test_two_partners_never_see_each_other(client: httpx.AsyncClient) -> None:
    one, two = await make_partner(client), await make_partner(client)
    mine = await create_ok(client, one, dba_name="One's Shop")
    theirs = await create_ok(client, two, dba_name="Two's Shop")
    for partner, own, other in ((one, mine, theirs), (two, theirs, mine)):
        items = (await listing(client, partner, limit=10000)).json()["items"]
        assert [i["merchant_id"] for i in items] == [own]
        assert (
            await client.get(f"{API}/merchants/{other}", headers=partner.headers)
        ).status_code == 404
        filtered = await listing(client, partner, q=json.dumps({"merchant_id": other}))
        assert filtered.json()["items"] == []
        reps = (await listing(client, partner, "rep_codes")).json()["items"]
        assert [r["rep_code"] for r in reps] == [partner.rep_code]
    answer = await create(client, one, application(one, rep_code=two.rep_code))
    assert answer.status_code == 400 and "rep_code" in answer.json()["errors"]


async def test_a_parent_partner_sees_its_children_s_merchants(
    client: httpx.AsyncClient,
) -> None:
    parent = await make_partner(client)
    child = await make_partner(client, parent=parent.partner_id)
    sibling = await make_partner(client)
    from_child = await create_ok(client, child)
    from_parent = await create_ok(client, parent)
    # the parent may board on its child's rep code; the merchant is then the child's
    on_child_code = await create_ok(client, parent, rep_code=child.rep_code)
    await create_ok(client, sibling)

    async def seen(partner: PartnerAccess) -> list[int]:
        items = (await listing(client, partner, limit=10000)).json()["items"]
        return [i["merchant_id"] for i in items]

    assert await seen(parent) == [from_child, from_parent, on_child_code]
    assert await seen(child) == [from_child, on_child_code]
    reps = (await listing(client, parent, "rep_codes")).json()["items"]
    assert {r["rep_code"] for r in reps} == {parent.rep_code, child.rep_code}
    refused = await create(client, child, application(child, rep_code=parent.rep_code))
    assert refused.status_code == 400
    assert (
        await client.get(f"{API}/merchants/{from_parent}", headers=child.headers)
    ).status_code == 404
