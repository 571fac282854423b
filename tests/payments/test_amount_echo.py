"""Ruling R3: an answer's amount takes the form of the request's, a string of digits too.

`"1234"` (a string of digits) means 1234 cents, like `1234`, and is answered `"1234"`:
on the charge, the capture and the void or refund; a later call without an amount
answers in the form of the original charge.
"""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import MerchantAccess
from tests.helpers import charge, events, post, settle, transaction


@pytest.mark.parametrize(("amount", "echo"), [("1234", "1234"), (1234, 1234), ("12.34", "12.34")])
async def test_a_charge_echoes_its_amount_in_the_form_sent(
    client: httpx.AsyncClient, merchant: MerchantAccess, amount: object, echo: object
) -> None:
    answer = await charge(client, merchant, amount=amount)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["result"] == "A"
    assert body["amount"] == echo and type(body["amount"]) is type(echo)
    stored = await transaction(client, merchant, body["trans_id"])
    assert stored["amount_authorized"] == stored["amount_captured"] == 1234


async def test_a_capture_of_digits_echoes_digits(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    auth = (await charge(client, merchant, amount=2000, capture="N")).json()
    answer = await post(
        client, merchant, "/api/v1/capture", trans_id=auth["trans_id"], amount="1500"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "A" and answer.json()["amount"] == "1500"
    assert (await transaction(client, merchant, auth["trans_id"]))["amount_captured"] == 1500


async def test_a_void_of_digits_echoes_digits(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    sale = (await charge(client, merchant, amount=3000)).json()
    answer = await post(
        client, merchant, "/api/v1/void-or-refund", trans_id=sale["trans_id"], amount="1000"
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["result"] == "A" and body["amount"] == "1000"
    assert (await transaction(client, merchant, sale["trans_id"]))["amount_captured"] == 2000


async def test_a_refund_without_an_amount_answers_in_the_charge_s_form(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    sale = (await charge(client, merchant, amount="2500")).json()
    assert sale["amount"] == "2500"
    await settle(client, merchant)
    answer = await post(client, merchant, "/api/v1/refund", trans_id=sale["trans_id"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["result"] == "A" and body["amount"] == "2500"
    assert [e["event_type"] for e in await events(client, merchant)] == [
        "transaction.entered",
        "transaction.refund",
    ]
