"""Boarding test helpers: partners with rep codes and clients, tokens, applications."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import ADMIN
from tests.oauth.support import BOARDING_TOKEN, FORM, basic

API = "/ords/relay/api/boarding/v1"
PARTNERS = "/homerun/v1/boarding/partners"
ADMIN_MERCHANTS = "/homerun/v1/boarding/merchants"

# A routing number that passes the ABA checksum (and one that does not).
GOOD_ROUTING = "021000021"
BAD_ROUTING = "021000022"


@dataclass
class PartnerAccess:
    partner_id: int
    rep_code: str
    rep_code_id: int
    client_id: str
    client_secret: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4).upper()}"


async def boarding_token(client: httpx.AsyncClient, client_id: str, secret: str) -> str:
    answer = await client.post(
        BOARDING_TOKEN,
        data={"grant_type": "client_credentials"},
        headers={**FORM, **basic(client_id, secret)},
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


async def make_partner(
    client: httpx.AsyncClient, parent: int | None = None, **settings: Any
) -> PartnerAccess:
    body: dict[str, Any] = {"name": unique("Partner "), **settings}
    if parent is not None:
        body["parent_partner_id"] = parent
    made = await client.post(PARTNERS, json=body, headers=ADMIN)
    assert made.status_code == 201, made.text
    partner_id = made.json()["partner_id"]
    code = unique("REP")
    rep = await client.post(
        f"{PARTNERS}/{partner_id}/rep_codes", json={"rep_code": code, "name": "Rep"}, headers=ADMIN
    )
    assert rep.status_code == 201, rep.text
    bc = await client.post(f"{PARTNERS}/{partner_id}/clients", json={}, headers=ADMIN)
    assert bc.status_code == 201, bc.text
    creds = bc.json()
    token = await boarding_token(client, creds["client_id"], creds["client_secret"])
    return PartnerAccess(
        partner_id,
        code,
        rep.json()["rep_code_id"],
        creds["client_id"],
        creds["client_secret"],
        token,
    )


def application(partner: PartnerAccess, **fields: Any) -> dict[str, Any]:
    """The Run docs' minimal example request, on the partner's rep code."""
    body: dict[str, Any] = {
        "platform": "payroc",
        "rep_code": partner.rep_code,
        "dba_name": "Green Leaf Cafe",
        "signer_first_name": "Emily",
        "signer_last_name": "Johnson",
        "signer_email": "emily.johnson@greenleafcafe.com",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def full_application(partner: PartnerAccess, **fields: Any) -> dict[str, Any]:
    """An application with every designed field filled in."""
    return application(
        partner,
        **{
            "legal_name": "Sunshine Coffee Roasters LLC",
            "tax_id": "12-3456789",
            "years_in_business": 5,
            "website": "https://www.sunshinecoffee.com",
            "phone": "555-123-4567",
            "mcc_code": "5812",
            "business_desc": "Specialty coffee roasting and retail shop",
            "when_card_charged": "at_time_of_sale",
            "services_provided_in": "same_day",
            "refund_policy": "full_refund",
            "seasonal": "Y",
            "seasonal_months": "10:11:12",
            "annual_volume": 1200000,
            "average_ticket": 25.5,
            "highest_ticket": 400,
            "in_person_pct": 70,
            "online_pct": 25,
            "telephone_pct": 5,
            "ownership_type": "LLC",
            "signer_title": "Owner",
            "signer_phone": "555-987-6543",
            "signer_dob": "04/15/1980",
            "signer_address1": "12 Elm St",
            "signer_city": "Denver",
            "signer_state": "co",
            "signer_zip": "80202",
            "signer_ownership_pct": 100,
            "addresses": [
                {
                    "type": "business",
                    "address1": "100 Main St",
                    "address2": "Suite 2",
                    "city": "Denver",
                    "state": "CO",
                    "zip": "80202-1234",
                    "country": "USA",
                },
                {
                    "type": "mailing",
                    "address1": "PO Box 9",
                    "city": "Denver",
                    "state": "CO",
                    "zip": "80201",
                },
            ],
            "bank_account": {
                "routing_number": GOOD_ROUTING,
                "account_number": "000123456789",
                "account_type": "checking",
                "bank_name": "JPMorgan Chase",
                "account_holder_name": "Sunshine Coffee Roasters LLC",
            },
            "pricing": {
                "pricing_type": "interchange_plus",
                "discount_rate": 0.25,
                "per_item_fee": 0.1,
                "amex_discount_rate": 0.3,
                "ach_discount_rate": 0.5,
                "ach_per_item_fee": 0.25,
                "surcharge_rate": 3,
            },
            "fees": {"monthly_fee": 9.95, "pci_compliance_fee": 79, "chargeback_fee": 25},
            "products": [
                {"product": "gateway"},
                {"product": "terminal", "quantity": 2, "model": "PAX A920"},
                {"product": "ach"},
            ],
            "external_crm_id": "CRM-2024-0001",
            "custom_01": "Priority client",
            **fields,
        },
    )


async def create(
    client: httpx.AsyncClient, partner: PartnerAccess, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"{API}/merchants", json=body, headers=partner.headers)


async def create_ok(client: httpx.AsyncClient, partner: PartnerAccess, **fields: Any) -> int:
    answer = await create(client, partner, application(partner, **fields))
    assert answer.status_code == 201, answer.text
    merchant_id = answer.json()["merchant_id"]
    assert isinstance(merchant_id, int)
    return merchant_id


async def get_merchant(
    client: httpx.AsyncClient, partner: PartnerAccess, merchant_id: int
) -> dict[str, Any]:
    answer = await client.get(f"{API}/merchants/{merchant_id}", headers=partner.headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def act(
    client: httpx.AsyncClient, merchant_id: int, action: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"{ADMIN_MERCHANTS}/{merchant_id}/actions/{action}",
        json=body or None,
        headers=ADMIN,
    )


async def act_ok(client: httpx.AsyncClient, merchant_id: int, *actions: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for action in actions:
        answer = await act(client, merchant_id, action)
        assert answer.status_code == 200, answer.text
        body = answer.json()
    return body


async def events(client: httpx.AsyncClient, merchant_id: int) -> list[dict[str, Any]]:
    answer = await client.get(f"{ADMIN_MERCHANTS}/{merchant_id}/events", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def advance(client: httpx.AsyncClient, seconds: float) -> dict[str, Any]:
    answer = await client.post(
        "/homerun/v1/clock/advance", json={"seconds": seconds}, headers=ADMIN
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
