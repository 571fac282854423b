"""Boarding API (spec §7): merchant applications, rep codes and MCCs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ._base import Answer, Request


class MerchantItem(Answer):
    merchant_id: int
    dba_name: str
    merchant_status: str
    merchant_status_id: int
    merchant_type_id: int
    pended: int
    platform: str
    rep_code: str
    mid: str | None = None
    legal_name: str | None = None
    customer_id: int | None = None
    external_crm_id: str | None = None
    custom_01: str | None = None


class MerchantDetail(MerchantItem):
    """GET .../merchants/{id}: the whole application. Volumes are dollars."""

    addresses: list[dict[str, Any]]
    auto_send_for_signature: str
    seasonal: bool
    signer_email: str
    signer_first_name: str
    signer_last_name: str
    created_at: str
    updated_at: str
    annual_volume: Decimal | None = None
    average_ticket: Decimal | None = None
    highest_ticket: Decimal | None = None
    in_person_pct: Decimal | None = None
    online_pct: Decimal | None = None
    telephone_pct: Decimal | None = None
    signer_ownership_pct: Decimal | None = None
    application_template_id: int | None = None
    bank_account: dict[str, Any] | None = None
    business_desc: str | None = None
    fees: dict[str, Any] | None = None
    pricing: dict[str, Any] | None = None
    products: list[dict[str, Any]] | None = None
    mcc_code: str | None = None
    ownership_type: str | None = None
    phone: str | None = None
    refund_policy: str | None = None
    seasonal_months: str | None = None
    services_provided_in: str | None = None
    signer_address1: str | None = None
    signer_address2: str | None = None
    signer_city: str | None = None
    signer_dob: str | None = None
    signer_phone: str | None = None
    signer_state: str | None = None
    signer_title: str | None = None
    signer_zip: str | None = None
    status_reason: str | None = None
    tax_id: str | None = None
    website: str | None = None
    when_card_charged: str | None = None
    years_in_business: int | None = None


class CreateMerchantRequest(Request):
    """POST .../merchants: a new application. Further fields (addresses, bank_account,
    pricing, ...) go as extra keywords with the names of spec §7.2."""

    platform: str
    rep_code: str
    dba_name: str
    signer_first_name: str
    signer_last_name: str
    signer_email: str
    legal_name: str | None = None
    mcc_code: str | None = None
    external_crm_id: str | None = None
    custom_01: str | None = None


class MerchantCreated(Answer):
    merchant_id: int


class RepCode(Answer):
    rep_code_id: int
    rep_code: str
    name: str | None = None


class Mcc(Answer):
    mcc_code: str
    description: str
