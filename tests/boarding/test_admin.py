"""/homerun/v1/boarding: partners, rep codes, clients and templates; the demo partner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from homerun.app import create_app
from homerun.boarding import admin_answers
from homerun.config import Settings
from homerun.startup import create_demo_if_empty, open_runtime
from tests.boarding.support import (
    API,
    PARTNERS,
    act,
    application,
    boarding_token,
    create,
    create_ok,
    get_merchant,
    make_partner,
    unique,
)
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.oauth.support import make_client


async def new_partner(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    answer = await client.post(PARTNERS, json={"name": unique("P "), **body}, headers=ADMIN)
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


async def test_partners_are_created_listed_read_and_changed(client: httpx.AsyncClient) -> None:
    made = await new_partner(client, signature_delay_seconds=30)
    assert made["signature_delay_seconds"] == 30
    assert made["underwriting_delay_seconds"] == 3600 and made["go_live_delay_seconds"] == 3600
    assert made["parent_partner_id"] is None
    partner_id = made["partner_id"]
    listed = (await client.get(PARTNERS, headers=ADMIN)).json()["items"]
    assert partner_id in [p["partner_id"] for p in listed]
    changed = await client.patch(
        f"{PARTNERS}/{partner_id}",
        json={"name": "Renamed", "underwriting_delay_seconds": 10, "go_live_by_clock": False},
        headers=ADMIN,
    )
    assert changed.status_code == 200
    body = changed.json()
    assert body["name"] == "Renamed" and body["underwriting_delay_seconds"] == 10
    assert body["go_live_delay_seconds"] is None and body["signature_delay_seconds"] == 30
    again = await client.patch(
        f"{PARTNERS}/{partner_id}", json={"go_live_by_clock": "Y"}, headers=ADMIN
    )
    assert again.json()["go_live_delay_seconds"] == 3600
    read = (await client.get(f"{PARTNERS}/{partner_id}", headers=ADMIN)).json()
    assert read["name"] == "Renamed" and read["rep_codes"] == [] and read["clients"] == []
    child = await new_partner(client, parent_partner_id=partner_id)
    assert child["parent_partner_id"] == partner_id


async def test_partner_faults(client: httpx.AsyncClient) -> None:
    assert (await client.post(PARTNERS, json={"name": "x"})).status_code == 401
    assert (await client.get(PARTNERS)).status_code == 401
    no_name = await client.post(PARTNERS, json={}, headers=ADMIN)
    assert no_name.status_code == 400 and "name" in no_name.json()["errors"]
    orphan = await client.post(
        PARTNERS, json={"name": "x", "parent_partner_id": 99999999}, headers=ADMIN
    )
    assert orphan.status_code == 400 and "parent_partner_id" in orphan.json()["errors"]
    negative = await client.post(
        PARTNERS, json={"name": "x", "signature_delay_seconds": -1}, headers=ADMIN
    )
    assert negative.status_code == 400 and "signature_delay_seconds" in negative.json()["errors"]
    assert (await client.get(f"{PARTNERS}/99999999", headers=ADMIN)).status_code == 404
    patch = await client.patch(f"{PARTNERS}/99999999", json={"name": "y"}, headers=ADMIN)
    assert patch.status_code == 404
    assert (await client.get(f"{PARTNERS}/abc", headers=ADMIN)).status_code == 400


async def test_rep_codes(client: httpx.AsyncClient) -> None:
    partner_id = (await new_partner(client))["partner_id"]
    code = unique("RC")
    path = f"{PARTNERS}/{partner_id}/rep_codes"
    made = await client.post(path, json={"code": code}, headers=ADMIN)
    assert made.status_code == 201
    assert made.json() == {
        "rep_code_id": made.json()["rep_code_id"],
        "rep_code": code,
        "name": None,
        "partner_id": partner_id,
    }
    taken = await client.post(path, json={"rep_code": code}, headers=ADMIN)
    assert taken.status_code == 409 and "rep_code" in taken.json()["errors"]
    other = (await new_partner(client))["partner_id"]
    elsewhere = await client.post(
        f"{PARTNERS}/{other}/rep_codes", json={"rep_code": code}, headers=ADMIN
    )
    assert elsewhere.status_code == 409  # rep codes are unique across partners
    spaced = await client.post(path, json={"rep_code": "REP 1"}, headers=ADMIN)
    assert spaced.status_code == 400 and "rep_code" in spaced.json()["errors"]
    nowhere = await client.post(
        f"{PARTNERS}/99999999/rep_codes", json={"rep_code": unique("X")}, headers=ADMIN
    )
    assert nowhere.status_code == 404
    listed = (await client.get(path, headers=ADMIN)).json()["items"]
    assert [r["rep_code"] for r in listed] == [code]


async def test_clients_are_made_for_or_bound_to_a_partner(client: httpx.AsyncClient) -> None:
    partner_id = (await new_partner(client))["partner_id"]
    path = f"{PARTNERS}/{partner_id}/clients"
    made = await client.post(path, json={"name": "Integration"}, headers=ADMIN)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    body = made.json()
    assert body["audience"] == "boarding" and body["name"] == "Integration"
    assert body["partner_id"] == partner_id and body["client_secret"]
    assert await boarding_token(client, body["client_id"], body["client_secret"])
    loose = await make_client(client, audience="boarding", name="Bound later")
    bound = await client.post(path, json={"client_id": loose.client_id}, headers=ADMIN)
    assert bound.status_code == 201 and "client_secret" not in bound.json()
    again = await client.post(path, json={"client_id": loose.client_id}, headers=ADMIN)
    assert again.status_code == 201  # binding twice to the same partner changes nothing
    other = (await new_partner(client))["partner_id"]
    stolen = await client.post(
        f"{PARTNERS}/{other}/clients", json={"client_id": loose.client_id}, headers=ADMIN
    )
    assert stolen.status_code == 409 and "client_id" in stolen.json()["errors"]
    unknown = await client.post(path, json={"client_id": "boa_nope"}, headers=ADMIN)
    assert unknown.status_code == 400 and "client_id" in unknown.json()["errors"]
    bad = await client.post(path, json={"audience": "payments"}, headers=ADMIN)
    assert bad.status_code == 400 and "audience" in bad.json()["errors"]
    listed = (await client.get(path, headers=ADMIN)).json()["items"]
    assert [c["client_id"] for c in listed] == [body["client_id"], loose.client_id]
    assert all("client_secret" not in c for c in listed)
    assert (await client.get(f"{PARTNERS}/99999999/clients", headers=ADMIN)).status_code == 404


async def test_a_template_supplies_pricing_fees_and_products(client: httpx.AsyncClient) -> None:
    partner = await make_partner(client)
    path = f"{PARTNERS}/{partner.partner_id}/templates"
    made = await client.post(
        path,
        json={
            "name": "Standard retail",
            "pricing": {"pricing_type": "tiered", "discount_rate": 1.79, "mid_qualified_rate": 2.5},
            "fees": {"monthly_fee": 10, "statement_fee": 5.5},
            "products": [{"product": "terminal", "quantity": 1}, {"product": "ach"}],
        },
        headers=ADMIN,
    )
    assert made.status_code == 201, made.text
    template = made.json()
    assert template["pricing"]["mid_qualified_rate"] == 2.5
    assert template["fees"]["statement_fee"] == 5.5
    bad = await client.post(
        path, json={"name": "x", "pricing": {"pricing_type": "flat"}}, headers=ADMIN
    )
    assert bad.status_code == 400 and "pricing.pricing_type" in bad.json()["errors"]
    listed = (await client.get(path, headers=ADMIN)).json()["items"]
    assert [t["application_template_id"] for t in listed] == [template["application_template_id"]]
    answer = await create(
        client,
        partner,
        application(
            partner,
            application_template_id=template["application_template_id"],
            pricing={"pricing_type": "flat_rate", "discount_rate": 3.5},
            products=[{"product": "gateway"}],
        ),
    )
    assert answer.status_code == 201, answer.text
    got = await get_merchant(client, partner, answer.json()["merchant_id"])
    assert got["application_template_id"] == template["application_template_id"]
    assert got["pricing"]["pricing_type"] == "tiered" and got["pricing"]["discount_rate"] == 1.79
    assert got["fees"]["monthly_fee"] == 10
    assert [p["product"] for p in got["products"]] == ["terminal", "ach"]
    assert got["merchant_type_id"] == 3


async def test_an_empty_database_gets_a_demo_partner(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'demo.db'}", admin_token=SecretStr(ADMIN_TOKEN)
    )
    runtime = await open_runtime(settings, migrate=True)
    try:
        demo = await create_demo_if_empty(runtime)
        assert demo is not None and demo.boarding is not None
        assert demo.boarding.rep_code.code == "DEMO001"
        assert await create_demo_if_empty(runtime) is None
        app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as http:
            made = demo.boarding.client
            token = await boarding_token(http, made.client.client_id, made.client_secret)
            headers = {"Authorization": f"Bearer {token}"}
            reps = (await http.get(f"{API}/rep_codes", headers=headers)).json()["items"]
            assert [r["rep_code"] for r in reps] == ["DEMO001"]
            body = {
                "platform": "payroc",
                "rep_code": "DEMO001",
                "dba_name": "Demo Diner",
                "signer_first_name": "Dee",
                "signer_last_name": "Mo",
                "signer_email": "dee@example.com",
            }
            created = await http.post(f"{API}/merchants", json=body, headers=headers)
            assert created.status_code == 201 and created.json()["merchant_id"] == 1
    finally:
        await runtime.db.dispose()


async def test_answers_hold_exactly_what_their_documented_models_name(
    client: httpx.AsyncClient,
) -> None:
    """openapi.json's PartnerOut, PartnerClientOut and AdminMerchantDetail are the answers."""
    partner = await new_partner(client)
    assert set(partner) == set(admin_answers.PartnerOut.model_fields)
    admin_answers.PartnerOut.model_validate(partner)
    made = await client.post(f"{PARTNERS}/{partner['partner_id']}/clients", json={}, headers=ADMIN)
    assert made.status_code == 201, made.text
    assert set(made.json()) == set(admin_answers.PartnerClientOut.model_fields)
    admin_answers.PartnerClientOut.model_validate(made.json())
    access = await make_partner(client)
    merchant_id = await create_ok(client, access)
    moved = await act(client, merchant_id, "send_for_signature")
    assert moved.status_code == 200, moved.text
    assert set(moved.json()) == set(admin_answers.AdminMerchantDetail.model_fields)
    admin_answers.AdminMerchantDetail.model_validate(moved.json())
