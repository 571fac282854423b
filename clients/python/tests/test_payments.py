"""Charge, capture, void-or-refund and surcharge against Homerun: approvals, declines and
refusals come back as values; bad input raises InvalidRequestError naming the field."""

from __future__ import annotations

from decimal import Decimal

import pytest
import runpayments as rp

from conftest import card


def test_an_approved_charge_is_a_typed_transaction(client: rp.RunClient) -> None:
    charged = client.payments.charge(card(cvn="123", account_zip="19106"))
    assert (charged.result, charged.resp_code, charged.resp_text) == ("A", "00", "Approval")
    assert charged.approved and not charged.declined and not charged.retry_later
    assert charged.amount == Decimal("10.00")
    assert charged.fee_amount == Decimal("0.00")
    assert (charged.mid, charged.resp_proc, charged.trans_type) == (client.mid, "SIM", "sale")
    assert (charged.cvv_resp, charged.avs_resp, charged.card_brand) == ("M", "Z", "VISA")


def test_an_issuer_decline_is_a_value_not_an_exception(client: rp.RunClient) -> None:
    declined = client.payments.charge(card("4000000000009995"))
    assert (declined.result, declined.resp_code, declined.resp_text) == (
        "C",
        "51",
        "Insufficient funds",
    )
    assert declined.declined and not declined.approved


def test_a_processor_timeout_is_retry_later_and_is_sent_once(client: rp.RunClient) -> None:
    unknown = client.payments.charge(card("4000000000000119"))
    assert (unknown.result, unknown.resp_code, unknown.resp_text) == ("B", "62", "Timed out")
    assert unknown.retry_later


def test_a_malformed_expiry_raises_with_the_field_named(client: rp.RunClient) -> None:
    with pytest.raises(rp.InvalidRequestError) as raised:
        client.payments.charge(card(expiration="13/99"))
    assert raised.value.status == 400
    assert raised.value.code == "invalid_request"
    assert list(raised.value.errors) == ["expiration"]


def test_more_than_two_decimals_never_leaves_the_client() -> None:
    with pytest.raises(ValueError, match="more than two decimal places"):
        card(amount=Decimal("10.001")).wire()


def test_capture_part_of_an_authorization_then_refused_after_void(client: rp.RunClient) -> None:
    auth = client.payments.charge(card(amount="25.00", capture=False))
    assert (auth.result, auth.trans_type) == ("A", "auth")
    captured = client.payments.capture(
        rp.CaptureRequest(trans_id=auth.trans_id or "", amount=Decimal("20.00"))
    )
    assert (captured.result, captured.amount, captured.trans_id) == (
        "A",
        Decimal("20.00"),
        auth.trans_id,
    )
    voided = client.payments.void_or_refund(rp.VoidOrRefundRequest(trans_id=auth.trans_id or ""))
    assert (voided.result, voided.trans_type, voided.amount) == ("A", "void", Decimal("20.00"))
    again = client.payments.capture(rp.CaptureRequest(trans_id=auth.trans_id or ""))
    assert (again.result, again.resp_code, again.resp_proc) == ("C", "94", "PPS")
    assert again.reason is not None


def test_a_capture_without_a_transaction_id_raises(client: rp.RunClient) -> None:
    with pytest.raises(rp.InvalidRequestError) as raised:
        client.payments.capture(rp.CaptureRequest(trans_id=""))
    assert list(raised.value.errors) == ["trans_id"]


def test_void_or_refund_of_an_unknown_transaction_is_code_29(client: rp.RunClient) -> None:
    refused = client.payments.void_or_refund(rp.VoidOrRefundRequest(trans_id="999999999"))
    assert (refused.result, refused.resp_code, refused.resp_text) == ("C", "29", "Txn not found")


def test_void_or_refund_with_a_bad_action_raises(client: rp.RunClient) -> None:
    with pytest.raises(rp.InvalidRequestError) as raised:
        client.payments.void_or_refund(rp.VoidOrRefundRequest(trans_id="1", action="cancel"))
    assert list(raised.value.errors) == ["action"]


def test_surcharge_check(client: rp.RunClient) -> None:
    checked = client.payments.surcharge(
        rp.SurchargeRequest(
            account_token="4111111111111111", postal="19106", amount=Decimal("100.00")
        )
    )
    assert (checked.token, checked.fee_amount, checked.fee_rate) == ("CREDIT", Decimal("0.00"), 0)


def test_surcharge_without_a_postal_code_raises(client: rp.RunClient) -> None:
    with pytest.raises(rp.InvalidRequestError) as raised:
        client.payments.surcharge(rp.SurchargeRequest(account_token="4111111111111111", postal=""))
    assert list(raised.value.errors) == ["postal"]


def test_another_merchants_mid_is_permission_denied(client: rp.RunClient) -> None:
    with pytest.raises(rp.PermissionDeniedError) as raised:
        client.payments.charge(card(mid="000000000001"))
    assert raised.value.status == 403


async def test_the_async_client_charges_and_refunds(aclient: rp.AsyncRunClient) -> None:
    charged = await aclient.payments.charge(card(amount=Decimal("7.50")))
    assert (charged.result, charged.amount) == ("A", Decimal("7.50"))
    voided = await aclient.payments.void_or_refund(
        rp.VoidOrRefundRequest(trans_id=charged.trans_id or "", amount=Decimal("2.50"))
    )
    assert (voided.result, voided.trans_type, voided.amount) == ("A", "void", Decimal("2.50"))
