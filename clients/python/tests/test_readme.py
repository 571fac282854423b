"""Every Python example in README.md, run in order against the live Homerun, with a real
webhook delivery handed to the README's handler."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from live_homerun import LiveHomerun
from webhook_receiver import Receiver

from conftest import Merchant

README = Path(__file__).parents[1] / "README.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.S)


def test_the_readme_examples_run(
    homerun: LiveHomerun, merchant: Merchant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seeded = homerun.seeded()
    with Receiver() as receiver:
        hook = homerun.post(
            "/homerun/v1/webhooks/endpoints",
            {"mid": merchant.mid, "url": receiver.url, "event_types": ["transaction.entered"]},
        )
        # The README reports on the seeded merchant's history with the seed's client.
        for name, value in {
            "RUN_BASE_URL": homerun.base_url,
            "RUN_MID": merchant.mid,
            "RUN_API_KEY": merchant.api_key,
            "RUN_REFRESH_TOKEN": merchant.refresh_token,
            "RUN_CREDENTIALS_FILE": str(tmp_path / "run.json"),
            "RUN_REPORTING_CLIENT_ID": seeded.client_id,
            "RUN_REPORTING_SECRET": seeded.client_secret,
            "RUN_WEBHOOK_SECRET": hook["secret"],
        }.items():
            monkeypatch.setenv(name, value)
        scope: dict[str, Any] = {"__name__": "readme"}
        found = blocks()
        assert len(found) == 5
        for block in found:
            exec(compile(block, str(README), "exec"), scope)  # noqa: S102 - our own README
        delivery = receiver.next()
    assert (scope["charge"].result, scope["refund"].result) == ("A", "A")
    assert scope["declines"] == seeded.declines
    event = scope["on_webhook"](delivery.body, delivery.headers)
    assert (event.event_type, event.payload["trans_id"]) == (
        "transaction.entered",
        scope["charge"].trans_id,
    )
