"""ACH money by the sandbox clock (docs/ach.md, "Money"): a settled ACH batch is a
settlement batch funded by a deposit of its own, refund credits come out of their
batch's deposit, and a return with its fee comes out of the next deposit, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from homerun.ledger.models import LedgerEntry
from homerun.runtime import Runtime
from tests.ach.helpers import ach_sale
from tests.conftest import MerchantFactory
from tests.helpers import charge, post, transaction
from tests.settlement.support import (
    advance_until,
    balance,
    go_to_next,
    listing,
    rekey,
    utc_merchant,
)

MONDAY = 0
RETURNS_R01 = "86063101"  # the test account whose bank sends R01 two banking days later


def breakdown(deposit: dict[str, Any]) -> tuple[Any, ...]:
    return (
        deposit["amount"],
        deposit["sales_count"],
        deposit["sales_amount"],
        deposit["refunds_count"],
        deposit["refunds_amount"],
        deposit["fees_amount"],
        deposit["adjustments_amount"],
    )


async def test_ach_batches_refunds_and_returns_reach_the_deposits(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, runtime: Runtime
) -> None:
    monday = await go_to_next(client, MONDAY, 9)
    m = await utc_merchant(make_merchant, accepts="both", ach_return_fee="7.50")
    assert (await charge(client, m, amount="100.00")).json()["result"] == "A"
    returned = await ach_sale(client, m, 20000, account_number=RETURNS_R01)
    kept = await ach_sale(client, m, 5000)

    # Monday 22:00 the card batch closes and the ACH batch is originated; Tuesday 22:00
    # the ACH batch settles and is booked, to be funded Wednesday.
    await advance_until(client, monday + timedelta(days=1, hours=14))  # Tuesday 23:00
    ach_batch = (await transaction(client, m, kept))["batch_id"]
    batches = {b["batch_id"]: b for b in await listing(client, m, "batches")}
    assert len(batches) == 2
    booked = batches[ach_batch]
    assert (
        booked["transaction_count"],
        booked["sale_amount"],
        booked["refund_amount"],
        booked["processing_fee"],
        booked["deposit_date"],
    ) == (2, "250.00", "0.00", "0.00", str((monday + timedelta(days=2)).date()))
    [card_deposit] = await listing(client, m, "deposits")
    assert card_deposit["amount"] == "96.80"  # 100.00 - (2.90 + 0.30)

    # Wednesday: part of the kept payment is refunded (an ACH credit), and the ACH batch
    # is funded on its own deposit.
    await advance_until(client, monday + timedelta(days=2, hours=5))  # Wednesday 14:00
    m = await rekey(client, m)
    refund = (await post(client, m, "/api/v1/refund", trans_id=kept, amount="20.00")).json()
    assert refund["result"] == "A"
    deposits = await listing(client, m, "deposits")
    assert [(d["batch_id"], breakdown(d)) for d in deposits[1:]] == [
        (ach_batch, ("250.00", 2, "250.00", 0, "0.00", "0.00", "0.00"))
    ]

    # Thursday 22:00: the R01 arrives (two banking days after Tuesday) and the credit's
    # batch settles; both come out of Friday's deposit, with the return fee.
    await advance_until(client, monday + timedelta(days=4, hours=14))  # Friday 14:00
    stored = await transaction(client, m, returned)
    assert (stored["state"], stored["return_code"]) == ("returned", "R01")
    credit_batch = (await transaction(client, m, refund["trans_id"]))["batch_id"]
    made = await listing(client, m, "adjustments")
    assert [(a["adjustment_type"], a["amount"], a["adjustment_reason"]) for a in made] == [
        ("ACH_RETURN", "-200.00", "R01"),
        ("ach_return_fee", "-7.50", f"ACH return fee, R01, transaction {returned}"),
    ]
    deposits = await listing(client, m, "deposits")
    assert [(d["batch_id"], breakdown(d)) for d in deposits[2:]] == [
        (credit_batch, ("-227.50", 0, "0.00", 1, "20.00", "0.00", "-207.50"))
    ]
    assert {a["funding_master_id"] for a in made} == {deposits[2]["funding_master_id"]}
    position = await balance(client, m)
    assert (position["pending_funding"], position["adjustments"]) == ("0.00", "-207.50")

    # The next cut-offs book nothing again: the return is booked once.
    await advance_until(client, monday + timedelta(days=7, hours=14))  # next Monday 23:00
    assert len(await listing(client, m, "adjustments")) == 2
    assert len(await listing(client, m, "batches")) == 3
    async with runtime.db.transaction() as session:
        unbalanced = await session.scalar(
            select(func.count()).select_from(
                select(LedgerEntry.journal)
                .group_by(LedgerEntry.journal)
                .having(func.sum(LedgerEntry.amount) != 0)
                .subquery()
            )
        )
    assert unbalanced == 0
