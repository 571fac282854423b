"""Model details that no live answer exercises: Run's spelled-out result, secrets kept out
of reprs, and unknown answer fields kept readable."""

from __future__ import annotations

from decimal import Decimal

import runpayments as rp

ANSWER = {"resp_code": "00", "resp_text": "Approval", "resp_proc": "SIM", "mid": "800000001780"}


def test_runs_spelled_out_result_is_read_as_its_letter() -> None:
    words = ["Approved", "A", "retry", "Declined"]
    read = [rp.Transaction.model_validate({**ANSWER, "result": w}).result for w in words]
    assert read == [rp.Result.APPROVED, rp.Result.APPROVED, rp.Result.RETRY, rp.Result.DECLINED]


def test_secrets_are_not_in_reprs() -> None:
    shown = repr(rp.ApiCredentials("sk_test_secret", "rt_test_secret", 1)) + repr(
        rp.ClientCredentials("rep_1", "client-secret")
    )
    assert "secret" not in shown.replace("ClientCredentials", "")
    assert shown == (
        "ApiCredentials(api_key_expires_at=1, pending_refresh=None)"
        "ClientCredentials(client_id='rep_1')"
    )


def test_fields_a_newer_server_adds_stay_readable() -> None:
    answer = rp.Transaction.model_validate(
        {**ANSWER, "result": "A", "amount": 500, "emv_tag": "9F26"}
    )
    assert (answer.amount, answer.model_extra) == (Decimal("5.00"), {"emv_tag": "9F26"})
