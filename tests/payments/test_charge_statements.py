"""What a charge sends to the database: a card seen before is not looked up again, and on
PostgreSQL a plain approved charge is one statement, committed on its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from homerun.idempotency import service as idempotency
from homerun.runtime import Runtime
from homerun.tokenizer.models import CardToken
from tests.conftest import MerchantAccess
from tests.helpers import VISA, charge, events, transaction


@dataclass
class Sent:
    statements: list[str] = field(default_factory=list)
    begins: int = 0  # BEGINs that reached the database (not those of autocommit)
    # Statements, BEGINs and COMMITs in the order they were sent.
    trail: list[str] = field(default_factory=list)

    def touching(self, table: str) -> list[str]:
        return [s for s in self.statements if table in s]


@contextmanager
def sent_to(runtime: Runtime) -> Iterator[Sent]:
    engine = runtime.db.engine.sync_engine
    sent = Sent()

    def statement(_conn: Any, _cursor: Any, text: str, *_: Any) -> None:
        sent.statements.append(text)
        sent.trail.append(text)

    def reaches_database(connection: Any) -> bool:
        return bool(connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT")

    def begin(connection: Any) -> None:
        if reaches_database(connection):
            sent.begins += 1
            sent.trail.append("BEGIN")

    def commit(connection: Any) -> None:
        if reaches_database(connection):
            sent.trail.append("COMMIT")

    listeners = {"before_cursor_execute": statement, "begin": begin, "commit": commit}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        yield sent
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)


async def token_row(runtime: Runtime, token: str) -> CardToken:
    async with runtime.db.transaction() as session:
        row = await session.scalar(select(CardToken).where(CardToken.token == token))
    assert row is not None
    return row


async def test_a_card_seen_before_is_not_looked_up_and_its_new_expiry_is_stored(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    first = (await charge(client, merchant, expiration="12/30")).json()
    second = (await charge(client, merchant, expiration="12/30")).json()  # found: remembered
    with sent_to(runtime) as sent:
        third = (await charge(client, merchant, expiration="11/31")).json()
    assert [first["result"], second["result"], third["result"]] == ["A", "A", "A"]
    token = first["account_token"]
    assert second["account_token"] == third["account_token"] == token
    assert third["expiration"] == "1131"
    assert [s for s in sent.touching("card_tokens") if s.lstrip().startswith("SELECT")] == []
    assert (await token_row(runtime, token)).expiry == "1131"
    # The stored expiry is what a charge by token without one now uses.
    by_token = (await charge(client, merchant, account_token=token, expiration=None)).json()
    assert (by_token["result"], by_token["expiration"]) == ("A", "1131")
    stored = await transaction(client, merchant, third["trans_id"])
    assert stored["state"] == "captured" and stored["amount_captured"] == 1000


async def test_a_token_made_by_a_charge_that_rolled_back_is_never_answered(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    # A CVV of the wrong length is a request fault found after the card was tokenized:
    # the unit of work, and the token row it made, roll back.
    refused = await charge(client, merchant, account_token="5555555555554444", cvn="12345")
    assert refused.status_code == 400, refused.text
    assert await events(client, merchant) == []
    first = (await charge(client, merchant, account_token="5555555555554444")).json()
    again = (await charge(client, merchant, account_token="5555555555554444")).json()
    token = first["account_token"]
    assert first["result"] == again["result"] == "A" and again["account_token"] == token
    assert (await token_row(runtime, token)).last_four == "4444"
    by_token = (await charge(client, merchant, account_token=token)).json()
    assert (by_token["result"], by_token["account_token"]) == ("A", token)


async def test_a_remembered_card_on_another_merchant_gets_that_merchants_token(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess, make_merchant: Any
) -> None:
    other = await make_merchant()
    for _ in range(2):
        own = (await charge(client, merchant)).json()["account_token"]
        theirs = (await charge(client, other)).json()["account_token"]
    assert own != theirs
    assert (await token_row(runtime, own)).last_four == (await token_row(runtime, theirs)).last_four
    for _ in range(2):  # remembered by token too, for the merchant it belongs to
        assert (await charge(client, other, account_token=theirs)).json()["result"] == "A"
    refused = (await charge(client, merchant, account_token=theirs)).json()
    assert (refused["result"], refused["resp_code"]) == ("C", "98")


async def test_an_approved_charge_on_postgresql_is_one_statement_without_begin(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    await charge(client, merchant)
    await charge(client, merchant)  # the card is now remembered, the api_key known
    with sent_to(runtime) as sent:
        answer = (await charge(client, merchant)).json()
    assert answer["result"] == "A"
    if runtime.db.engine.dialect.name == "postgresql":
        assert sent.begins == 0
        assert len(sent.statements) == 1
        assert "INSERT INTO transactions" in sent.statements[0]
        assert "INSERT INTO outbox_events" in sent.statements[0]
    else:  # SQLite: the row and its event are two statements, in one transaction
        inserts = [s for s in sent.statements if s.lstrip().startswith("INSERT")]
        assert [s.split("(")[0].strip() for s in inserts] == [
            "INSERT INTO transactions",
            "INSERT INTO outbox_events",
        ]
        # No look-up of the card; its expiry goes with the charge, changed or not.
        assert [s.split(" SET")[0] for s in sent.touching("card_tokens")] == ["UPDATE card_tokens"]
    # Committed before the answer: another connection sees the row and its event.
    stored = await transaction(client, merchant, answer["trans_id"])
    assert stored["state"] == "captured"
    mine = [
        e for e in await events(client, merchant) if e["payload"]["trans_id"] == answer["trans_id"]
    ]
    assert [e["event_type"] for e in mine] == ["transaction.entered"]


async def test_a_token_seen_before_is_not_looked_up_and_keeps_its_stored_expiry(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    made = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": "5555555555554444", "expiry": "12/30"},
        headers={"Authorization": f"Bearer {merchant.public_key}"},
    )
    token = made.json()["token"]
    first = (await charge(client, merchant, account_token=token, expiration="12/30")).json()
    with sent_to(runtime) as sent:
        again = (await charge(client, merchant, account_token=token, expiration="11/31")).json()
    assert (first["result"], again["result"]) == ("A", "A")
    assert again["account_token"] == token and again["card_number"] == "**** **** **** 4444"
    assert again["expiration"] == "1131"
    assert [s for s in sent.touching("card_tokens") if s.lstrip().startswith("SELECT")] == []
    if runtime.db.engine.dialect.name == "postgresql":
        assert (sent.begins, len(sent.statements)) == (0, 1)
    else:
        assert sent.touching("card_tokens") == []
    # A charge by token does not change the token's stored expiry, remembered or not.
    assert (await token_row(runtime, token)).expiry == "1230"
    plain = (await charge(client, merchant, account_token=token, expiration=None)).json()
    assert (plain["result"], plain["expiration"]) == ("A", "1230")


async def test_a_keyed_charge_commits_together_with_its_stored_answer(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    await charge(client, merchant)
    await charge(client, merchant)  # the card is remembered: the unkeyed path would be lone
    body = {"mid": merchant.mid, "amount": 1000, "account_token": VISA, "expiration": "12/30"}
    headers = {**merchant.headers, "Idempotency-Key": "order-77"}
    with sent_to(runtime) as sent:
        answer = await client.post("/api/v1/charge", json=body, headers=headers)
    assert answer.status_code == 200 and answer.json()["result"] == "A"
    trail = sent.trail
    insert = next(i for i, s in enumerate(trail) if "INSERT INTO transactions" in s)
    stored = next(i for i, s in enumerate(trail) if s.startswith("UPDATE idempotency_records"))
    # One transaction from before the charge's insert to after its answer is stored.
    assert insert < stored
    markers_before = [m for m in trail[:insert] if m in ("BEGIN", "COMMIT")]
    assert markers_before[-1] == "BEGIN"
    assert "COMMIT" not in trail[insert:stored]
    assert "COMMIT" in trail[stored:]
    replay = await client.post("/api/v1/charge", json=body, headers=headers)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["trans_id"] == answer.json()["trans_id"]


async def test_a_keyed_charge_whose_answer_cannot_be_stored_leaves_no_charge(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await charge(client, merchant)
    await charge(client, merchant)  # remembered: unkeyed, this charge would be one statement
    before = await events(client, merchant)

    async def broken(*_: Any) -> None:
        raise RuntimeError("the answer could not be stored")

    monkeypatch.setattr(idempotency, "finish", broken)
    body = {"mid": merchant.mid, "amount": 1000, "account_token": VISA, "expiration": "12/30"}
    headers = {**merchant.headers, "Idempotency-Key": "order-78"}
    failed = await client.post("/api/v1/charge", json=body, headers=headers)
    assert failed.status_code == 500
    # The charge rolled back with its answer: no row, no event; the key is free again.
    assert await events(client, merchant) == before
    monkeypatch.undo()
    retried = await client.post("/api/v1/charge", json=body, headers=headers)
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers
    mine = [e for e in await events(client, merchant) if e not in before]
    assert [e["payload"]["trans_id"] for e in mine] == [retried.json()["trans_id"]]
