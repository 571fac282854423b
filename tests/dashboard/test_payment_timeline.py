"""A payment's timeline: every step of its life, each with its time, in time order."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import httpx
import pytest

from homerun.people.roles import Role
from homerun.runtime import Runtime
from homerun.webhooks.dispatcher import deliver_due
from tests.conftest import MerchantFactory
from tests.dashboard.support import Visitor
from tests.helpers import charge, post
from tests.people.support import make_user
from tests.settlement.support import advance_until, go_to_next, listing, rekey, utc_merchant
from tests.webhooks.receiver import Receiver, always
from tests.webhooks.support import Hooks

CHARGEBACK_VISA = "4000000000000259"  # chargeback 5 days after settlement, Visa 10.4
STEP = re.compile(
    r'<li><span class="timeline-when">([^<]+)</span> <span class="timeline-what[^"]*">'
    r'([^<]+)</span> <span class="timeline-detail">([^<]*)</span></li>'
)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    started = await Receiver().start()
    started.handler = always(200)
    try:
        yield started
    finally:
        await started.stop()


@pytest.fixture
async def hooks(client: httpx.AsyncClient) -> AsyncIterator[Hooks]:
    made = Hooks(client)
    try:
        yield made
    finally:
        await made.delete_all()


def _at(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M")


async def test_a_captured_refunded_settled_paid_and_charged_back_payment(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    monday = await go_to_next(client, 0, 10)
    m = await utc_merchant(make_merchant, name="Timeline Store")
    url = receiver.url()
    await hooks.add(url, mid=m.mid, event_types=["transaction.*", "chargeback.*"])
    sale = await charge(client, m, amount="40.00", account_token=CHARGEBACK_VISA, order_id="T-1")
    trans_id, auth_code = sale.json()["trans_id"], sale.json()["auth_code"]
    await deliver_due(runtime)
    await advance_until(client, monday + timedelta(days=1, hours=4))  # Tue 14:00
    m = await rekey(client, m)  # its api_key expired while the clock moved
    refund = await post(client, m, "/api/v1/refund", trans_id=trans_id, amount="15.00")
    assert refund.json()["result"] == "A", refund.text
    await deliver_due(runtime)
    await advance_until(client, monday + timedelta(days=8))  # next Tue 10:00
    await deliver_due(runtime)

    batch, _refunds_batch = await listing(client, m, "batches")
    deposits = {d["batch_id"]: d["funding_master_id"] for d in await listing(client, m, "deposits")}
    [cb] = await listing(client, m, "chargebacks")
    user = await make_user(runtime, Role.VIEWER, mid=m.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    page = await v.get(f"/dashboard/payments/{trans_id}")
    assert page.status_code == 200
    delivered = "delivered, HTTP 200, 1 attempt"
    assert STEP.findall(page.text) == [
        (_at(monday), "Authorized and captured", f"40.00 USD, authorization code {auth_code}"),
        (_at(monday), "Webhook", f"transaction.entered to {url}: {delivered}"),
        (_at(monday + timedelta(hours=12)), "Settled", f"Batch {batch['batch_id']}"),
        (
            _at(monday + timedelta(days=1, hours=3)),
            "Paid out",
            f"Deposit {deposits[batch['batch_id']]} of {(monday + timedelta(days=1)).date()}",
        ),
        (
            _at(monday + timedelta(days=1, hours=4)),
            "Refunded",
            f"15.00 USD, refund {refund.json()['trans_id']}",
        ),
        (
            _at(monday + timedelta(days=1, hours=4)),
            "Webhook",
            f"transaction.partialrefund to {url}: {delivered}",
        ),
        (
            _at(monday + timedelta(days=5, hours=12)),
            "Chargeback opened",
            f"Case {cb['case_number']}, 10.4 Other Fraud - Card-Absent Environment: 25.00 USD",
        ),
        (
            _at(monday + timedelta(days=7, hours=3)),
            "Chargeback debited",
            f"Deposit {deposits[None]}: -25.00 USD",
        ),
        (_at(monday + timedelta(days=8)), "Webhook", f"chargeback.entered to {url}: {delivered}"),
    ]

    # Another merchant's people find none of it.
    other = await make_merchant(name="Not Timeline Store")
    stranger_user = await make_user(runtime, Role.OWNER, mid=other.mid)
    stranger = visitor()
    assert (await stranger.sign_in(stranger_user.email)).status_code == 303
    assert (await stranger.get(f"/dashboard/payments/{trans_id}")).status_code == 404
