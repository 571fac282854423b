"""ACH money in the books by the admin actions (docs/ach.md, "Money"): a settled ACH batch
becomes a settlement batch in the ledger, and a return (not a change) takes the payment
and the merchant's return fee back, exactly once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ach.helpers import ach_sale, originate, settle_ach
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import post
from tests.settlement.support import balance, listing


@pytest.fixture
async def m(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant(accepts="both", ach_return_fee="4.25")


async def bank_answer(
    client: httpx.AsyncClient, m: MerchantAccess, trans_id: str, code: str
) -> httpx.Response:
    return await client.post(
        f"/homerun/v1/merchants/{m.mid}/transactions/{trans_id}/ach-return",
        json={"return_code": code},
        headers=ADMIN,
    )


def money(position: dict[str, Any]) -> tuple[str, ...]:
    return (
        position["sales"],
        position["refunds"],
        position["processing_fees"],
        position["adjustments"],
        position["pending_funding"],
    )


def adjustments(found: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(a["adjustment_type"], a["amount"], a["adjustment_reason"]) for a in found]


async def test_a_settled_ach_batch_is_booked_once_with_its_credits(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    first = await ach_sale(client, m, 2500)
    await ach_sale(client, m, 1500, account_number="86063002")
    batch_id = (await originate(client, m))["batch_id"]
    assert await listing(client, m, "batches") == []  # originated: no money moved yet
    assert money(await balance(client, m)) == ("0.00", "0.00", "0.00", "0.00", "0.00")
    await settle_ach(client, m)
    [batch] = await listing(client, m, "batches")
    assert (
        batch["batch_id"],
        batch["transaction_count"],
        batch["sale_count"],
        batch["sale_amount"],
        batch["refund_amount"],
        batch["net_amount"],
        batch["processing_fee"],
    ) == (batch_id, 2, 2, "40.00", "0.00", "40.00", "0.00")
    assert money(await balance(client, m)) == ("40.00", "0.00", "0.00", "0.00", "40.00")

    # A refund credit is booked when its own ACH batch settles, not before.
    credit = (await post(client, m, "/api/v1/refund", trans_id=first, amount="10.00")).json()
    assert credit["result"] == "A"
    assert await settle_ach(client, m) == {"transaction_count": 0}
    assert len(await listing(client, m, "batches")) == 1
    credit_batch = (await originate(client, m))["batch_id"]
    await settle_ach(client, m)
    batches = await listing(client, m, "batches")
    assert [(b["batch_id"], b["refund_count"], b["refund_amount"]) for b in batches] == [
        (batch_id, 0, "0.00"),
        (credit_batch, 1, "10.00"),
    ]
    assert money(await balance(client, m)) == ("40.00", "10.00", "0.00", "0.00", "30.00")


async def test_a_return_takes_the_payment_and_the_fee_back_once(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    trans_id = await ach_sale(client, m, 2500)
    changed = await ach_sale(client, m, 1000)
    await originate(client, m)
    await settle_ach(client, m)
    assert (await bank_answer(client, m, changed, "C01")).status_code == 200
    assert await listing(client, m, "adjustments") == []  # a change moves no money
    assert (await bank_answer(client, m, trans_id, "R01")).status_code == 200
    booked = adjustments(await listing(client, m, "adjustments"))
    assert booked == [
        ("ACH_RETURN", "-25.00", "R01"),
        ("ach_return_fee", "-4.25", f"ACH return fee, R01, transaction {trans_id}"),
    ]
    assert money(await balance(client, m)) == ("35.00", "0.00", "0.00", "-29.25", "5.75")
    # A second return is refused and books nothing; other actions book nothing again.
    assert (await bank_answer(client, m, trans_id, "R02")).status_code == 409
    assert (await bank_answer(client, m, trans_id, "C02")).status_code == 200
    await settle_ach(client, m)
    assert adjustments(await listing(client, m, "adjustments")) == booked
    assert money(await balance(client, m)) == ("35.00", "0.00", "0.00", "-29.25", "5.75")


async def test_a_return_before_settlement_is_booked_with_its_batch(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    returned = await ach_sale(client, m, 2500)
    await ach_sale(client, m, 1000)
    await originate(client, m)
    assert (await bank_answer(client, m, returned, "R03")).status_code == 200
    # Its batch is still at the bank: nothing is in the books yet.
    assert await listing(client, m, "adjustments") == []
    assert await listing(client, m, "batches") == []
    await settle_ach(client, m)
    [batch] = await listing(client, m, "batches")
    assert (batch["sale_count"], batch["sale_amount"]) == (2, "35.00")
    assert adjustments(await listing(client, m, "adjustments")) == [
        ("ACH_RETURN", "-25.00", "R03"),
        ("ach_return_fee", "-4.25", f"ACH return fee, R03, transaction {returned}"),
    ]
    assert money(await balance(client, m)) == ("35.00", "0.00", "0.00", "-29.25", "5.75")


async def test_a_batch_returned_whole_before_settlement_costs_the_fee(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    returned = await ach_sale(client, m, 2500)
    await originate(client, m)
    assert (await bank_answer(client, m, returned, "R02")).status_code == 200
    # Nothing of the batch is left at the bank: it is booked at once, with the return.
    [batch] = await listing(client, m, "batches")
    assert (batch["sale_count"], batch["sale_amount"]) == (1, "25.00")
    assert money(await balance(client, m)) == ("25.00", "0.00", "0.00", "-29.25", "-4.25")


async def test_a_settled_ach_payment_is_returned_never_charged_back(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    sale = await ach_sale(client, m, 2500)
    await originate(client, m)
    await settle_ach(client, m)
    refused = await client.post(
        "/homerun/v1/chargebacks",
        json={"mid": m.mid, "trans_id": sale},
        headers=ADMIN,
    )
    assert refused.status_code == 409, refused.text
    assert "returned" in refused.json()["error"]
    assert await listing(client, m, "chargebacks") == []
