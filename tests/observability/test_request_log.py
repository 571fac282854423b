"""One JSON log line per request: request id (accepted or generated, echoed), method,
route template, path without query, status, duration, merchant and trans_id."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from datetime import datetime

import httpx
import pytest

from homerun.app import create_app
from homerun.config import LogFormat
from homerun.observability.logging import configure_logging
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import charge, post
from tests.observability.support import request_lines

REQUEST_FIELDS = {"event", "level", "logger", "timestamp", "request_id", "method", "route"}
REQUEST_FIELDS |= {"path", "status", "duration_ms"}


@pytest.fixture(autouse=True)
def _capture(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="homerun.request")


async def test_a_charge_logs_one_line_with_merchant_and_trans_id(
    client: httpx.AsyncClient, merchant: MerchantAccess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    answer = await charge(client, merchant)
    assert answer.status_code == 200, answer.text
    (line,) = request_lines(caplog)
    assert set(line) == REQUEST_FIELDS | {"mid", "trans_id"}
    assert line["event"] == "request"
    assert line["level"] == "info"
    assert line["logger"] == "homerun.request"
    assert line["method"] == "POST"
    assert line["route"] == "/api/v1/charge"
    assert line["path"] == "/api/v1/charge"
    assert line["status"] == 200
    assert line["mid"] == merchant.mid
    assert line["trans_id"] == answer.json()["trans_id"]
    assert line["request_id"] == answer.headers["X-Request-Id"]
    assert uuid.UUID(line["request_id"]).version == 4
    assert isinstance(line["duration_ms"], float) and 0 < line["duration_ms"] < 60_000
    stamp = datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00"))
    assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    flat = json.dumps(line)
    assert merchant.api_key not in flat and "4111111111111111" not in flat


async def test_capture_and_refund_log_the_transaction_they_answer(
    client: httpx.AsyncClient, merchant: MerchantAccess, caplog: pytest.LogCaptureFixture
) -> None:
    sale = (await charge(client, merchant, capture="N")).json()
    caplog.clear()
    captured = await post(client, merchant, "/api/v1/capture", trans_id=sale["trans_id"])
    voided = await post(client, merchant, "/api/v1/void", trans_id=sale["trans_id"])
    assert captured.json()["result"] == "A" and voided.json()["result"] == "A"
    lines = request_lines(caplog)
    assert [(line["route"], line["mid"], line["trans_id"]) for line in lines] == [
        ("/api/v1/capture", merchant.mid, captured.json()["trans_id"]),
        ("/api/v1/void", merchant.mid, voided.json()["trans_id"]),
    ]


async def test_a_sane_request_id_is_kept_and_echoed(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    answer = await client.get("/homerun/v1/health", headers={"X-Request-Id": "edge-42.a:b_C-9"})
    assert answer.headers["X-Request-Id"] == "edge-42.a:b_C-9"
    (line,) = request_lines(caplog)
    assert line["request_id"] == "edge-42.a:b_C-9"
    assert set(line) == REQUEST_FIELDS  # no merchant, no transaction
    assert (line["route"], line["status"]) == ("/homerun/v1/health", 200)


@pytest.mark.parametrize(
    "sent", ["x" * 129, "has space", "semi;colon", "-leading-dash", 'quote"', "caf\u00e9"]
)
async def test_an_insane_request_id_is_replaced(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, sent: str
) -> None:
    caplog.clear()
    answer = await client.get(
        "/homerun/v1/health", headers=[("X-Request-Id", sent.encode("utf-8"))]
    )
    echoed = answer.headers["X-Request-Id"]
    assert echoed != sent and uuid.UUID(echoed).version == 4
    (line,) = request_lines(caplog)
    assert line["request_id"] == echoed


async def test_every_request_gets_its_own_id(client: httpx.AsyncClient) -> None:
    ids = {(await client.get("/homerun/v1/health")).headers["X-Request-Id"] for _ in range(3)}
    assert len(ids) == 3


async def test_the_route_is_the_template_and_the_query_is_never_logged(
    client: httpx.AsyncClient,
    merchant: MerchantAccess,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.clear()
    answer = await client.get(
        f"/homerun/v1/merchants/{merchant.mid}?secret=hunter2&api_key=abc", headers=ADMIN
    )
    assert answer.status_code == 200, answer.text
    (line,) = request_lines(caplog)
    assert line["route"] == "/homerun/v1/merchants/{mid}"
    assert line["path"] == f"/homerun/v1/merchants/{merchant.mid}"
    flat = json.dumps(line)
    assert "hunter2" not in flat and "api_key" not in flat and "Bearer" not in flat


async def test_an_unmatched_path_is_logged_masked_under_one_route(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    answer = await client.get("/api/v1/cards/4111111111111111/x")
    assert answer.status_code == 404
    (line,) = request_lines(caplog)
    assert line["route"] == "unmatched"
    assert line["path"] == "/api/v1/cards/****************/x"
    assert line["status"] == 404


async def test_a_refused_credential_is_logged_without_it(
    client: httpx.AsyncClient, merchant: MerchantAccess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.clear()
    answer = await client.post(
        "/api/v1/charge",
        json={"mid": merchant.mid, "amount": 100, "account_token": "4111111111111111"},
        headers={"Authorization": "Bearer not-a-key-at-all"},
    )
    assert answer.status_code == 401
    (line,) = request_lines(caplog)
    assert (line["route"], line["status"]) == ("/api/v1/charge", 401)
    assert "mid" not in line and "trans_id" not in line
    assert "not-a-key-at-all" not in json.dumps(line)


async def test_the_request_log_can_be_switched_off(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(runtime.settings.model_copy(update={"request_log": False}), runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    caplog.clear()
    async with httpx.AsyncClient(transport=transport, base_url="http://quiet.test") as http:
        answer = await http.get("/homerun/v1/health", headers={"X-Request-Id": "quiet-1"})
    assert answer.headers["X-Request-Id"] == "quiet-1"  # still echoed
    assert request_lines(caplog) == []


def _configured(runtime: Runtime, log_format: LogFormat) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(runtime.settings.model_copy(update={"log_format": log_format}), stream)
    return stream


def _unconfigure() -> None:
    for name in ("homerun", "uvicorn"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("homerun").setLevel(logging.NOTSET)


async def test_configured_json_lines_carry_every_logger(runtime: Runtime) -> None:
    stream = _configured(runtime, LogFormat.JSON)
    try:
        app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://json.test") as http:
            await http.get("/homerun/v1/health?x=1", headers={"X-Request-Id": "json-1"})
        logging.getLogger("homerun.worker").warning("job %s failed", 7)
    finally:
        _unconfigure()
    request, worker = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {k: v for k, v in request.items() if k not in ("timestamp", "duration_ms")} == {
        "event": "request",
        "level": "info",
        "logger": "homerun.request",
        "request_id": "json-1",
        "method": "GET",
        "route": "/homerun/v1/health",
        "path": "/homerun/v1/health",
        "status": 200,
    }
    assert {k: v for k, v in worker.items() if k != "timestamp"} == {
        "event": "job 7 failed",
        "level": "warning",
        "logger": "homerun.worker",
    }


async def test_console_format_is_one_readable_line(runtime: Runtime) -> None:
    stream = _configured(runtime, LogFormat.CONSOLE)
    try:
        app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tty.test") as http:
            await http.get("/homerun/v1/health", headers={"X-Request-Id": "tty-1"})
    finally:
        _unconfigure()
    (line,) = stream.getvalue().splitlines()
    assert re.search(r"\[info\s*\] request ", line), line
    assert "request_id=tty-1" in line and "status=200" in line
    assert "route=/homerun/v1/health" in line
