"""ACH by the sandbox clock (docs/ach.md): origination at the merchant's cut-off on banking
days, settlement a banking day later, and the test accounts' returns and changes two
banking days after that (sixty for R10)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from homerun.kit.banking_days import add_banking_days
from tests.ach.helpers import ach_sale
from tests.conftest import MerchantFactory
from tests.helpers import events, transaction
from tests.settlement.support import advance_until, go_to_next, rekey, utc_merchant

MONDAY, FRIDAY = 0, 4


def states(found: list[dict[str, Any]]) -> list[str]:
    return [t["state"] for t in found]


async def test_a_week_of_ach(client: httpx.AsyncClient, make_merchant: MerchantFactory) -> None:
    monday = await go_to_next(client, MONDAY, 9)
    m = await utc_merchant(make_merchant, accepts="both")
    sales = {
        account: await ach_sale(client, m, 2000, account_number=account)
        for account in ("86063057", "86063101", "86063201", "86063110")
    }

    async def all_states() -> dict[str, str]:
        return {a: (await transaction(client, m, t))["state"] for a, t in sales.items()}

    await advance_until(client, monday + timedelta(hours=13, minutes=1))  # Monday 22:01
    assert set((await all_states()).values()) == {"originated"}
    batch = (await transaction(client, m, sales["86063057"]))["batch_id"]
    assert batch.startswith("ACH" + f"{monday:%Y%m%d}")
    # After the cut-off: the next one takes it.
    late = await ach_sale(client, await rekey(client, m), 500)
    await advance_until(client, monday + timedelta(days=1, hours=13, minutes=1))  # Tuesday
    assert set((await all_states()).values()) == {"settled"}
    assert (await transaction(client, m, late))["state"] == "originated"
    await advance_until(client, monday + timedelta(days=2, hours=13, minutes=1))  # Wednesday
    assert set((await all_states()).values()) == {"settled"}
    await advance_until(client, monday + timedelta(days=3, hours=13, minutes=1))  # Thursday
    assert await all_states() == {
        "86063057": "settled",
        "86063101": "returned",
        "86063201": "settled",
        "86063110": "settled",
    }
    returned = await transaction(client, m, sales["86063101"])
    assert (returned["settlement_status"], returned["return_code"]) == ("Returned", "R01")
    assert returned["return_reason"] == "Insufficient funds"
    assert (await transaction(client, m, sales["86063201"]))["change_code"] == "C01"
    kinds = [e["event_type"] for e in await events(client, m)]
    assert kinds.count("transaction.returned") == 1 and kinds.count("transaction.noc") == 1
    # R10 comes sixty banking days after settlement (twelve weeks, and a day more for each
    # Federal Reserve holiday on the way), and not a day before.
    tuesday = monday + timedelta(days=1, hours=13, minutes=1)
    due = tuesday + (add_banking_days(tuesday.date(), 60) - tuesday.date())
    await advance_until(client, due - timedelta(days=1))
    assert (await transaction(client, m, sales["86063110"]))["state"] == "settled"
    await advance_until(client, due)
    late_return = await transaction(client, m, sales["86063110"])
    assert (late_return["state"], late_return["return_code"]) == ("returned", "R10")
    kinds = [e["event_type"] for e in await events(client, m)]
    assert kinds.count("transaction.returned") == 2 and kinds.count("transaction.noc") == 1


async def test_weekends_are_no_banking_days(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    friday = await go_to_next(client, FRIDAY, 23)  # after Friday's cut-off
    m = await utc_merchant(make_merchant, accepts="ach")
    trans_id = await ach_sale(client, m, 1000)
    await advance_until(client, friday + timedelta(days=2))  # Sunday 23:00
    assert (await transaction(client, m, trans_id))["state"] == "accepted"
    await advance_until(client, friday + timedelta(days=3))  # Monday 23:00
    stored = await transaction(client, m, trans_id)
    assert stored["state"] == "originated"
    await advance_until(client, friday + timedelta(days=4))  # Tuesday 23:00
    assert (await transaction(client, m, trans_id))["state"] == "settled"
