"""An ACH return and its fee come out of the next deposit (adjustments ACH_RETURN and
ach_return_fee, made here by hand as the ACH lifecycle will make them)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from homerun.errors import ValidationFailed
from homerun.ledger.models import LedgerEntry
from homerun.merchants import repository as merchants
from homerun.runtime import Runtime
from homerun.settlement import adjustments
from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import charge
from tests.settlement.support import advance_until, balance, go_to_next, listing, now, utc_merchant


async def ach_return(
    runtime: Runtime, m: MerchantAccess, client: httpx.AsyncClient, **fields: object
) -> None:
    at = await now(client)
    async with runtime.db.transaction() as session:
        merchant = await merchants.by_mid(session, m.mid)
        assert merchant is not None
        await adjustments.add_ach_return(session, merchant, at=at, **fields)  # type: ignore[arg-type]


async def test_a_return_and_its_fee_are_debited_from_the_next_deposit(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, runtime: Runtime
) -> None:
    monday = await go_to_next(client, 0, 9)
    m = await utc_merchant(make_merchant)
    assert (await charge(client, m, amount="100.00")).json()["result"] == "A"
    await ach_return(
        runtime, m, client, trans_id="20261207000042", amount=2500, fee=500, return_code="R01"
    )
    made = await listing(client, m, "adjustments")
    assert [
        (a["adjustment_type"], a["amount"], a["adjustment_reason"], a["created_by"]) for a in made
    ] == [
        ("ACH_RETURN", "-25.00", "R01", "system"),
        ("ach_return_fee", "-5.00", "ACH return fee, R01, transaction 20261207000042", "system"),
    ]
    assert (await balance(client, m))["adjustments"] == "-30.00"

    # The returned amount goes back through clearing; the fee is income.
    async with runtime.db.transaction() as session:
        lines = (
            await session.execute(
                select(LedgerEntry.journal, LedgerEntry.account, LedgerEntry.amount)
                .where(LedgerEntry.adjustment_id.in_([a["id"] for a in made]))
                .order_by(LedgerEntry.id)
            )
        ).all()
    assert [tuple(line) for line in lines] == [
        (f"adjustment:{made[0]['id']}", "merchant_payable", 2500),
        (f"adjustment:{made[0]['id']}", "card_clearing", -2500),
        (f"adjustment:{made[1]['id']}", "merchant_payable", 500),
        (f"adjustment:{made[1]['id']}", "processor_income", -500),
    ]

    await advance_until(client, monday + timedelta(days=1, hours=5))  # Tuesday 14:00
    [deposit] = await listing(client, m, "deposits")
    # 100.00 - (2.90 + 0.30) - 25.00 - 5.00
    assert (deposit["amount"], deposit["adjustments_amount"]) == ("66.80", "-30.00")
    assert {a["funding_master_id"] for a in await listing(client, m, "adjustments")} == {
        deposit["funding_master_id"]
    }
    assert (await balance(client, m))["pending_funding"] == "0.00"


async def test_a_return_without_a_fee_makes_one_adjustment(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, runtime: Runtime
) -> None:
    m = await utc_merchant(make_merchant)
    await ach_return(runtime, m, client, trans_id="7", amount=1234, fee=0, return_code="R10")
    assert [
        (a["adjustment_type"], a["amount"], a["adjustment_reason"])
        for a in await listing(client, m, "adjustments")
    ] == [("ACH_RETURN", "-12.34", "R10")]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": 100, "fee": 0, "return_code": "C01"}, "return_code"),
        ({"amount": 100, "fee": 0, "return_code": "r01"}, "return_code"),
        ({"amount": 0, "fee": 0, "return_code": "R01"}, "amount"),
        ({"amount": 100, "fee": -1, "return_code": "R01"}, "fee"),
    ],
)
async def test_a_bad_return_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
    make_merchant: MerchantFactory,
    runtime: Runtime,
    fields: dict[str, object],
    field: str,
) -> None:
    m = await utc_merchant(make_merchant)
    with pytest.raises(ValidationFailed) as refused:
        await ach_return(runtime, m, client, trans_id="1", **fields)
    assert list(refused.value.errors or {}) == [field]
    assert await listing(client, m, "adjustments") == []
    assert (await balance(client, m))["adjustments"] == "0.00"


async def test_a_payment_is_returned_once(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, runtime: Runtime
) -> None:
    m = await utc_merchant(make_merchant)
    await ach_return(runtime, m, client, trans_id="99", amount=100, fee=50, return_code="R02")
    with pytest.raises(IntegrityError):
        await ach_return(runtime, m, client, trans_id="99", amount=100, fee=50, return_code="R02")
    assert [a["amount"] for a in await listing(client, m, "adjustments")] == ["-1.00", "-0.50"]
    assert (await balance(client, m))["adjustments"] == "-1.50"
