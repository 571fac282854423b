"""`homerun webhooks ...`, run as an operator would, on a fresh database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands import homerun
from tests.test_cli import CARD, app_on, bearer
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import run_recipe_verifies


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'homerun.db'}"


async def test_endpoints_and_deliveries_from_the_command_line(
    cli_db: str, receiver: Receiver
) -> None:
    code, out, err = await homerun(cli_db, "merchants", "create", "Hook Shop")
    assert code == 0, err
    creds = json.loads(out)
    code, out, err = await homerun(
        cli_db,
        "webhooks",
        "create",
        receiver.url(),
        "--mid",
        creds["mid"],
        "--event-type",
        "transaction.*",
        "--description",
        "till",
    )
    assert code == 0, err
    made = json.loads(out)
    assert (made["id"], made["mid"], made["event_types"], len(made["secret"])) == (
        1,
        creds["mid"],
        ["transaction.*"],
        64,
    )
    code, out, err = await homerun(cli_db, "webhooks", "list")
    assert code == 0, err
    [listed] = json.loads(out)
    assert "secret" not in listed and listed["description"] == "till"

    code, out, err = await homerun(cli_db, "webhooks", "rotate-secret", "1", "--overlap", "0")
    assert code == 0, err
    secret = json.loads(out)["secret"]
    assert secret != made["secret"]

    async with app_on(cli_db) as http:
        charged = await http.post(
            "/api/v1/charge", json={"mid": creds["mid"], **CARD}, headers=bearer(creds["api_key"])
        )
        assert charged.status_code == 200, charged.text
    code, out, err = await homerun(cli_db, "webhooks", "deliver-now")
    assert code == 0, err
    assert json.loads(out) == {"events_fanned_out": 1, "attempts": 1, "delivered": 1, "failed": 0}
    [got] = receiver.received
    assert run_recipe_verifies(secret, got.body, got.headers["x-webhook-signature-256"])
    code, out, err = await homerun(cli_db, "webhooks", "deliveries", "--state", "delivered")
    assert code == 0, err
    [delivery] = json.loads(out)
    assert delivery["webhook_id"] == got.json["metadata"]["webhook_id"]

    code, out, err = await homerun(cli_db, "webhooks", "update", "1", "--disable")
    assert code == 0, err
    assert json.loads(out)["enabled"] is False
    code, out, err = await homerun(cli_db, "webhooks", "event-types")
    assert code == 0, err
    assert "funding.entered" in {t["event_type"] for t in json.loads(out)}
    code, out, err = await homerun(cli_db, "webhooks", "delete", "1")
    assert (code, out.strip()) == (0, "deleted endpoint 1")


async def test_command_line_faults_are_one_line_errors(cli_db: str) -> None:
    cases = [
        (("webhooks", "create", "http://example.com/"), "send exactly one of mid"),
        (("webhooks", "create", "ftp://x/", "--partner-id", "1"), "only http and https"),
        (("webhooks", "create", "http://example.com/", "--mid", "123456789012"), "not found"),
        (("webhooks", "resend", "wh_00"), "webhook delivery wh_00 not found"),
        (("webhooks", "deliveries", "--state", "lost"), "--state must be"),
        (("webhooks", "delete", "7"), "webhook endpoint 7 not found"),
    ]
    for args, message in cases:
        code, out, err = await homerun(cli_db, *args)
        assert code == 1, (args, out, err)
        assert err.startswith("error: ") and message in err and "Traceback" not in err, err
