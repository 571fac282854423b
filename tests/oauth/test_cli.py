"""`homerun oauth-clients ...` and `homerun seed`, run as an operator would: subprocesses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from homerun.app import create_app
from homerun.config import Settings
from homerun.startup import open_runtime
from tests.commands import homerun as run_homerun
from tests.conftest import MerchantAccess
from tests.oauth.support import REPORTING_TOKEN, basic
from tests.processes import fresh_database


async def homerun(db_url: str, *args: str) -> tuple[int, str, str]:
    # Wide, so that no line of output wraps.
    return await run_homerun(db_url, *args, COLUMNS="200")


def last_json(text: str) -> dict[str, Any]:
    """The JSON object at the end of the command's output."""
    body: dict[str, Any] = json.loads(text[text.index("{") :])
    return body


async def test_create_rotate_and_revoke_a_client(
    client: httpx.AsyncClient, settings: Settings, merchant: MerchantAccess
) -> None:
    code, out, err = await homerun(
        settings.database_url,
        "oauth-clients",
        "create",
        "--name",
        "Books",
        "--mid",
        merchant.mid,
        "--mid",
        merchant.mid,
    )
    assert code == 0, err
    made = last_json(out)
    assert made["audience"] == "reporting" and made["mids"] == [merchant.mid]
    form = {"grant_type": "client_credentials"}
    answer = await client.post(
        REPORTING_TOKEN, data=form, headers=basic(made["client_id"], made["client_secret"])
    )
    assert answer.status_code == 200, answer.text

    code, out, err = await homerun(
        settings.database_url, "oauth-clients", "rotate", made["client_id"], "--overlap", "0"
    )
    assert code == 0, err
    rotated = last_json(out)
    assert rotated["client_secret"] != made["client_secret"]
    new = basic(made["client_id"], rotated["client_secret"])
    assert (await client.post(REPORTING_TOKEN, data=form, headers=new)).status_code == 200

    code, out, err = await homerun(
        settings.database_url, "oauth-clients", "revoke", made["client_id"]
    )
    assert code == 0, err
    # The command had a runtime of its own: this one notices within the cache's 2 seconds.
    await asyncio.sleep(2.1)
    assert (await client.post(REPORTING_TOKEN, data=form, headers=new)).status_code == 401


async def test_refusals_are_one_line_and_exit_1(settings: Settings) -> None:
    code, _, err = await homerun(
        settings.database_url, "oauth-clients", "create", "--name", "X", "--mid", "999999999999"
    )
    assert code == 1 and "999999999999" in err and "Traceback" not in err
    code, _, err = await homerun(
        settings.database_url, "oauth-clients", "create", "--name", "X", "--audience", "payments"
    )
    assert code == 1 and "audience" in err
    code, _, err = await homerun(settings.database_url, "oauth-clients", "revoke", "rep_nobody")
    assert code == 1 and "rep_nobody" in err


# ----------------------------------------------------------------------------- seed


@pytest.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[str]:
    async for url in fresh_database(tmp_path, "seed"):
        yield url


async def test_seed_fills_every_collection_consistently(fresh_db: str) -> None:
    code, out, err = await homerun(
        fresh_db,
        "seed",
        "--transactions",
        "3000",
        "--merchants",
        "6",
        "--days",
        "45",
        "--batch-size",
        "500",
        "--client",
        "seeded",
    )
    assert code == 0, err
    assert "3000/3000" in out
    made = last_json(out)
    assert len(made["mids"]) == 6

    runtime = await open_runtime(Settings(database_url=fresh_db))
    try:
        app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://seed.test") as http:
            answer = await http.post(
                REPORTING_TOKEN,
                data={"grant_type": "client_credentials"},
                headers=basic(made["client_id"], made["client_secret"]),
            )
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

            async def every(endpoint: str) -> list[dict[str, Any]]:
                got = await http.get(
                    f"/ords/sprint/api/3p/v1/{endpoint}", params={"limit": 10000}, headers=headers
                )
                assert got.status_code == 200, got.text
                items: list[dict[str, Any]] = got.json()["items"]
                return items

            txns = await every("transactions")
            refunds = [t for t in txns if t["trans_type"] == "refund"]
            assert len(txns) - len(refunds) == 3000
            assert {t["mid"] for t in txns} == set(made["mids"])
            assert {t["card_brand_id"] for t in txns} == {1, 2, 3, 4}
            assert any(t["result"] == "C" for t in txns)
            assert all(r["original_trans_id"] for r in refunds)
            by_id = {t["trans_id"]: t for t in txns}
            for r in refunds:
                assert by_id[r["original_trans_id"]]["amount_refunded"] == r["amount"]

            deposits = await every("deposits")
            assert deposits
            for d in deposits:
                net = (
                    Decimal(str(d["sales_amount"]))
                    - Decimal(str(d["refunds_amount"]))
                    - Decimal(str(d["fees_amount"]))
                    - Decimal(str(d["chargebacks_amount"]))
                    + Decimal(str(d["reversals_amount"]))
                    + Decimal(str(d["adjustments_amount"]))
                )
                assert Decimal(str(d["amount"])) == net
            funded = {d["funding_master_id"] for d in deposits}
            settled = [t for t in txns if t["funding_master_id"]]
            assert settled and {t["funding_master_id"] for t in settled} <= funded
            adjustments = await every("adjustments")
            assert {"monthly_fee"} <= {a["adjustment_type"] for a in adjustments}
    finally:
        await runtime.db.dispose()
