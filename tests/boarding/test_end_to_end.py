"""The whole path: boarding token, application, lifecycle, credentials, first charge, Reporting."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.boarding.support import (
    ADMIN_MERCHANTS,
    API,
    PARTNERS,
    act_ok,
    boarding_token,
    create,
    full_application,
    make_partner,
)
from tests.conftest import ADMIN
from tests.helpers import FUTURE, VISA
from tests.oauth.support import FORM, REPORTING_TOKEN, basic

REPORTING = "/ords/sprint/api/3p/v1/transactions"


async def reporting_client(client: httpx.AsyncClient, partner_id: int) -> dict[str, str]:
    made = await client.post(
        f"{PARTNERS}/{partner_id}/clients", json={"audience": "reporting"}, headers=ADMIN
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["audience"] == "reporting" and body["partner_id"] == partner_id
    answer = await client.post(
        REPORTING_TOKEN,
        data={"grant_type": "client_credentials"},
        headers={**FORM, **basic(body["client_id"], body["client_secret"])},
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def reported(
    client: httpx.AsyncClient, headers: dict[str, str], mid: str
) -> list[dict[str, Any]]:
    answer = await client.get(REPORTING, params={"q": json.dumps({"mid": mid})}, headers=headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_from_application_to_first_charge_and_reporting(
    client: httpx.AsyncClient,
) -> None:
    partner = await make_partner(client)
    stranger = await make_partner(client)
    early_reader = await reporting_client(client, partner.partner_id)
    strange_reader = await reporting_client(client, stranger.partner_id)

    # a boarding token, as a partner's integration gets one
    token = await boarding_token(client, partner.client_id, partner.client_secret)
    headers = {"Authorization": f"Bearer {token}"}

    # create the application
    created = await client.post(f"{API}/merchants", json=full_application(partner), headers=headers)
    assert created.status_code == 201, created.text
    merchant_id = created.json()["merchant_id"]

    # list and get it
    listed = (await client.get(f"{API}/merchants", headers=headers)).json()
    assert [i["merchant_id"] for i in listed["items"]] == [merchant_id]
    got = (await client.get(f"{API}/merchants/{merchant_id}", headers=headers)).json()
    assert (got["merchant_status"], got["mid"]) == ("new", None)

    # move it through the lifecycle to boarded
    await act_ok(client, merchant_id, "send_for_signature", "sign", "approve")
    got = (await client.get(f"{API}/merchants/{merchant_id}", headers=headers)).json()
    assert (got["merchant_status"], got["merchant_status_id"]) == ("boarded", 5)
    mid = got["mid"]
    assert len(mid) == 12 and mid.isdigit()

    # the Payments API merchant carries the boarded name and the priced surcharge
    merchant = (await client.get(f"/homerun/v1/merchants/{mid}", headers=ADMIN)).json()
    assert merchant["name"] == "Green Leaf Cafe"
    assert merchant["surcharge_enabled"] is True and merchant["surcharge_rate"] == "3.00"

    # fetch its Payments API credentials
    handed = await client.get(f"{ADMIN_MERCHANTS}/{merchant_id}/credentials", headers=ADMIN)
    assert handed.status_code == 200, handed.text
    credentials = handed.json()
    assert credentials["mid"] == mid

    # charge a card on the new MID
    charge = await client.post(
        "/api/v1/charge",
        json={
            "mid": mid,
            "amount": 2599,
            "account_token": VISA,
            "expiration": FUTURE,
            "cvn": "123",
            "account_zip": "80202",
            "capture": "Y",
        },
        headers={"Authorization": f"Bearer {credentials['api_key']}"},
    )
    assert charge.status_code == 200, charge.text
    answer = charge.json()
    assert answer["result"] == "A" and answer["resp_code"] == "00"
    trans_id = answer["trans_id"]

    # the charge is in Reporting for the partner's reporting clients, bound before...
    seen = await reported(client, early_reader, mid)
    assert [item["trans_id"] for item in seen] == [trans_id]
    assert seen[0]["mid"] == mid
    # ...and after boarding; a stranger's reporting client does not see it
    late_reader = await reporting_client(client, partner.partner_id)
    assert [item["trans_id"] for item in await reported(client, late_reader, mid)] == [trans_id]
    assert await reported(client, strange_reader, mid) == []

    # go live; the stranger never saw any of it
    await act_ok(client, merchant_id, "go_live")
    got = (await client.get(f"{API}/merchants/{merchant_id}", headers=headers)).json()
    assert (got["merchant_status"], got["merchant_status_id"]) == ("live", 6)
    assert (
        await client.get(f"{API}/merchants/{merchant_id}", headers=stranger.headers)
    ).status_code == 404
    other_list = (await client.get(f"{API}/merchants", headers=stranger.headers)).json()
    assert other_list["items"] == []


async def test_a_parent_s_reporting_client_reads_its_child_s_boarded_merchants(
    client: httpx.AsyncClient,
) -> None:
    parent = await make_partner(client)
    child = await make_partner(client, parent=parent.partner_id)
    parent_reader = await reporting_client(client, parent.partner_id)
    child_reader = await reporting_client(client, child.partner_id)
    created = await create(client, child, full_application(child, dba_name="Child Shop"))
    merchant_id = created.json()["merchant_id"]
    approved = await act_ok(client, merchant_id, "send_for_signature", "sign", "approve")
    mid = approved["mid"]
    handed = (
        await client.get(f"{ADMIN_MERCHANTS}/{merchant_id}/credentials", headers=ADMIN)
    ).json()
    charge = await client.post(
        "/api/v1/charge",
        json={
            "mid": mid,
            "amount": 1000,
            "account_token": VISA,
            "expiration": FUTURE,
            "account_zip": "80202",
        },
        headers={"Authorization": f"Bearer {handed['api_key']}"},
    )
    assert charge.json()["result"] == "A"
    assert len(await reported(client, parent_reader, mid)) == 1
    assert len(await reported(client, child_reader, mid)) == 1
