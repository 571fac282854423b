"""GET /metrics: exact increments after a charge, what the scrape reads from the
database, and who may scrape."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import httpx
from pydantic import SecretStr
from sqlalchemy import delete

from homerun.app import create_app
from homerun.jobs import job_registry
from homerun.merchants import service as merchants
from homerun.runtime import Runtime
from homerun.settlement import funding
from homerun.webhooks.dispatcher import deliver_due
from homerun.worker import repository as jobs
from homerun.worker.models import Job
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import charge
from tests.observability.support import samples, value
from tests.webhooks.conftest import hooks, receiver
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import Hooks

__all__ = ["hooks", "receiver"]  # the fixtures, taken from tests/webhooks

Scrape = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Scrape:
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain")
    return samples(answer.text)


def delta(before: Scrape, after: Scrape, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def test_a_charge_counts_once_everywhere(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    before = await scrape(client)
    approved = await charge(client, merchant)
    declined = await charge(client, merchant, account_token="4000000000009995")
    assert approved.json()["result"] == "A" and declined.json()["result"] == "C"
    after = await scrape(client)

    def changed(name: str, **labels: str) -> float:
        return delta(before, after, name, **labels)

    card = {"brand": "VISA", "method": "card"}
    assert changed("homerun_charges_total", result="A", resp_code="00", **card) == 1
    assert changed("homerun_charges_total", result="C", resp_code="51", **card) == 1
    charge_route = {"route": "/api/v1/charge", "method": "POST"}
    assert changed("homerun_http_requests_total", status="200", **charge_route) == 2
    assert changed("homerun_http_request_duration_seconds_count", **charge_route) == 2
    assert changed("homerun_http_request_duration_seconds_sum", **charge_route) > 0
    timed = {"processor": "simulator", "operation": "authorize"}
    assert changed("homerun_processor_duration_seconds_count", **timed) == 2
    # The scrape before this one was counted once it had answered.
    scrapes = {"route": "/metrics", "method": "GET", "status": "200"}
    assert changed("homerun_http_requests_total", **scrapes) == 1
    # Both charges wrote an event that no worker has fanned out here.
    assert changed("homerun_outbox_backlog") == 2
    assert value(after, "homerun_db_pool_in_use") == 0  # none held between requests
    assert value(after, "homerun_db_waiting") == 0


async def test_a_refusal_and_an_unmatched_path_are_counted_by_status(
    client: httpx.AsyncClient,
) -> None:
    before = await scrape(client)
    refused = await client.post("/api/v1/charge", json={}, headers={"Authorization": "Bearer x"})
    assert refused.status_code == 401
    for path in ("/no/such/1", "/no/such/2"):
        assert (await client.get(path)).status_code == 404
    odd = await client.request("BREW", "/no/such/3")
    assert odd.status_code in (404, 405)
    after = await scrape(client)
    charge_route = {"route": "/api/v1/charge", "method": "POST"}
    assert delta(before, after, "homerun_http_requests_total", status="401", **charge_route) == 1
    lost = {"route": "unmatched", "method": "GET", "status": "404"}
    assert delta(before, after, "homerun_http_requests_total", **lost) == 2
    other = {"route": "unmatched", "method": "OTHER", "status": str(odd.status_code)}
    assert delta(before, after, "homerun_http_requests_total", **other) == 1
    assert not [key for key in after if ("path", "/no/such/1") in key[1]]


async def test_the_job_queue_is_read_at_scrape_time(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    now = runtime.clock.now()
    overdue = jobs.new_job(kind="observability-probe", due_at=now - timedelta(seconds=90), now=now)
    async with runtime.db.transaction() as session:
        await jobs.add(session, overdue)
    try:
        scraped = await scrape(client)
    finally:
        async with runtime.db.transaction() as session:
            await session.execute(delete(Job).where(Job.kind == "observability-probe"))
    assert value(scraped, "homerun_jobs_due", kind="observability-probe") == 1
    lag = value(scraped, "homerun_jobs_lag_seconds", kind="observability-probe")
    assert 90 <= lag < 150
    assert value(scraped, "homerun_jobs_failed", kind="observability-probe") == 0
    # Every registered kind is reported, due or not.
    reported = {dict(labels)["kind"] for name, labels in scraped if name == "homerun_jobs_due"}
    assert reported >= {*job_registry().handlers, "observability-probe"}
    after = await scrape(client)
    assert value(after, "homerun_jobs_due", kind="observability-probe") == 0


async def test_without_a_token_only_loopback_may_scrape(runtime: Runtime) -> None:
    app = create_app(runtime=runtime)
    for host, status in (("127.0.0.1", 200), ("::1", 200), ("203.0.113.9", 403), ("10.0.0.2", 403)):
        transport = httpx.ASGITransport(app=app, client=(host, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://m.test") as http:
            answer = await http.get("/metrics")
        assert answer.status_code == status, (host, answer.text)
        if status == 403:
            assert answer.json()["code"] == "forbidden"
            assert "homerun_" not in answer.text


async def test_with_a_token_every_scraper_must_send_it(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"metrics_token": SecretStr("scrape-me-7")})
    app = create_app(runtime=replace(runtime, settings=settings))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://m.test") as http:
        missing = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me-8"})
        right = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me-7"})
    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthorized"
        assert refused.headers["WWW-Authenticate"] == "Bearer"
        assert "homerun_" not in refused.text
    assert right.status_code == 200
    assert "homerun_http_requests_total" in right.text


async def test_a_closed_batch_and_its_deposit_are_counted(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    assert (await charge(client, merchant, capture="Y")).json()["result"] == "A"
    before = await scrape(client)
    closed = await client.post(f"/homerun/v1/merchants/{merchant.mid}/batches/close", headers=ADMIN)
    assert closed.status_code == 200 and closed.json()["batch_id"] is not None
    async with runtime.db.transaction() as session:
        owner = await merchants.get(session, merchant.mid)
        day = date.fromisoformat(closed.json()["deposit_date"])
        made = await funding.fund(session, runtime, owner, day)
    assert len(made) == 1
    after = await scrape(client)
    assert delta(before, after, "homerun_settlement_batches_closed_total") == 1
    assert delta(before, after, "homerun_deposits_funded_total") == 1


async def test_webhook_deliveries_are_counted_with_their_lag(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    await hooks.add(receiver.url(), mid=merchant.mid)
    assert (await charge(client, merchant)).json()["result"] == "A"
    before = await scrape(client)
    totals = await deliver_due(runtime)
    after = await scrape(client)
    assert totals.delivered == len(receiver.received) >= 1
    delivered = delta(before, after, "homerun_webhook_deliveries_total", outcome="delivered")
    assert delivered == totals.delivered
    assert delta(before, after, "homerun_webhook_deliveries_total", outcome="retry") == 0
    assert delta(before, after, "homerun_webhook_delivery_lag_seconds_count") == delivered
    assert delta(before, after, "homerun_webhook_pending") == 0  # made and delivered
    assert value(after, "homerun_outbox_backlog") == 0  # the run fanned out every event
