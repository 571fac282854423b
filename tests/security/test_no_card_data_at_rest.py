"""No card number and no CVV on disk or in the logs (PCI DSS requirement 3, in spirit).

A scenario with known test cards runs on a database of its own: tokenizing, charging
(a test number as account_token, with an Idempotency-Key), $0 verification, vaulting,
vault updates, a decline, faulty requests, a billing plan charged by the clock. Then
the SQLite file and its -wal (or a pg_dump), the idempotency records, the outbox
payloads and every captured log line (SQL with its parameters included, and the request
log's JSON lines as written in production) are searched for those numbers and CVVs.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from homerun.idempotency.models import IdempotencyRecord
from homerun.observability.logging import REQUEST_LOGGER
from homerun.outbox.models import OutboxEvent
from tests.billing.support import rule
from tests.conftest import ADMIN, MerchantAccess
from tests.isolated import (
    Isolated,
    isolated_app,
    isolated_database,
    migrate,
    new_merchant,
    settings_for,
)
from tests.observability.support import rendered

# Test cards and the CVVs sent with them. CVVs are chosen so that, as whole numbers,
# nothing else in a small database spells them (ids stay small, amounts are round).
CARDS = {
    "4111111111111111": "947",
    "5555555555554444": "958",
    "378282246310005": "9163",
    "6011000990139424": "976",
    "4000000000009995": "983",  # declines 51
    "4788250000121443": "991",
}
SECRETS = [*CARDS, *CARDS.values()]


def pan_forms(pan: str) -> list[str]:
    spaced = " ".join(pan[i : i + 4] for i in range(0, len(pan), 4))
    return [pan, spaced, spaced.replace(" ", "-")]


def cvv_pattern(cvv: str) -> re.Pattern[bytes]:
    """The CVV as a whole value: not inside a longer number, hex string or uuid, and not
    the fraction of a decimal (a request's duration_ms of 12.947, "cached since 0.983s")."""
    return re.compile(rb"(?<![0-9A-Za-z-])(?<![0-9]\.)" + cvv.encode() + rb"(?![0-9A-Za-z-])")


def leaks(blob: bytes, *, stored: bool = True) -> list[str]:
    found = [pan for pan in CARDS for form in pan_forms(pan) if form.encode() in blob]
    found += [cvv for cvv in CARDS.values() if cvv_pattern(cvv).search(blob)]
    if stored:  # a stored CVV would sit beside its field name in some JSON
        found += [key for key in ('"cvn"', '"cvv"') if key.encode() in blob]
    return sorted(set(found))


async def scenario(client: httpx.AsyncClient, runtime: Any) -> MerchantAccess:
    m = await new_merchant(client)
    public = {"Authorization": f"Bearer {m.public_key}"}
    tokens: dict[str, str] = {}
    for pan, cvv in CARDS.items():
        answer = await client.post(
            "/homerun/v1/tokens",
            json={"account_number": pan, "expiry": "12/30", "cvv": cvv},
            headers=public,
        )
        assert answer.status_code == 200, answer.text
        tokens[pan] = answer.json()["account_token"]
    for n, (pan, cvv) in enumerate(CARDS.items()):
        # The sandbox takes the number itself as account_token; keyed, so it is stored.
        answer = await client.post(
            "/api/v1/charge",
            json={
                "mid": m.mid,
                "amount": "20.00",
                "account_token": pan,
                "expiration": "12/30",
                "cvn": cvv,
                "vault": "Y",
                "cof": "C",
                "cof_perm": "Y",
                "custom_06": "customer",
            },
            headers={**m.headers, "Idempotency-Key": f"charge-{n}"},
        )
        assert answer.status_code == 200, answer.text
        verify = await client.post(
            "/api/v1/charge",
            json={
                "mid": m.mid,
                "amount": "0.00",
                "capture": "N",
                "vault": "Y",
                "account_token": tokens[pan],
                "cvn": cvv,
            },
            headers=m.headers,
        )
        assert verify.status_code == 200, verify.text
    # A vault account made, re-carded and charged; faulty requests that carry cards.
    made = await client.post(
        "/api/v1/vault_payment_accounts",
        json={"mid": m.mid, "name": "Jane", "account_token": tokens["4111111111111111"]},
        headers={**m.headers, "Idempotency-Key": "vault-1"},
    )
    assert made.status_code == 200, made.text
    account = made.json()
    changed = await client.put(
        f"/api/v1/vault_payment_accounts/{account['uuid']}",
        json={"account_token": "5555555555554444", "expiration": "1230"},
        headers=m.headers,
    )
    assert changed.status_code == 200, changed.text
    for bad, status in (
        ({"mid": m.mid, "amount": 1.5, "account_token": "4111111111111111", "cvn": "947"}, 400),
        ({"mid": m.mid, "amount": 100, "account_token": "378282246310005", "cvn": "94x"}, 200),
        ({"mid": m.mid, "amount": 100, "account_token": "4111111111111111", "cvn": "9163"}, 400),
    ):
        answer = await client.post("/api/v1/charge", json=bad, headers=m.headers)
        assert answer.status_code == status, answer.text
        assert leaks(answer.content, stored=False) == []
    refused = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": "4111111111111112", "expiry": "12/30", "cvv": "947"},
        headers=public,
    )
    assert refused.status_code == 400 and leaks(refused.content, stored=False) == []
    # A billing plan, charged by the clock.
    start = (runtime.clock.now() + timedelta(days=1)).replace(microsecond=0)
    plan = await client.post(
        "/api/v1/billing_plans",
        json={
            "name": "Plan",
            "mid": m.mid,
            "payment_account_uuid": account["uuid"],
            "amount": "5.00",
            "rrule_pattern": rule(start, "FREQ=DAILY;COUNT=2"),
        },
        headers=m.headers,
    )
    assert plan.status_code == 200, plan.text
    advanced = await client.post(
        "/homerun/v1/clock/advance",
        json={"until": (start + timedelta(days=2)).isoformat()},
        headers=ADMIN,
    )
    assert advanced.status_code == 200, advanced.text
    return m


