"""The vault (spec §4.8-4.11), billing plans (§4.12-4.14) and hosted pages (§4.6-4.7)."""

from __future__ import annotations

from typing import Any

from .._amounts import Dollars, WireDollars
from ._base import Answer, Request


class _AccountFields(Request):
    name: str | None = None
    nickname: str | None = None
    expiration: str | None = None
    is_default: bool | None = None
    cof_perm: bool | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    account_zip: str | None = None
    phone: str | None = None
    email: str | None = None
    custom_06: str | None = None
    custom_07: str | None = None
    custom_08: str | None = None
    custom_09: str | None = None
    custom_10: str | None = None


class CreateAccountRequest(_AccountFields):
    """POST /api/v1/vault_payment_accounts: store a tokenized card without charging it."""

    account_token: str
    mid: str | None = None
    vault_holder_id: str | None = None
    vault_id: str | None = None


class UpdateAccountRequest(_AccountFields):
    """PUT /api/v1/vault_payment_accounts/{vault_id}: only the fields sent change."""

    mid: str | None = None
    account_token: str | None = None
    ach_acct_type_id: str | None = None


class CreatedAccount(Answer):
    uuid: str
    vault_id: int
    vault_holder_id: str
    mid: str
    name: str | None
    account_type: int
    is_default: bool
    zipcode: str | None
    account_token: str
    last_four: str
    expiration: str | None


class Account(Answer):
    """GET /api/v1/vault_payment_accounts/{id}: flags are "0"/"1" as Run answers them."""

    id: int
    vaults_id: str
    uuid: str
    vault_holder_id: str
    mid: str
    account_token: str
    card_brand_id: str | None  # None for a bank account (ACH)
    vault_account_type_id: str
    name: str | None
    nickname: str | None
    last_four: str
    expiration: str | None
    is_deleted: str
    is_default: str
    updated: str


class UpdatedAccount(Answer):
    uuid: str
    vault_id: int | str
    is_default: str
    ach_acct_type_id: str | None


class DeletedAccount(Answer):
    success: bool
    message: str


class CreatePlanRequest(Request):
    """POST /api/v1/billing_plans: `amount` dollars on an RFC 5545 `rrule_pattern`."""

    name: str
    payment_account_uuid: str
    amount: WireDollars
    rrule_pattern: str
    mid: str | None = None
    description: str | None = None


class CreatedPlan(Answer):
    id: int
    status: str


class ScheduledPayment(Answer):
    id: int
    payment_number: int
    payment_date: str
    amount_scheduled: Dollars
    amount_paid: Dollars
    amount_remaining: Dollars
    payment_status: str
    attempts: int
    next_attempt_at: str | None
    resp_code: str | None
    resp_text: str | None
    trans_id: str | None


class Plan(Answer):
    id: int
    name: str
    description: str | None
    mid: str
    payment_account_uuid: str
    vault_id: int
    status: str
    status_reason: str | None
    rrule_pattern: str
    amount: Dollars
    currency: str
    created_at: str
    scheduled_payments: list[ScheduledPayment]


class CancelledPlan(Answer):
    id: int
    success: bool
    schedule_status: str


class HppRequest(Request):
    """POST /api/v1/hpp (and PUT /api/v1/hpp/{client_id}, which changes only what is sent).

    `cc_mid` defaults to the client's `mid`. `hpp_options` entries are
    {"name", "value", "is_readonly", "is_required"} as spec §4.6 lists them."""

    cc_mid: str | None = None
    name: str | None = None
    name_on_account: str | None = None
    amount: WireDollars | None = None
    min_amount: WireDollars | None = None
    max_amount: WireDollars | None = None
    lock_amount: bool | None = None
    disable_after_payment: bool | None = None
    hpp_options: list[dict[str, Any]] | None = None


class HostedPage(Answer):
    success: bool
    message: str
    url: str
    client_id: str
