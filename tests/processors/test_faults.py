"""Sandbox faults: a merchant's simulator slowed down, timing out or unavailable on demand,
the same attempt meeting the same fault every time."""

from __future__ import annotations

import time

import httpx
import pytest

from homerun.processors.base import AuthorizationRequest, CardData, Processor
from homerun.processors.faults import Faults, WithFaults, draw
from homerun.processors.registry import processor_for
from homerun.processors.simulator.processor import Simulator
from homerun.processors.timed import Timed
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import charge, events, transaction


def authorization(reference: str) -> AuthorizationRequest:
    return AuthorizationRequest(
        reference=reference,
        amount=1000,
        currency="USD",
        card=CardData("4111111111111111", "VISA", "1230", None),
        capture=True,
        account_zip=None,
        address1=None,
    )


def test_the_draw_is_the_same_for_a_reference_and_spread_evenly() -> None:
    assert draw("ref-1") == draw("ref-1")
    draws = [draw(f"ref-{n}") for n in range(20_000)]
    assert all(0 <= d < 10_000 for d in draws)
    below_5_percent = sum(d < 500 for d in draws)
    assert 900 <= below_5_percent <= 1100  # 5 % of 20,000, for these fixed references


async def test_shares_of_timeouts_and_errors_follow_the_draw() -> None:
    faulty = WithFaults(Simulator(), Faults(timeout_bps=1000, error_bps=2000))
    for n in range(300):
        reference = f"attempt-{n}"
        result = await faulty.authorize(authorization(reference))
        share = draw(reference)
        expected = (
            ("unknown", "62", "Timed out")
            if share < 1000
            else ("unavailable", "61", "Line down")
            if share < 3000
            else ("approved", "00", "Approval")
        )
        assert (result.outcome.value, result.resp_code, result.resp_text) == expected


async def test_latency_is_added_to_every_call() -> None:
    faulty = WithFaults(Simulator(), Faults(latency_ms=120))
    started = time.monotonic()
    await faulty.capture("ref", 1000)
    assert time.monotonic() - started >= 0.12


def test_only_the_simulator_is_given_faults_and_none_means_none() -> None:
    # Every processor comes timed (homerun_processor_duration_seconds); inside is what answers.
    assert isinstance(inner(processor_for("simulator", Faults())), Simulator)
    assert isinstance(inner(processor_for("simulator", None)), Simulator)
    assert isinstance(inner(processor_for("simulator", Faults(error_bps=1))), WithFaults)


def inner(processor: Processor) -> Processor:
    assert isinstance(processor, Timed)
    return processor.inner


async def set_faults(
    client: httpx.AsyncClient, merchant: MerchantAccess, **faults: object
) -> httpx.Response:
    return await client.patch(
        f"/homerun/v1/merchants/{merchant.mid}", json={"faults": faults}, headers=ADMIN
    )


async def test_every_charge_times_out_and_reconciles_when_the_merchant_asks(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    made = await set_faults(client, merchant, timeout_rate="100")
    assert made.status_code == 200, made.text
    assert made.json()["faults"] == {
        "latency_ms": 0,
        "timeout_rate": "100.00",
        "error_rate": "0.00",
    }

    body = (await charge(client, merchant)).json()
    assert (body["result"], body["resp_code"], body["resp_text"]) == ("B", "62", "Timed out")
    assert await events(client, merchant) == []
    reconciled = await client.post(
        f"/homerun/v1/merchants/{merchant.mid}/transactions/{body['trans_id']}/reconcile",
        headers=ADMIN,
    )
    assert reconciled.json()["result"] == "A"


async def test_an_unavailable_processor_is_result_b_and_moves_no_money(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    assert (await set_faults(client, merchant, error_rate="100.00")).status_code == 200

    body = (await charge(client, merchant)).json()
    assert (body["result"], body["resp_code"], body["resp_text"]) == ("B", "61", "Line down")
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_authorized"], stored["amount_captured"]) == (
        "declined",
        0,
        0,
    )
    # Declined like any charge the processor did not take: no money, one decline event.
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.decline"]

    # Faults off again: the next charge is approved.
    assert (await set_faults(client, merchant)).json()["faults"]["error_rate"] == "0.00"
    assert (await charge(client, merchant)).json()["result"] == "A"


async def test_latency_slows_the_merchants_charges(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    assert (await set_faults(client, merchant, latency_ms=150)).status_code == 200
    started = time.monotonic()
    assert (await charge(client, merchant)).json()["result"] == "A"
    assert time.monotonic() - started >= 0.15


@pytest.mark.parametrize(
    ("faults", "field", "problem"),
    [
        ({"timeout_rate": "101"}, "faults.timeout_rate", "between 0 and 100.00 percent"),
        ({"error_rate": "abc"}, "faults.error_rate", "must be a percentage"),
        ({"latency_ms": 30_001}, "faults.latency_ms", "30000"),
        ({"timeout_rate": "60", "error_rate": "50"}, "faults", "more than 100 percent"),
    ],
)
async def test_bad_faults_are_refused_and_change_nothing(
    client: httpx.AsyncClient,
    merchant: MerchantAccess,
    faults: dict[str, object],
    field: str,
    problem: str,
) -> None:
    refused = await set_faults(client, merchant, **faults)
    assert refused.status_code == 400, refused.text
    errors = refused.json()["errors"]
    assert field in errors and problem in " ".join(errors[field]), errors
    shown = await client.get(f"/homerun/v1/merchants/{merchant.mid}", headers=ADMIN)
    assert shown.json()["faults"] == {"latency_ms": 0, "timeout_rate": "0.00", "error_rate": "0.00"}
    assert (await charge(client, merchant)).json()["result"] == "A"
