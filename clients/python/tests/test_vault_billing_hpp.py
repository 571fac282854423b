"""The vault, billing plans and hosted payment pages against Homerun."""

from __future__ import annotations

from decimal import Decimal

import pytest
import runpayments as rp

RRULE = "DTSTART:20270101T090000Z\nRRULE:FREQ=MONTHLY;INTERVAL=1;COUNT=3"


def vaulted(client: rp.RunClient) -> rp.CreatedAccount:
    return client.vault.create(
        rp.CreateAccountRequest(
            account_token="4111111111111111", expiration="12/30", name="Jo Doe", account_zip="19106"
        )
    )


def test_vault_create_get_update_delete(client: rp.RunClient) -> None:
    made = vaulted(client)
    assert (made.mid, made.name, made.last_four, made.account_type) == (
        client.mid,
        "Jo Doe",
        "1111",
        1,
    )
    got = client.vault.get(made.uuid)
    assert (got.uuid, got.id, got.is_deleted, got.expiration) == (
        made.uuid,
        made.vault_id,
        "0",
        "2030-12",
    )
    changed = client.vault.update(
        made.uuid, rp.UpdateAccountRequest(name="Jo Roe", is_default=True)
    )
    assert (changed.uuid, changed.is_default) == (made.uuid, "Y")
    assert client.vault.get(made.vault_id).name == "Jo Roe"
    deleted = client.vault.delete(made.uuid)
    assert deleted.success is True
    assert client.vault.get(made.uuid).is_deleted == "1"


def test_an_unknown_vault_account_is_not_found(client: rp.RunClient) -> None:
    with pytest.raises(rp.NotFoundError) as raised:
        client.vault.get("00000000-0000-0000-0000-000000000000")
    assert raised.value.status == 404


def test_a_vault_account_needs_a_token(client: rp.RunClient) -> None:
    with pytest.raises(rp.InvalidRequestError) as raised:
        client.vault.create(rp.CreateAccountRequest(account_token=""))
    assert list(raised.value.errors) == ["account_token"]


def test_billing_plan_create_get_cancel(client: rp.RunClient) -> None:
    account = vaulted(client)
    made = client.billing_plans.create(
        rp.CreatePlanRequest(
            name="Rent",
            description="Monthly rent",
            payment_account_uuid=account.uuid,
            amount=Decimal("120.00"),
            rrule_pattern=RRULE,
        )
    )
    assert made.status == "ACTIVE"
    plan = client.billing_plans.get(made.id)
    assert (plan.id, plan.name, plan.amount, plan.rrule_pattern) == (
        made.id,
        "Rent",
        Decimal("120.00"),
        RRULE,
    )
    assert (plan.payment_account_uuid, plan.vault_id, plan.status) == (
        account.uuid,
        account.vault_id,
        "ACTIVE",
    )
    cancelled = client.billing_plans.cancel(made.id)
    assert (cancelled.id, cancelled.success, cancelled.schedule_status) == (
        made.id,
        True,
        "CANCELLED",
    )


def test_a_billing_plan_with_a_bad_rule_is_refused(client: rp.RunClient) -> None:
    account = vaulted(client)
    with pytest.raises(rp.InvalidRequestError) as raised:
        client.billing_plans.create(
            rp.CreatePlanRequest(
                name="Bad",
                payment_account_uuid=account.uuid,
                amount=Decimal("1.00"),
                rrule_pattern="x",
            )
        )
    assert list(raised.value.errors) == ["rrule_pattern"]


def test_an_unknown_billing_plan_is_not_found(client: rp.RunClient) -> None:
    with pytest.raises(rp.NotFoundError):
        client.billing_plans.get(987654321)


def test_hosted_page_create_and_edit(client: rp.RunClient) -> None:
    made = client.hpp.create(
        rp.HppRequest(name="Invoice 7", amount=Decimal("99.99"), lock_amount=True)
    )
    assert made.success is True
    assert made.url.endswith(f"/payment?client_id={made.client_id}")
    assert len(made.client_id) == 32 and made.client_id == made.client_id.upper()
    edited = client.hpp.update(made.client_id, rp.HppRequest(name="Invoice 8"))
    assert (edited.success, edited.client_id, edited.url) == (True, made.client_id, made.url)


def test_a_hosted_page_with_min_above_max_is_refused(client: rp.RunClient) -> None:
    with pytest.raises(rp.InvalidRequestError) as raised:
        client.hpp.create(rp.HppRequest(min_amount=Decimal("50.00"), max_amount=Decimal("10.00")))
    assert raised.value.status == 400


def test_editing_an_unknown_hosted_page_is_not_found(client: rp.RunClient) -> None:
    with pytest.raises(rp.NotFoundError):
        client.hpp.update("0" * 32, rp.HppRequest(name="nobody"))
