"""Boarding against Homerun: a partner made through the admin API, then list, create and get
merchants, rep codes and MCCs through the client."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import runpayments as rp
from live_homerun import LiveHomerun
from runpayments.query import Q

from conftest import FAST

PARTNERS = "/homerun/v1/boarding/partners"


@dataclass
class Partner:
    rep_code: str
    client_id: str
    client_secret: str


@pytest.fixture(scope="module")
def partner(homerun: LiveHomerun) -> Partner:
    partner_id = homerun.post(PARTNERS, {"name": f"Partner {secrets.token_hex(3)}"})["partner_id"]
    code = f"REP{secrets.token_hex(4).upper()}"
    homerun.post(f"{PARTNERS}/{partner_id}/rep_codes", {"rep_code": code, "name": "Rep"})
    made = homerun.post(f"{PARTNERS}/{partner_id}/clients", {})
    return Partner(code, made["client_id"], made["client_secret"])


@pytest.fixture
def boarding(homerun: LiveHomerun, partner: Partner) -> Iterator[rp.RunClient]:
    with rp.RunClient(
        homerun.base_url, boarding=(partner.client_id, partner.client_secret), retry=FAST
    ) as client:
        yield client


def application(partner: Partner, **fields: str) -> rp.CreateMerchantRequest:
    return rp.CreateMerchantRequest.model_validate(
        {
            "platform": "payroc",
            "rep_code": partner.rep_code,
            "dba_name": "Green Leaf Cafe",
            "signer_first_name": "Emily",
            "signer_last_name": "Johnson",
            "signer_email": "emily.johnson@greenleafcafe.com",
            **fields,
        }
    )


def test_create_get_and_list_merchants(boarding: rp.RunClient, partner: Partner) -> None:
    made = boarding.boarding.create_merchant(application(partner, external_crm_id="crm-1"))
    got = boarding.boarding.get_merchant(made.merchant_id)
    assert (got.merchant_id, got.dba_name, got.rep_code, got.external_crm_id) == (
        made.merchant_id,
        "Green Leaf Cafe",
        partner.rep_code,
        "crm-1",
    )
    assert (got.merchant_status, got.merchant_status_id, got.signer_first_name) == (
        "new",
        1,
        "Emily",
    )
    listed = list(boarding.boarding.merchants(Q(external_crm_id="crm-1")))
    assert [m.merchant_id for m in listed] == [made.merchant_id]


def test_rep_codes_and_mcc(boarding: rp.RunClient, partner: Partner) -> None:
    assert [r.rep_code for r in boarding.boarding.rep_codes()] == [partner.rep_code]
    cafes = list(boarding.boarding.mcc(Q(mcc_code="5812")))
    assert [(m.mcc_code, bool(m.description)) for m in cafes] == [("5812", True)]
    assert len(list(boarding.boarding.mcc(page_size=200))) > 200


def test_a_bad_application_names_the_field(boarding: rp.RunClient, partner: Partner) -> None:
    with pytest.raises(rp.InvalidRequestError) as raised:
        boarding.boarding.create_merchant(application(partner, signer_email="not-an-email"))
    assert list(raised.value.errors) == ["signer_email"]


def test_an_unknown_merchant_is_not_found(boarding: rp.RunClient) -> None:
    with pytest.raises(rp.NotFoundError):
        boarding.boarding.get_merchant(987654321)


def test_a_boarding_client_gets_no_reporting_token(homerun: LiveHomerun, partner: Partner) -> None:
    with (
        rp.RunClient(
            homerun.base_url, reporting=(partner.client_id, partner.client_secret), retry=FAST
        ) as client,
        pytest.raises(rp.AuthenticationError) as raised,
    ):
        list(client.reporting.deposits())
    assert raised.value.code == "invalid_client"