async def pg_dump(database: Isolated) -> bytes:
    assert database.pg_name is not None
    proc = await asyncio.create_subprocess_exec(
        "pg_dump",
        "--no-owner",
        "-h",
        "127.0.0.1",
        "-U",
        "postgres",
        database.pg_name,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    assert b"COPY public.card_tokens" in out and b"COPY public.transactions" in out
    return out


async def test_no_card_number_or_cvv_on_disk_or_in_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Every statement and its parameters as sent to the database, into the captured log.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    async with isolated_database("homerun_no_pan") as database:
        await migrate(database.url)
        async with isolated_app(settings_for(database.url)) as (runtime, client):
            await scenario(client, runtime)
            async with runtime.db.transaction() as session:
                stored = [
                    record.response_body or b""
                    for record in (await session.scalars(select(IdempotencyRecord))).all()
                ]
                payloads = [
                    repr(event.payload).encode()
                    for event in (await session.scalars(select(OutboxEvent))).all()
                ]
            assert len(stored) == len(CARDS) + 1 and all(stored)
            assert len(payloads) >= 2 * len(CARDS)
            assert leaks(b"\n".join(stored)) == []
            assert leaks(b"\n".join(payloads)) == []
            if database.sqlite_path is not None:
                # While the app is open, much of what was written is still in the -wal.
                wal = database.sqlite_path.with_name(database.sqlite_path.name + "-wal")
                assert wal.exists() and wal.stat().st_size > 0
                assert leaks(wal.read_bytes()) == []
                assert leaks(database.sqlite_path.read_bytes()) == []
            else:
                assert leaks(await pg_dump(database)) == []
        if database.sqlite_path is not None:
            assert leaks(database.sqlite_path.read_bytes()) == []  # after the checkpoint
    logged = "\n".join(
        record.getMessage() + (record.exc_text or "") for record in caplog.records
    ).encode()
    assert b"INSERT INTO card_tokens" in logged  # the SQL log really was captured
    assert leaks(logged, stored=False) == []
    # The request log, rendered as production writes it: one JSON line per request.
    lines = [rendered(r) for r in caplog.records if r.name == REQUEST_LOGGER]
    requests = b"\n".join(line.encode() for line in lines)
    assert requests.count(b'"route":"/api/v1/charge"') == 2 * len(CARDS) + 3
    assert requests.count(b'"route":"/homerun/v1/tokens"') == len(CARDS) + 1
    assert leaks(requests, stored=False) == []
