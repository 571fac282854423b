"""The NACHA file of an originated ACH batch (docs/ach.md, "The NACHA file"), downloaded
through the admin API and read back with the tests' own reader (tests/ach/nacha_reader.py),
field by field, against the payments made through the Payments API."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from typer.testing import CliRunner

from homerun.bankfiles import service
from homerun.cli import app
from homerun.kit.banking_days import next_banking_day
from homerun.payments import ach_batches
from tests.ach import nacha_reader
from tests.ach.helpers import ach_sale, originate, settle_ach
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import events, post, transaction

ZONE = "America/Chicago"


@dataclass(frozen=True)
class Paid:
    """A payment as the test made it: what its entry must say."""

    routing: str
    account: str
    account_type: str
    entry_class: str
    name: str
    amount: int
    credit: bool = False


# Four payments over three entry classes, both account types, four banks.
SALES = [
    Paid("036001808", "86063057", "checking", "WEB", "Pat Payer", 2500),
    Paid("021000021", "000123456789", "savings", "WEB", "Ann Saver", 1234),
    Paid("011000015", "9876543210123", "checking", "PPD", "Lee Payroll", 99999),
    Paid("091000019", "55501234567890123", "savings", "TEL", "Sam Phone-Order", 7),
]
CODES = {
    ("checking", False): "27",
    ("savings", False): "37",
    ("checking", True): "22",
    ("savings", True): "32",
}


@pytest.fixture
async def m(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant(name="Corner Bakery & Co.", accepts="both", timezone=ZONE)


def batches_url(m: MerchantAccess) -> str:
    return f"/homerun/v1/merchants/{m.mid}/ach/batches"


async def download(client: httpx.AsyncClient, m: MerchantAccess, batch_id: str) -> str:
    answer = await client.get(f"{batches_url(m)}/{batch_id}/nacha", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/plain; charset=us-ascii"
    assert answer.headers["content-disposition"] == f'attachment; filename="{batch_id}.ach"'
    return answer.text


async def sell(client: httpx.AsyncClient, m: MerchantAccess, paid: Paid) -> str:
    return await ach_sale(
        client,
        m,
        paid.amount,
        routing_number=paid.routing,
        account_number=paid.account,
        account_type=paid.account_type,
        name=paid.name,
        entry_class=paid.entry_class,
    )


async def listed(client: httpx.AsyncClient, m: MerchantAccess) -> dict[str, Any]:
    answer = await client.get(batches_url(m), headers=ADMIN)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def check_file(
    text: str,
    m: MerchantAccess,
    originated_at: str,
    expected: list[tuple[str, Paid]],
) -> None:
    """Every field of the file against `expected` (trans_id, payment), in entry-class order
    and then in the order the payments were made."""
    read = nacha_reader.read(text)
    company_id = "1" + m.mid[-9:]
    created = datetime.fromisoformat(originated_at).astimezone(ZoneInfo(ZONE))
    header = read.header
    assert header["immediate_destination"] == " 036001808"
    assert header["immediate_origin"] == company_id
    assert header["file_creation_date"] == created.strftime("%y%m%d")
    assert header["file_creation_time"] == created.strftime("%H%M")
    assert header["immediate_destination_name"] == "HOMERUN SANDBOX BANK".ljust(23)
    assert header["immediate_origin_name"] == "CORNER BAKERY & CO.".ljust(23)
    assert (header["record_size"], header["blocking_factor"]) == ("094", "10")
    effective = next_banking_day(created.date()).strftime("%y%m%d")

    classes = sorted({paid.entry_class for _, paid in expected})
    assert [b.header["standard_entry_class_code"] for b in read.batches] == classes
    trace = 0
    file_hash = debits = credits = 0
    for number, (entry_class, batch) in enumerate(zip(classes, read.batches, strict=True), 1):
        mine = [(t, p) for t, p in expected if p.entry_class == entry_class]
        assert batch.header["service_class_code"] == "200"
        assert batch.header["company_name"] == "CORNER BAKERY & "
        assert batch.header["company_identification"] == company_id
        assert batch.header["company_entry_description"] == "PAYMENT   "
        assert batch.header["effective_entry_date"] == effective
        assert batch.header["originating_dfi_identification"] == "03600180"
        assert batch.header["batch_number"] == str(number).zfill(7)
        assert len(batch.entries) == len(mine)
        for entry, (trans_id, paid) in zip(batch.entries, mine, strict=True):
            trace += 1
            assert entry["transaction_code"] == CODES[(paid.account_type, paid.credit)]
            assert entry["receiving_dfi_identification"] + entry["check_digit"] == paid.routing
            assert entry["dfi_account_number"] == paid.account.ljust(17)
            assert entry["amount"] == str(paid.amount).zfill(10)
            assert entry["individual_identification_number"] == trans_id.ljust(15)
            assert entry["individual_name"] == paid.name.upper()[:22].ljust(22)
            assert entry["addenda_record_indicator"] == "0"
            assert entry["trace_number"] == "03600180" + str(trace).zfill(7)
        batch_hash = sum(int(p.routing[:8]) for _, p in mine)
        batch_debits = sum(p.amount for _, p in mine if not p.credit)
        batch_credits = sum(p.amount for _, p in mine if p.credit)
        control = batch.control
        assert control["entry_addenda_count"] == str(len(mine)).zfill(6)
        assert control["entry_hash"] == str(batch_hash % 10**10).zfill(10)
        assert control["total_debit_entry_dollar_amount"] == str(batch_debits).zfill(12)
        assert control["total_credit_entry_dollar_amount"] == str(batch_credits).zfill(12)
        assert control["company_identification"] == company_id
        assert control["batch_number"] == str(number).zfill(7)
        file_hash += batch_hash
        debits += batch_debits
        credits += batch_credits
    records = 1 + sum(len(b.entries) + 2 for b in read.batches) + 1
    assert read.record_count == records
    assert read.control["batch_count"] == str(len(classes)).zfill(6)
    assert read.control["block_count"] == str(-(-records // 10)).zfill(6)
    assert read.control["entry_addenda_count"] == str(len(expected)).zfill(8)
    assert read.control["entry_hash"] == str(file_hash % 10**10).zfill(10)
    assert read.control["total_debit_entry_dollar_amount"] == str(debits).zfill(12)
    assert read.control["total_credit_entry_dollar_amount"] == str(credits).zfill(12)


# The file is read a partition of entries at a time; a partition of one makes every entry,
# and every change of entry class, fall on a partition's edge.
@pytest.mark.parametrize("partition", [1, 500])
async def test_the_bank_file_of_a_batch_of_sales_and_of_refund_credits(
    client: httpx.AsyncClient,
    m: MerchantAccess,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    partition: int,
) -> None:
    monkeypatch.setattr(ach_batches, "STREAM_PARTITION", partition)
    monkeypatch.setattr(service, "RECORDS_PER_CHUNK", 3 if partition == 1 else 500)
    caplog.set_level(logging.DEBUG)
    sold = [(await sell(client, m, paid), paid) for paid in SALES]
    card = await post(
        client, m, "/api/v1/charge", amount=700, account_token="4111111111111111", expiration="1230"
    )
    assert card.json()["result"] == "A"
    first = (await originate(client, m))["batch_id"]

    listing = await listed(client, m)
    assert listing["mid"] == m.mid and len(listing["batches"]) == 1
    one = listing["batches"][0]
    assert {k: v for k, v in one.items() if k != "originated_at"} == {
        "batch_id": first,
        "entry_count": 4,
        "debit_count": 4,
        "debit_total": "1037.40",
        "credit_count": 0,
        "credit_total": "0.00",
    }
    text = await download(client, m, first)
    check_file(text, m, one["originated_at"], sold)

    # Refunds are credits: 22 to a checking account, 32 to a savings account.
    await settle_ach(client, m)
    refunds = []
    for index, amount in ((0, 1000), (1, 1234)):
        trans_id, paid = sold[index]
        answer = (await post(client, m, "/api/v1/refund", trans_id=trans_id, amount=amount)).json()
        assert answer["result"] == "A", answer
        refunds.append(
            (
                answer["trans_id"],
                Paid(
                    paid.routing,
                    paid.account,
                    paid.account_type,
                    paid.entry_class,
                    paid.name,
                    amount,
                    credit=True,
                ),
            )
        )
    later = await ach_sale(client, m, 500)  # the test pair again, a debit beside the credits
    second = (await originate(client, m))["batch_id"]
    listing = await listed(client, m)
    newest = listing["batches"][0]
    assert [b["batch_id"] for b in listing["batches"]] == [second, first]
    assert {k: v for k, v in newest.items() if k != "originated_at"} == {
        "batch_id": second,
        "entry_count": 3,
        "debit_count": 1,
        "debit_total": "5.00",
        "credit_count": 2,
        "credit_total": "22.34",
    }
    expected = [
        *refunds,
        (later, Paid("036001808", "86063057", "checking", "WEB", "Pat Payer", 500)),
    ]
    check_file(await download(client, m, second), m, newest["originated_at"], expected)

    # The file is the batch as it was sent: a download again gives the same bytes, even
    # after the payments settled (state changes do not take entries out).
    await settle_ach(client, m)
    assert await download(client, m, first) == text

    # No account number in any log line, nor in the other answers.
    seen = [caplog.text, (await client.get(batches_url(m), headers=ADMIN)).text]
    seen += [str(await transaction(client, m, t)) for t, _ in [*sold, *refunds]]
    seen.append(str(await events(client, m)))
    for paid in SALES:
        for where in seen:
            assert paid.account not in where


async def test_an_unknown_batch_or_another_merchants_is_404(
    client: httpx.AsyncClient, m: MerchantAccess, make_merchant: MerchantFactory
) -> None:
    await sell(client, m, SALES[0])
    batch_id = (await originate(client, m))["batch_id"]
    other = await make_merchant(accepts="both")
    for mid, wanted in ((other.mid, batch_id), (m.mid, "ACH20261207DEADBEEF")):
        answer = await client.get(
            f"/homerun/v1/merchants/{mid}/ach/batches/{wanted}/nacha", headers=ADMIN
        )
        assert answer.status_code == 404
        message = f"ACH batch {wanted} not found for merchant {mid}"
        assert answer.json() == {
            "error": message,
            "message": message,
            "error_description": message,
            "code": "not_found",
        }
    assert (await client.get(batches_url(other), headers=ADMIN)).json() == {
        "mid": other.mid,
        "batches": [],
    }
    for path in ("", f"/{batch_id}/nacha"):
        unknown = await client.get(
            f"/homerun/v1/merchants/800000000000/ach/batches{path}", headers=ADMIN
        )
        assert unknown.status_code == 404
        assert unknown.json()["message"] == "merchant 800000000000 not found"
    # A card batch's id is no ACH batch.
    card = await post(
        client, m, "/api/v1/charge", amount=700, account_token="4111111111111111", expiration="1230"
    )
    card_batch = (
        await client.post(f"/homerun/v1/merchants/{m.mid}/batches/close", headers=ADMIN)
    ).json()
    assert card.json()["result"] == "A"
    assert card_batch.get("batch_id")
    answer = await client.get(f"{batches_url(m)}/{card_batch['batch_id']}/nacha", headers=ADMIN)
    assert answer.status_code == 404


async def test_the_admin_token_is_required(client: httpx.AsyncClient, m: MerchantAccess) -> None:
    await sell(client, m, SALES[0])
    batch_id = (await originate(client, m))["batch_id"]
    for path in (batches_url(m), f"{batches_url(m)}/{batch_id}/nacha"):
        answer = await client.get(path)
        assert answer.status_code == 401
        assert SALES[0].account not in answer.text


async def test_the_cli_writes_the_same_file(
    client: httpx.AsyncClient,
    m: MerchantAccess,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for paid in SALES:
        await sell(client, m, paid)
    batch_id = (await originate(client, m))["batch_id"]
    downloaded = await download(client, m, batch_id)
    monkeypatch.setenv("HOMERUN_DATABASE_URL", database_url)
    out = tmp_path / "batch.ach"
    runner = CliRunner()
    args = ["ach", "nacha", "--mid", m.mid, batch_id]
    done = await asyncio.to_thread(runner.invoke, app, [*args, "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="ascii") == downloaded
    assert done.stderr == f"wrote 20 records to {out}\n"
    printed = await asyncio.to_thread(runner.invoke, app, args)
    assert (printed.exit_code, printed.stdout) == (0, downloaded)
    # Another merchant's MID: an error, and no file (not even a partial one) is left.
    other = await asyncio.to_thread(
        runner.invoke, app, ["ach", "nacha", "--mid", "800000000000", batch_id, "-o", str(out)]
    )
    assert other.exit_code == 1
    assert other.stderr == "error: merchant 800000000000 not found\n"
    left = await asyncio.to_thread(lambda: sorted(p.name for p in tmp_path.iterdir()))
    assert left == ["batch.ach"]
