"""Concurrent captures, voids and refunds of one transaction never move more than it holds.

Fifty requests go at once through the ASGI client (asyncio.gather): on SQLite the
writers queue on BEGIN IMMEDIATE, on PostgreSQL on the row lock (FOR UPDATE).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import charge, events, post, settle, transaction

N = 50
SURCHARGE_3 = {"surcharge_enabled": True, "surcharge_rate": "3.00"}


def cents(dollars: str) -> int:
    whole, frac = dollars.lstrip("-").split(".")
    value = int(whole) * 100 + int(frac)
    return -value if dollars.startswith("-") else value


async def all_at_once(
    client: httpx.AsyncClient, m: MerchantAccess, calls: list[tuple[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    answers = await asyncio.gather(*(post(client, m, path, **body) for path, body in calls))
    for answer in answers:
        assert answer.status_code == 200, answer.text
    return [answer.json() for answer in answers]


async def sale(client: httpx.AsyncClient, m: MerchantAccess, amount: int, **fields: Any) -> str:
    body = (await charge(client, m, amount=amount, **fields)).json()
    assert body["result"] == "A", body
    trans_id: str = body["trans_id"]
    return trans_id


async def authorize(client: httpx.AsyncClient, m: MerchantAccess, amount: int) -> str:
    body = (await charge(client, m, amount=amount, capture="N")).json()
    assert (body["result"], body["trans_type"]) == ("A", "auth"), body
    trans_id: str = body["trans_id"]
    return trans_id


async def merchant_for(make_merchant: MerchantFactory, surcharged: bool) -> MerchantAccess:
    return await make_merchant(**SURCHARGE_3) if surcharged else await make_merchant()


# ---------------------------------------------------------------- refunds


@pytest.mark.parametrize("surcharged", [False, True], ids=["plain", "surcharged"])
async def test_concurrent_equal_refunds_fit_exactly(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, surcharged: bool
) -> None:
    """50 refunds of $7.00 against $100.00: exactly 14 fit, the other 36 are refused."""
    m = await merchant_for(make_merchant, surcharged)
    trans_id = await sale(client, m, 10000, account_zip="19106")
    await settle(client, m)
    before_events = len(await events(client, m))
    answers = await all_at_once(
        client, m, [("/api/v1/refund", {"trans_id": trans_id, "amount": 700})] * N
    )
    ok = [a for a in answers if a["result"] == "A"]
    refused = [a for a in answers if a["result"] != "A"]
    assert len(ok) == 14
    assert {(a["result"], a["resp_code"], a["resp_text"]) for a in refused} == {
        ("C", "43", "Invalid amount")
    }
    assert len({a["trans_id"] for a in ok}) == 14 and trans_id not in {a["trans_id"] for a in ok}
    assert sorted(a["amount_refunded"] for a in ok) == [700 * k for k in range(1, 15)]
    stored = await transaction(client, m, trans_id)
    assert (stored["state"], stored["amount_captured"], stored["amount_refunded"]) == (
        "partially_refunded",
        10000,
        9800,
    )
    fee_refunded = sum(cents(a["fee_amount"]) for a in ok)
    assert stored["fee_refunded"] == fee_refunded
    assert fee_refunded <= cents(stored["fee_amount"])
    if surcharged:
        assert cents(stored["fee_amount"]) == 300 and fee_refunded == 294
    found = (await events(client, m))[before_events:]
    assert [e["event_type"] for e in found] == ["transaction.partialrefund"] * 14
    assert sum(cents(e["payload"]["reversed_amount"]) for e in found) == 9800
    settled = await settle(client, m)
    assert settled["transaction_count"] == 14
    assert cents(settled["net_amount"]) == -(9800 + fee_refunded)


@pytest.mark.parametrize("surcharged", [False, True], ids=["plain", "surcharged"])
async def test_concurrent_uneven_refunds_never_exceed_the_capture(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, surcharged: bool
) -> None:
    m = await merchant_for(make_merchant, surcharged)
    trans_id = await sale(client, m, 10000, account_zip="19106")
    await settle(client, m)
    wanted = [150 + 61 * i for i in range(N)]  # $1.50 .. $31.39, $792.25 in all
    answers = await all_at_once(
        client, m, [("/api/v1/void-or-refund", {"trans_id": trans_id, "amount": w}) for w in wanted]
    )
    ok = [(w, a) for w, a in zip(wanted, answers, strict=True) if a["result"] == "A"]
    refused = [(w, a) for w, a in zip(wanted, answers, strict=True) if a["result"] != "A"]
    refunded = sum(w for w, _ in ok)
    assert 0 < refunded <= 10000
    assert all(a["amount"] == w and a["trans_type"] == "refund" for w, a in ok)
    stored = await transaction(client, m, trans_id)
    assert (stored["amount_captured"], stored["amount_refunded"]) == (10000, refunded)
    remaining = 10000 - refunded
    for w, a in refused:
        # What remained only shrank, so a refused refund did not fit at the end either.
        assert w > remaining
        assert (a["resp_code"], a["resp_text"]) in {("43", "Invalid amount"), ("94", "No action")}
        if a["resp_code"] == "94":
            assert remaining == 0
    assert stored["state"] == ("refunded" if remaining == 0 else "partially_refunded")
    fee_refunded = sum(cents(a["fee_amount"]) for _, a in ok)
    assert stored["fee_refunded"] == fee_refunded <= cents(stored["fee_amount"])
    found = [
        e
        for e in await events(client, m)
        if e["event_type"] in ("transaction.partialrefund", "transaction.refund")
    ]
    assert len(found) == len(ok)
    assert sum(cents(e["payload"]["reversed_amount"]) for e in found) == refunded
    assert cents((await settle(client, m))["net_amount"]) == -(refunded + fee_refunded)


async def test_concurrent_full_refunds_refund_once(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await sale(client, merchant, 4321)
    await settle(client, merchant)
    answers = await all_at_once(client, merchant, [("/api/v1/refund", {"trans_id": trans_id})] * N)
    ok = [a for a in answers if a["result"] == "A"]
    assert len(ok) == 1 and ok[0]["amount"] == 4321
    assert {(a["resp_code"], a["resp_text"]) for a in answers if a["result"] != "A"} == {
        ("94", "No action")
    }
    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["amount_refunded"]) == ("refunded", 4321)
    kinds = [e["event_type"] for e in await events(client, merchant)]
    assert kinds == ["transaction.entered", "transaction.refund"]


# ---------------------------------------------------------------- captures and voids


async def test_concurrent_captures_capture_once(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, 10000)
    wanted = [100 * (i + 1) for i in range(N)]  # $1 .. $50, all within the authorization
    answers = await all_at_once(
        client,
        merchant,
        [("/api/v1/capture", {"trans_id": trans_id, "amount": w}) for w in wanted],
    )
    ok = [(w, a) for w, a in zip(wanted, answers, strict=True) if a["result"] == "A"]
    assert len(ok) == 1
    captured = ok[0][0]
    assert {(a["resp_code"], a["resp_text"]) for a in answers if a["result"] != "A"} == {
        ("94", "No action")
    }
    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["amount_authorized"], stored["amount_captured"]) == (
        "captured",
        10000,
        captured,
    )
    kinds = [e["event_type"] for e in await events(client, merchant)]
    assert kinds == ["transaction.entered", "transaction.capture"]
    assert cents((await settle(client, merchant))["net_amount"]) == captured


async def test_concurrent_partial_voids_of_a_sale_fit_exactly(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """50 voids of $3.00 against a $100.00 sale: 33 fit, $1.00 is left to settle."""
    trans_id = await sale(client, merchant, 10000)
    answers = await all_at_once(
        client, merchant, [("/api/v1/void", {"trans_id": trans_id, "amount": "3.00"})] * N
    )
    ok = [a for a in answers if a["result"] == "A"]
    assert len(ok) == 33 and all(a["trans_id"] == trans_id for a in ok)
    assert {(a["resp_code"], a["resp_text"]) for a in answers if a["result"] != "A"} == {
        ("43", "Invalid amount")
    }
    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["amount_captured"]) == ("captured", 100)
    kinds = [e["event_type"] for e in await events(client, merchant)]
    assert kinds == ["transaction.entered"] + ["transaction.void"] * 33
    assert (await settle(client, merchant))["net_amount"] == "1.00"


async def test_concurrent_captures_and_voids_on_one_authorization(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """Captures of $30 and partial voids of $10 race on a $100 authorization.

    The outbox records the moves in the order they were made; replaying it must give
    the stored amounts, with at most one capture and never more reversed than held.
    """
    trans_id = await authorize(client, merchant, 10000)
    calls: list[tuple[str, dict[str, Any]]] = []
    for i in range(N):
        if i % 2 == 0:
            calls.append(("/api/v1/capture", {"trans_id": trans_id, "amount": 3000}))
        else:
            calls.append(("/api/v1/void", {"trans_id": trans_id, "amount": 1000}))
    answers = await all_at_once(client, merchant, calls)
    captures = [a for (path, _), a in zip(calls, answers, strict=True) if "capture" in path]
    voids = [a for (path, _), a in zip(calls, answers, strict=True) if "void" in path]
    ok_captures = [a for a in captures if a["result"] == "A"]
    ok_voids = [a for a in voids if a["result"] == "A"]
    assert len(ok_captures) <= 1
    for a in captures + voids:
        if a["result"] != "A":
            assert (a["resp_code"], a["resp_text"]) in {
                ("94", "No action"),
                ("43", "Invalid amount"),
            }
    assert sum(a["amount"] for a in ok_voids) <= 10000

    # Replay the outbox.
    state, authorized, captured = "authorized", 10000, 0
    moves = [e for e in await events(client, merchant) if e["event_type"] != "transaction.entered"]
    assert len(moves) == len(ok_captures) + len(ok_voids)
    for event in moves:
        if event["event_type"] == "transaction.capture":
            assert state == "authorized" and authorized >= 3000
            state, captured = "captured", 3000
        else:
            assert event["event_type"] == "transaction.void"
            assert cents(event["payload"]["reversed_amount"]) == 1000
            held = captured if state == "captured" else authorized
            assert held >= 1000
            held -= 1000
            if state == "captured":
                captured = held
            if held:
                authorized = held
            else:
                state = "voided"
    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["amount_authorized"], stored["amount_captured"]) == (
        state,
        authorized,
        captured,
    )
