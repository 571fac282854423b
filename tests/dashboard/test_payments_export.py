"""The payments list as CSV: exact content, the list's filters, tenancy, flat memory."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select

from homerun.dashboard import export
from homerun.merchants.models import Merchant
from homerun.payments.lookup import Search
from homerun.people.roles import Role
from homerun.reporting.seed import SeedPlan, seed
from homerun.runtime import Runtime
from tests.conftest import MerchantAccess, MerchantFactory
from tests.dashboard.support import Visitor
from tests.helpers import charge, transaction
from tests.people.support import make_user

MASTERCARD = "5555555555554444"
DECLINED = "4000000000000002"
HEADER = ",".join(export.HEADER)


async def _signed_in(
    runtime: Runtime, visitor: Callable[..., Visitor], m: MerchantAccess
) -> Visitor:
    user = await make_user(runtime, Role.VIEWER, mid=m.mid)
    v = visitor()
    assert (await v.sign_in(user.email)).status_code == 303
    return v


async def _charged(
    client: httpx.AsyncClient, m: MerchantAccess, **fields: object
) -> dict[str, str]:
    answer = await charge(client, m, **fields)
    assert answer.status_code == 200, answer.text
    return await transaction(client, m, answer.json()["trans_id"])


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_the_export_is_every_matching_payment_newest_first_to_the_character(
    runtime: Runtime,
    client: httpx.AsyncClient,
    visitor: Callable[..., Visitor],
    make_merchant: MerchantFactory,
) -> None:
    m = await make_merchant(name="Export Store")
    other = await make_merchant(name="Other Store")
    a = await _charged(
        client,
        m,
        amount=1000,
        order_id="ORD-1",
        invoice_id="INV-1",
        name='=HYPERLINK("http://x.example","click")',
        email="@pat@example.com",
    )
    b = await _charged(
        client, m, amount=2550, account_token=MASTERCARD, order_id="+ORD-2", vault="Y"
    )
    c = await _charged(client, m, amount=9900, account_token=DECLINED, order_id="-ORD-3")
    theirs = await _charged(client, other, amount=1000, order_id="ORD-1", invoice_id="INV-1")
    assert b["vault_holder_id"]
    v = await _signed_in(runtime, visitor, m)

    listed = await v.get("/dashboard/payments")
    link = '<a href="/dashboard/payments.csv" download>Download every matching payment as CSV'
    assert link in listed.text

    answer = await v.get("/dashboard/payments.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == f'attachment; filename="payments-{m.mid}.csv"'
    assert answer.headers["cache-control"] == "no-store"
    expected = "\r\n".join(
        [
            HEADER,
            f"{c['trans_id']},{c['trans_date']},sale,declined,USD,99.00,0.00,0.00,0.00,0.00,"
            f"VISA,0002,'-ORD-3,,,,,,{c['resp_code']},{c['resp_text']},,",
            f"{b['trans_id']},{b['trans_date']},sale,captured,USD,25.50,25.50,25.50,0.00,0.00,"
            f"MASTERCARD,4444,'+ORD-2,,{b['vault_holder_id']},,,{b['auth_code']},"
            f"{b['resp_code']},{b['resp_text']},,",
            f"{a['trans_id']},{a['trans_date']},sale,captured,USD,10.00,10.00,10.00,0.00,0.00,"
            f'VISA,1111,ORD-1,INV-1,,"\'=HYPERLINK(""http://x.example"",""click"")",'
            f"'@pat@example.com,{a['auth_code']},{a['resp_code']},{a['resp_text']},,",
        ]
    )
    assert answer.text == expected + "\r\n"  # the other merchant's payment is not there

    async def ids(**params: str) -> list[str]:
        found = await v.get("/dashboard/payments.csv", **params)
        assert found.status_code == 200, found.text
        rows = _rows(found.text)
        assert rows[0] == list(export.HEADER)
        return [row[0] for row in rows[1:]]

    assert await ids(order_id="ORD-1") == [a["trans_id"]]
    assert await ids(invoice_id="INV-1") == [a["trans_id"]]
    assert await ids(amount="25.50") == [b["trans_id"]]
    assert await ids(amount="$99") == [c["trans_id"]]
    assert await ids(customer=b["vault_holder_id"]) == [b["trans_id"]]
    assert await ids(last_four="4444") == [b["trans_id"]]
    assert await ids(status="captured") == [b["trans_id"], a["trans_id"]]
    assert await ids(**{"from": "2000-01-01", "to": "2000-01-31"}) == []
    # The export starts from the newest match, whatever page of the list it came from.
    first = (await v.get("/dashboard/payments", amount="25.50")).text
    assert 'href="/dashboard/payments.csv?amount=25.50"' in first

    bad = await v.get("/dashboard/payments.csv", amount="ten", customer="nobody")
    assert bad.status_code == 400
    assert "Enter an amount in dollars, like 25.00." in bad.text
    assert "Enter a customer ID like" in bad.text
    assert bad.headers["content-type"].startswith("text/html")

    # The other merchant's people see only their own payment, with the same filters.
    stranger = await _signed_in(runtime, visitor, other)
    mine = _rows((await stranger.get("/dashboard/payments.csv", order_id="ORD-1")).text)
    assert [row[0] for row in mine[1:]] == [theirs["trans_id"]]


async def test_who_may_not_see_payments_gets_no_export(
    runtime: Runtime, visitor: Callable[..., Visitor], merchant: MerchantAccess
) -> None:
    assert (await visitor().get("/dashboard/payments.csv")).headers["location"] == (
        "/dashboard/sign-in"
    )
    operator = await make_user(runtime, Role.OPERATOR)
    v = visitor()
    assert (await v.sign_in(operator.email)).status_code == 303
    assert (await v.get("/dashboard/payments.csv")).status_code == 403


def test_a_cell_a_spreadsheet_would_evaluate_is_neutralised() -> None:
    assert [export.safe(t) for t in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    assert [export.safe(t) for t in ("", "1=1", "ORD-1", "'=x")] == ["", "1=1", "ORD-1", "'=x"]


async def _peak_bytes(runtime: Runtime, merchant_id: int, wanted: Search) -> tuple[int, int]:
    """(rows written, peak bytes allocated while streaming them)."""
    tracemalloc.start()
    try:
        rows = 0
        async for chunk in export.lines(runtime.db, merchant_id, wanted):
            rows += chunk.count(b"\r\n")
        return rows - 1, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_memory_stays_that_of_a_page_as_the_export_grows(runtime: Runtime) -> None:
    # One merchant's 8 days of payments; its last 12 hours are a small part of them.
    made = await seed(
        runtime.db,
        SeedPlan(transactions=12_000, merchants=1, days=8, batch_size=2_000),
        runtime.clock.now(),
        lambda _: None,
    )
    async with runtime.db.transaction() as session:
        merchant_id = await session.scalar(
            select(Merchant.id).where(Merchant.mid == made.merchants[0])
        )
    assert merchant_id is not None
    last_day = runtime.clock.now() - timedelta(hours=12)
    await _peak_bytes(runtime, merchant_id, Search(since=last_day))  # warm caches first
    few, small_peak = await _peak_bytes(runtime, merchant_id, Search(since=last_day))
    many, large_peak = await _peak_bytes(runtime, merchant_id, Search())
    assert many == made.transactions == 12_000 + made.refunds
    assert 4 * few < many
    # Four to eight times the rows, about the same memory: one page at a time.
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)
