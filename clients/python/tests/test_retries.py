"""Safe retries: a charge whose answer is lost is sent again with the same Idempotency-Key
and charges once (live Homerun behind a dropping proxy); transport faults Homerun cannot
make on demand (a reset mid-answer, 5xx, 409, 429) are played by respx."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import httpx
import pytest
import respx
import runpayments as rp
from dropping_proxy import DroppingProxy
from live_homerun import LiveHomerun

from conftest import FAST, Merchant, card

RUN = "https://run.test"
APPROVED = {
    "result": "A",
    "resp_code": "00",
    "resp_text": "Approval",
    "resp_proc": "SIM",
    "mid": "800000001780",
    "trans_id": "7",
    "amount": 1234,
}


def test_a_charge_whose_answer_was_lost_charges_once(
    homerun: LiveHomerun, fresh_merchant: Merchant
) -> None:
    merchant = fresh_merchant
    with (
        DroppingProxy(homerun.base_url, drops=1) as proxy,
        rp.RunClient(
            proxy.url,
            mid=merchant.mid,
            api_key=merchant.api_key,
            refresh_token=merchant.refresh_token,
            retry=FAST,
        ) as client,
    ):
        charged = client.payments.charge(card(amount=Decimal("42.00")))
    assert (charged.result, charged.amount) == ("A", Decimal("42.00"))
    (first_path, first_key, first_replayed), (path, key, replayed) = proxy.seen
    assert (first_path, path, first_replayed, replayed) == (
        "/api/v1/charge",
        "/api/v1/charge",
        None,
        "true",
    )
    assert first_key == key and key is not None
    events = homerun.get(f"/homerun/v1/merchants/{merchant.mid}/events")["items"]
    assert [e["event_type"] for e in events] == ["transaction.entered"]


def run_client(attempts: int = FAST.attempts) -> rp.RunClient:
    policy = dataclasses.replace(FAST, attempts=attempts)
    return rp.RunClient(RUN, mid="800000001780", api_key="sk", refresh_token="rt", retry=policy)


@respx.mock
def test_a_reset_mid_answer_is_retried_with_the_same_key() -> None:
    route = respx.post(f"{RUN}/api/v1/charge").mock(
        side_effect=[
            httpx.ReadError("connection reset by peer"),
            httpx.Response(200, json=APPROVED),
        ]
    )
    with run_client() as client:
        charged = client.payments.charge(card(amount=Decimal("12.34")))
    assert charged.amount == Decimal("12.34")  # integer cents read as dollars
    keys = [call.request.headers["Idempotency-Key"] for call in route.calls]
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 32
    assert json.loads(route.calls[0].request.content)["amount"] == "12.34"


@respx.mock
@pytest.mark.parametrize("status", [409, 429, 500, 502, 503])
def test_in_progress_rate_limited_and_server_errors_are_retried(status: int) -> None:
    busy = httpx.Response(
        status, json={"message": "busy", "code": "busy"}, headers={"Retry-After": "0"}
    )
    route = respx.post(f"{RUN}/api/v1/charge").mock(
        side_effect=[busy, httpx.Response(200, json=APPROVED)]
    )
    with run_client() as client:
        assert client.payments.charge(card()).result == "A"
    assert route.call_count == 2


@respx.mock
def test_server_errors_give_up_after_the_policy_attempts() -> None:
    route = respx.post(f"{RUN}/api/v1/charge").mock(
        return_value=httpx.Response(503, json={"message": "down", "code": "unavailable"})
    )
    with run_client(attempts=3) as client, pytest.raises(rp.ServerError) as raised:
        client.payments.charge(card())
    assert (route.call_count, raised.value.status, raised.value.code) == (3, 503, "unavailable")


@respx.mock
def test_connection_failures_end_as_api_connection_error() -> None:
    route = respx.post(f"{RUN}/api/v1/charge").mock(side_effect=httpx.ConnectError("refused"))
    with run_client(attempts=2) as client, pytest.raises(rp.APIConnectionError):
        client.payments.charge(card())
    assert route.call_count == 2


@respx.mock
def test_a_bad_request_and_a_retry_later_result_are_sent_once() -> None:
    bad = respx.post(f"{RUN}/api/v1/capture").mock(
        return_value=httpx.Response(
            400,
            json={
                "message": "amount: bad",
                "code": "invalid_request",
                "errors": {"amount": ["bad"]},
            },
        )
    )
    later = respx.post(f"{RUN}/api/v1/charge").mock(
        return_value=httpx.Response(200, json={**APPROVED, "result": "B", "resp_code": "62"})
    )
    with run_client() as client:
        with pytest.raises(rp.InvalidRequestError) as raised:
            client.payments.capture(rp.CaptureRequest(trans_id="7"))
        assert client.payments.charge(card()).retry_later
    assert raised.value.errors == {"amount": ["bad"]}
    assert (bad.call_count, later.call_count) == (1, 1)


@respx.mock
def test_the_digit_string_amount_is_cents_as_the_integer_is() -> None:
    # Homerun echoes {"amount": "1234"} as 1234 today and as "1234" after a fix: both are $12.34.
    respx.post(f"{RUN}/api/v1/charge").mock(
        side_effect=[
            httpx.Response(200, json={**APPROVED, "amount": "1234"}),
            httpx.Response(200, json={**APPROVED, "amount": 1234}),
            httpx.Response(200, json={**APPROVED, "amount": "12.34"}),
        ]
    )
    with run_client() as client:
        amounts = [client.payments.charge(card()).amount for _ in range(3)]
    assert amounts == [Decimal("12.34")] * 3


REFRESHED = {
    "api_key": "sk_new",
    "public_key": "pk",
    "refresh_token": "rt_new",
    "api_key_expires_at": 4_102_444_800,
    "refresh_token_expires_at": 4_102_444_800,
}


@respx.mock
async def test_the_async_client_retries_a_reset_and_refreshes_on_a_401() -> None:
    charge = respx.post(f"{RUN}/api/v1/charge").mock(
        side_effect=[
            httpx.ReadError("connection reset by peer"),
            httpx.Response(401, json={"message": "Key not found", "code": "key_not_found"}),
            httpx.Response(200, json=APPROVED),
        ]
    )
    refresh = respx.post(f"{RUN}/api/v1/api_keys/refresh").mock(
        return_value=httpx.Response(200, json=REFRESHED)
    )
    store = rp.MemoryStore()
    async with rp.AsyncRunClient(
        RUN,
        mid="800000001780",
        api_key="sk_old",
        refresh_token="rt_old",
        credential_store=store,
        retry=FAST,
    ) as client:
        charged = await client.payments.charge(card())
    assert charged.result == "A"
    sent = [
        (c.request.headers["Authorization"], c.request.headers["Idempotency-Key"])
        for c in charge.calls
    ]
    assert [auth for auth, _ in sent] == ["Bearer sk_old", "Bearer sk_old", "Bearer sk_new"]
    assert sent[0][1] == sent[1][1] != sent[2][1]  # a new key only after the refused request
    assert refresh.calls[0].request.headers["Authorization"] == "Bearer rt_old"
    assert json.loads(refresh.calls[0].request.content) == {"token": "rt_old"}
    saved = store.load()
    assert saved is not None
    assert (saved.api_key, saved.refresh_token, saved.pending_refresh) == ("sk_new", "rt_new", None)
