"""Every boarding-desk rule has a failing input: each answers 400 with the field named (R6)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from homerun.boarding import validation
from tests.boarding.support import (
    API,
    BAD_ROUTING,
    GOOD_ROUTING,
    PARTNERS,
    PartnerAccess,
    application,
    create,
    full_application,
    make_partner,
)
from tests.conftest import ADMIN


@pytest.fixture(scope="module")
async def partner(client: httpx.AsyncClient) -> PartnerAccess:
    return await make_partner(client)


def _bank(**fields: Any) -> dict[str, Any]:
    return {"routing_number": GOOD_ROUTING, "account_number": "123456789", **fields}


def _address(**fields: Any) -> list[dict[str, Any]]:
    base = {"address1": "1 Main St", "city": "Austin", "state": "TX", "zip": "78701"}
    return [{**base, **fields}]


def _pricing(**fields: Any) -> dict[str, Any]:
    return {"pricing_type": "flat_rate", "discount_rate": 2.9, **fields}


# (label, fields changed from the valid application, the field the 400 must name)
CASES: list[tuple[str, dict[str, Any], str]] = [
    # platform: an enum, case-insensitive
    ("platform unknown", {"platform": "visa"}, "platform"),
    ("platform missing", {"platform": None}, "platform"),
    ("platform not a string", {"platform": 7}, "platform"),
    # required fields
    ("rep_code missing", {"rep_code": None}, "rep_code"),
    ("dba_name missing", {"dba_name": None}, "dba_name"),
    ("dba_name empty", {"dba_name": "  "}, "dba_name"),
    ("signer_first_name missing", {"signer_first_name": None}, "signer_first_name"),
    ("signer_last_name missing", {"signer_last_name": None}, "signer_last_name"),
    ("signer_email missing", {"signer_email": None}, "signer_email"),
    # lengths
    ("dba_name over 150", {"dba_name": "D" * 151}, "dba_name"),
    ("legal_name over 150", {"legal_name": "L" * 151}, "legal_name"),
    ("signer_first_name over 100", {"signer_first_name": "F" * 101}, "signer_first_name"),
    ("signer_last_name over 100", {"signer_last_name": "L" * 101}, "signer_last_name"),
    ("signer_email over 150", {"signer_email": "e" * 140 + "@example.com"}, "signer_email"),
    ("website over 250", {"website": "https://" + "w" * 240 + ".com"}, "website"),
    ("business_desc over 400", {"business_desc": "B" * 401}, "business_desc"),
    ("mcc_code over 4", {"mcc_code": "58120"}, "mcc_code"),
    ("tax_id over 12", {"tax_id": "123-456-789-0"}, "tax_id"),
    ("phone over 12", {"phone": "555-123-45678"}, "phone"),
    (
        "seasonal_months over 30",
        {"seasonal": "Y", "seasonal_months": "1:" * 15 + "2"},
        "seasonal_months",
    ),
    ("external_crm_id over 100", {"external_crm_id": "C" * 101}, "external_crm_id"),
    ("custom_01 over 250", {"custom_01": "C" * 251}, "custom_01"),
    ("signer_title over 100", {"signer_title": "T" * 101}, "signer_title"),
    ("signer_city over 50", {"signer_city": "C" * 51}, "signer_city"),
    # phones: ###-###-####
    ("phone with country code", {"phone": "+1-555-123-4567"}, "phone"),
    ("phone digits only", {"phone": "5551234567"}, "phone"),
    ("signer_phone with dots", {"signer_phone": "555.123.4567"}, "signer_phone"),
    # e-mail syntax
    ("email without at", {"signer_email": "emily.example.com"}, "signer_email"),
    ("email without domain dot", {"signer_email": "emily@example"}, "signer_email"),
    ("email with a space", {"signer_email": "emily j@example.com"}, "signer_email"),
    # tax_id: 9 digits, EIN or SSN form
    ("tax_id 8 digits", {"tax_id": "12345678"}, "tax_id"),
    ("tax_id 10 digits", {"tax_id": "1234567890"}, "tax_id"),
    ("tax_id misplaced dash", {"tax_id": "123-456789"}, "tax_id"),
    ("tax_id letters", {"tax_id": "AB-1234567"}, "tax_id"),
    ("tax_id zeros", {"tax_id": "00-0000000"}, "tax_id"),
    # MCC from the list
    ("mcc unknown", {"mcc_code": "0000"}, "mcc_code"),
    ("mcc letters", {"mcc_code": "abcd"}, "mcc_code"),
    # seasonal
    ("seasonal without months", {"seasonal": "Y"}, "seasonal_months"),
    ("seasonal true without months", {"seasonal": True}, "seasonal_months"),
    ("months without seasonal", {"seasonal_months": "6:7"}, "seasonal_months"),
    ("month 13", {"seasonal": "Y", "seasonal_months": "12:13"}, "seasonal_months"),
    ("months with commas", {"seasonal": "Y", "seasonal_months": "1,2"}, "seasonal_months"),
    ("seasonal not a flag", {"seasonal": "maybe"}, "seasonal"),
    # sales channels add up to 100
    (
        "channels short of 100",
        {"in_person_pct": 50, "online_pct": 30, "telephone_pct": 10},
        "in_person_pct",
    ),
    ("channels over 100", {"in_person_pct": 80, "online_pct": 30}, "in_person_pct"),
    ("one channel only", {"online_pct": 60}, "in_person_pct"),
    ("channel over 100", {"in_person_pct": 101}, "in_person_pct"),
    ("channel negative", {"in_person_pct": 105, "online_pct": -5}, "online_pct"),
    ("channel 3 decimals", {"in_person_pct": 33.333, "online_pct": 66.667}, "in_person_pct"),
    # volumes: non-negative dollars
    ("annual_volume negative", {"annual_volume": -1}, "annual_volume"),
    ("average_ticket negative", {"average_ticket": -0.01}, "average_ticket"),
    ("highest_ticket negative", {"highest_ticket": -10}, "highest_ticket"),
    ("annual_volume text", {"annual_volume": "lots"}, "annual_volume"),
    ("annual_volume 3 decimals", {"annual_volume": 1000.125}, "annual_volume"),
    ("average above annual", {"annual_volume": 1000, "average_ticket": 1500}, "average_ticket"),
    ("highest below average", {"average_ticket": 50, "highest_ticket": 20}, "highest_ticket"),
    ("years negative", {"years_in_business": -1}, "years_in_business"),
    ("years fractional", {"years_in_business": 2.5}, "years_in_business"),
    # ownership_type by platform
    ("s_corp on fiserv", {"platform": "fiserv", "ownership_type": "s_corp"}, "ownership_type"),
    ("tax_exempt on payroc", {"ownership_type": "tax_exempt"}, "ownership_type"),
    ("public_corp on payroc", {"ownership_type": "Public Corp"}, "ownership_type"),
    ("ownership unknown", {"ownership_type": "trust"}, "ownership_type"),
    # the other enums
    ("when_card_charged unknown", {"when_card_charged": "whenever"}, "when_card_charged"),
    ("services_provided_in unknown", {"services_provided_in": "next year"}, "services_provided_in"),
    ("refund_policy unknown", {"refund_policy": "maybe"}, "refund_policy"),
    # addresses: US state codes and ZIPs
    ("address state unknown", {"addresses": _address(state="XX")}, "addresses.0.state"),
    ("address state spelled out", {"addresses": _address(state="Texas")}, "addresses.0.state"),
    ("address zip short", {"addresses": _address(zip="7870")}, "addresses.0.zip"),
    ("address zip+4 malformed", {"addresses": _address(zip="78701-12")}, "addresses.0.zip"),
    ("address abroad", {"addresses": _address(country="CA")}, "addresses.0.country"),
    ("address type unknown", {"addresses": _address(type="home")}, "addresses.0.type"),
    ("address without city", {"addresses": _address(city=None)}, "addresses.0.city"),
    ("address1 over 100", {"addresses": _address(address1="A" * 101)}, "addresses.0.address1"),
    ("address type twice", {"addresses": _address() + _address()}, "addresses"),
    ("addresses not a list", {"addresses": {"address1": "x"}}, "addresses"),
    ("signer_state unknown", {"signer_state": "ZZ"}, "signer_state"),
    ("signer_zip letters", {"signer_zip": "ABCDE"}, "signer_zip"),
    # bank: ABA checksum
    (
        "routing checksum",
        {"bank_account": _bank(routing_number=BAD_ROUTING)},
        "bank_account.routing_number",
    ),
    (
        "routing 8 digits",
        {"bank_account": _bank(routing_number="02100002")},
        "bank_account.routing_number",
    ),
    (
        "routing bad prefix",
        {"bank_account": _bank(routing_number="500000005")},
        "bank_account.routing_number",
    ),
    (
        "account too short",
        {"bank_account": _bank(account_number="123")},
        "bank_account.account_number",
    ),
    (
        "account letters",
        {"bank_account": _bank(account_number="12AB5678")},
        "bank_account.account_number",
    ),
    (
        "account type unknown",
        {"bank_account": _bank(account_type="credit")},
        "bank_account.account_type",
    ),
    # signer
    ("dob ISO", {"signer_dob": "1980-04-15"}, "signer_dob"),
    ("dob impossible", {"signer_dob": "02/30/1980"}, "signer_dob"),
    ("dob minor", {"signer_dob": f"01/01/{date.today().year - 10}"}, "signer_dob"),
    ("dob future", {"signer_dob": f"01/01/{date.today().year + 30}"}, "signer_dob"),
    ("ownership over 100", {"signer_ownership_pct": 120}, "signer_ownership_pct"),
    # pricing, fees, products
    ("pricing type missing", {"pricing": {"discount_rate": 2.9}}, "pricing.pricing_type"),
    ("pricing type unknown", {"pricing": _pricing(pricing_type="cheap")}, "pricing.pricing_type"),
    ("rate over 10", {"pricing": _pricing(discount_rate=11)}, "pricing.discount_rate"),
    ("rate 4 decimals", {"pricing": _pricing(discount_rate=2.9999)}, "pricing.discount_rate"),
    ("tiered rate on flat", {"pricing": _pricing(mid_qualified_rate=3.2)}, "pricing"),
    ("per item negative", {"pricing": _pricing(per_item_fee=-0.1)}, "pricing.per_item_fee"),
    ("surcharge over 3", {"pricing": _pricing(surcharge_rate=3.5)}, "pricing.surcharge_rate"),
    ("fee negative", {"fees": {"monthly_fee": -5}}, "fees.monthly_fee"),
    ("fee text", {"fees": {"chargeback_fee": "twenty"}}, "fees.chargeback_fee"),
    ("product unknown", {"products": [{"product": "jetpack"}]}, "products.0.product"),
    ("product twice", {"products": [{"product": "ach"}, {"product": "ACH"}]}, "products"),
    (
        "product quantity 0",
        {"products": [{"product": "terminal", "quantity": 0}]},
        "products.0.quantity",
    ),
    # references
    ("customer_id unknown", {"customer_id": 987654321}, "customer_id"),
    ("customer_id text", {"customer_id": "abc"}, "customer_id"),
    ("customer_id fractional", {"customer_id": 1.5}, "customer_id"),
    ("template unknown", {"application_template_id": 987654321}, "application_template_id"),
    ("rep_code unknown", {"rep_code": "NOPE-000"}, "rep_code"),
    # the rest
    ("website not a url", {"website": "my shop"}, "website"),
    ("auto-send not a flag", {"auto_send_for_signature": "later"}, "auto_send_for_signature"),
]


@pytest.mark.parametrize(("fields", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_a_bad_field_is_a_400_that_names_it(
    client: httpx.AsyncClient, partner: PartnerAccess, fields: dict[str, Any], field: str
) -> None:
    body = application(partner)
    for key, value in fields.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    answer = await create(client, partner, body)
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["code"] == "invalid_request"
    assert problem["error"] == problem["message"] == problem["error_description"]
    assert field in problem["errors"], problem
    assert field in problem["message"]


async def test_another_partner_s_rep_code_is_refused(
    client: httpx.AsyncClient, partner: PartnerAccess
) -> None:
    other = await make_partner(client)
    answer = await create(client, partner, application(partner, rep_code=other.rep_code))
    assert answer.status_code == 400
    assert "rep_code" in answer.json()["errors"]


async def test_another_partner_s_template_and_customer_are_refused(
    client: httpx.AsyncClient, partner: PartnerAccess
) -> None:
    other = await make_partner(client)
    template = await client.post(
        f"{PARTNERS}/{other.partner_id}/templates", json={"name": "Theirs"}, headers=ADMIN
    )
    assert template.status_code == 201, template.text
    theirs = await create(client, other, application(other))
    assert theirs.status_code == 201
    answer = await create(
        client,
        partner,
        application(
            partner,
            application_template_id=template.json()["application_template_id"],
            customer_id=theirs.json()["merchant_id"],
        ),
    )
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"application_template_id", "customer_id"}


async def test_several_faults_are_named_together(
    client: httpx.AsyncClient, partner: PartnerAccess
) -> None:
    body = application(partner, phone="5551234567", tax_id="123", mcc_code="0001")
    answer = await create(client, partner, body)
    assert answer.status_code == 400
    assert {"phone", "tax_id", "mcc_code"} <= set(answer.json()["errors"])


async def test_rules_that_need_the_database_are_named_with_the_others(
    client: httpx.AsyncClient, partner: PartnerAccess
) -> None:
    body = application(partner, rep_code="NOPE-1", seasonal="Y", online_pct=50)
    answer = await create(client, partner, body)
    assert answer.status_code == 400
    assert {"rep_code", "seasonal_months", "in_person_pct"} <= set(answer.json()["errors"])


async def test_lenient_forms_are_accepted_and_stored_normalised(
    client: httpx.AsyncClient, partner: PartnerAccess
) -> None:
    body = application(
        partner,
        platform="FISERV",
        ownership_type="Public Corp",
        tax_id="123456789",
        seasonal="y",
        seasonal_months="12:1:6:1",
        annual_volume="250000.50",
        average_ticket="12",
        in_person_pct="33.33",
        online_pct=33.33,
        telephone_pct=33.34,
        when_card_charged="At Shipment",
        services_provided_in="1-to-7-days",
        refund_policy="EXCHANGE_ONLY",
        signer_state="pa",
        customer_id=None,
        auto_send="N",
        addresses=[
            {
                "address_type": "Legal",
                "address1": "1 Main",
                "city": "Erie",
                "state": "pa",
                "zip": "16501",
            }
        ],
        products=[{"product_code": "Virtual Terminal"}],
        unknown_extra_field="ignored",
    )
    answer = await create(client, partner, body)
    assert answer.status_code == 201, answer.text
    got = (
        await client.get(f"{API}/merchants/{answer.json()['merchant_id']}", headers=partner.headers)
    ).json()
    assert got["platform"] == "fiserv" and got["ownership_type"] == "public_corp"
    assert got["tax_id"] == "123456789"
    assert got["seasonal"] is True and got["seasonal_months"] == "1:6:12"
    assert got["annual_volume"] == 250000.5 and got["average_ticket"] == 12
    assert (got["in_person_pct"], got["online_pct"], got["telephone_pct"]) == (33.33, 33.33, 33.34)
    assert got["when_card_charged"] == "at_shipment"
    assert got["services_provided_in"] == "1_to_7_days"
    assert got["refund_policy"] == "exchange_only"
    assert got["signer_state"] == "PA"
    assert got["addresses"][0]["type"] == "legal" and got["addresses"][0]["state"] == "PA"
    assert got["products"] == [{"product": "virtual_terminal", "quantity": 1, "model": None}]
    assert got["auto_send_for_signature"] == "N"
    assert "unknown_extra_field" not in got


async def test_every_ownership_type_of_each_platform_is_accepted(
    client: httpx.AsyncClient, partner: PartnerAccess
) -> None:
    for platform, types in (
        (
            "fiserv",
            (
                "sole_proprietorship",
                "partnership",
                "llc",
                "tax_exempt",
                "public_corp",
                "private_corp",
            ),
        ),
        ("payroc", ("sole_proprietorship", "partnership", "llc", "s_corp", "c_corp", "other")),
    ):
        for ownership in types:
            body = application(partner, platform=platform, ownership_type=ownership)
            answer = await create(client, partner, body)
            assert answer.status_code == 201, (platform, ownership, answer.text)


async def test_the_full_designed_application_is_accepted(
    client: httpx.AsyncClient, partner: PartnerAccess
) -> None:
    answer = await create(client, partner, full_application(partner))
    assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(
    "routing", ["021000021", "011000015", "121000358", "026009593", "322271627", "061000104"]
)
def test_real_routing_numbers_pass_the_checksum(routing: str) -> None:
    assert validation.routing_number(routing) == routing


@pytest.mark.parametrize("routing", ["021000022", "123456789", "000000000", "990000009", "abc"])
def test_bad_routing_numbers_fail(routing: str) -> None:
    with pytest.raises(ValueError, match="routing"):
        validation.routing_number(routing)


def test_the_mcc_list_is_the_full_list() -> None:
    codes = validation.mcc_codes()
    assert len(codes) > 800
    for code, words in (
        ("5812", "Eating Places"),
        ("5411", "Grocery"),
        ("7011", "Lodging"),
        ("0742", "Veterinary"),
        ("3000", "United"),
        ("3389", "Avis"),
        ("3509", "Marriott"),
        ("8999", "Professional Services"),
        ("9399", "Government"),
    ):
        assert words in codes[code], code
    assert all(len(c) == 4 and c.isdigit() for c in codes)
    assert all(text.strip() for text in codes.values())
