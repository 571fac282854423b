"""The NACHA file of batches the clock originated (docs/ach.md, "Downloading a batch's
file"): made at the merchant's cut-off, dated by it, effective the next banking day."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.ach import nacha_reader
from tests.ach.helpers import ach_sale
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import post, transaction
from tests.settlement.support import advance_until, go_to_next, rekey, utc_merchant

FRIDAY = 4


async def nacha(client: httpx.AsyncClient, m: MerchantAccess, batch_id: str) -> str:
    answer = await client.get(
        f"/homerun/v1/merchants/{m.mid}/ach/batches/{batch_id}/nacha", headers=ADMIN
    )
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_files_of_the_batches_friday_and_tuesday_cut_offs_made(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    friday = await go_to_next(client, FRIDAY, 9)
    m = await utc_merchant(make_merchant, accepts="both")
    checking = await ach_sale(client, m, 2000, name="Friday Payer")
    savings = await ach_sale(
        client,
        m,
        4321,
        routing_number="021000021",
        account_number="445566778899",
        account_type="savings",
        name="Sav Ings",
        entry_class="PPD",
    )
    await advance_until(client, friday + timedelta(hours=13, minutes=1))  # Friday 22:01
    batch_id = (await transaction(client, m, checking))["batch_id"]
    assert batch_id.startswith(f"ACH{friday:%Y%m%d}")
    read = nacha_reader.read(await nacha(client, m, batch_id))
    assert (read.header["file_creation_date"], read.header["file_creation_time"]) == (
        f"{friday:%y%m%d}",
        "2200",
    )
    monday = friday + timedelta(days=3)
    assert [b.header["effective_entry_date"] for b in read.batches] == [f"{monday:%y%m%d}"] * 2
    assert [b.header["standard_entry_class_code"] for b in read.batches] == ["PPD", "WEB"]
    entries = [b.entries[0] for b in read.batches]
    assert [
        (
            e["transaction_code"],
            e["receiving_dfi_identification"] + e["check_digit"],
            e["dfi_account_number"].rstrip(),
            int(e["amount"]),
            e["individual_identification_number"].rstrip(),
            e["individual_name"].rstrip(),
        )
        for e in entries
    ] == [
        ("37", "021000021", "445566778899", 4321, savings, "SAV INGS"),
        ("27", "036001808", "86063057", 2000, checking, "FRIDAY PAYER"),
    ]
    assert read.control["total_debit_entry_dollar_amount"] == "000000006321"

    # Monday's cut-off settles them; a refund made after it is Tuesday's batch, a credit.
    await advance_until(client, monday + timedelta(hours=13, minutes=1))
    m = await rekey(client, m)
    refund = (await post(client, m, "/api/v1/refund", trans_id=savings, amount=321)).json()
    assert refund["result"] == "A", refund
    tuesday = monday + timedelta(days=1)
    await advance_until(client, tuesday + timedelta(hours=13, minutes=1))
    credit_batch = (await transaction(client, m, refund["trans_id"]))["batch_id"]
    assert credit_batch.startswith(f"ACH{tuesday:%Y%m%d}") and credit_batch != batch_id
    read = nacha_reader.read(await nacha(client, m, credit_batch))
    (batch,) = read.batches
    assert batch.header["effective_entry_date"] == f"{tuesday + timedelta(days=1):%y%m%d}"
    ((code, amount, account),) = [
        (e["transaction_code"], int(e["amount"]), e["dfi_account_number"].rstrip())
        for e in batch.entries
    ]
    assert (code, amount, account) == ("32", 321, "445566778899")
    assert (
        read.control["total_debit_entry_dollar_amount"],
        read.control["total_credit_entry_dollar_amount"],
    ) == ("000000000000", "000000000321")
