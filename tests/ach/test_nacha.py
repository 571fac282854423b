"""The NACHA writer, read back by the tests' own reader (tests/ach/nacha_reader.py)."""

from __future__ import annotations

import io
import random
import string
from collections.abc import Iterable, Iterator
from datetime import date, datetime

import pytest

from homerun.ach import nacha
from homerun.ach.nacha import AccountType, Batch, Direction, Entry, EntryClass, ServiceClass
from tests.ach import nacha_reader

HEADER = nacha.FileHeader(
    immediate_destination="021000021",
    immediate_origin="036001808",
    destination_name="JPMorgan Chase",
    origin_name="Homerun Sandbox",
    created_at=datetime(2026, 12, 7, 9, 5),
)


def text_of(header: nacha.FileHeader, batches: list[Batch]) -> str:
    out = io.StringIO()
    count = nacha.write(out, header, batches)
    assert count == out.getvalue().count("\n")
    return out.getvalue()


def test_a_small_file_field_by_field() -> None:
    web = Batch(
        company_name="Demo Coffee Roasters LLC",  # longer than 16: cut
        company_id="1234567890",
        entry_class=EntryClass.WEB,
        entry_description="Purchase",
        effective_entry_date=date(2026, 12, 8),
        originating_dfi="036001808",
        entries=[
            Entry(
                "011000015",
                "86063057",
                AccountType.CHECKING,
                Direction.DEBIT,
                12345,
                "Jane Q. Doe",
                "TXN000000000001",
                "S",
            ),
            Entry(
                "021000021",
                "12345678901234567",
                AccountType.SAVINGS,
                Direction.DEBIT,
                1,
                "Zoë O'Brien-Smith the Third",
                "TXN2",
            ),
            Entry(
                "036001808", "555", AccountType.CHECKING, Direction.CREDIT, 5000, "Refund Receiver"
            ),
            Entry(
                "011000015",
                "4444",
                AccountType.SAVINGS,
                Direction.CREDIT,
                9_999_999_999,
                "Big Credit",
            ),
        ],
    )
    ccd = Batch(
        company_name="Demo Coffee",
        company_id="1234567890",
        entry_class=EntryClass.CCD,
        entry_description="Invoice",
        effective_entry_date=date(2026, 12, 9),
        originating_dfi="036001808",
        service_class=ServiceClass.DEBITS_ONLY,
        company_discretionary_data="net 30",
        entries=iter(
            [
                Entry(
                    "021000021",
                    "999",
                    AccountType.CHECKING,
                    Direction.DEBIT,
                    250000,
                    "Acme Supply Co",
                    "INV-77",
                ),
            ]
        ),
    )
    text = text_of(HEADER, [web, ccd])
    read = nacha_reader.read(text)

    assert read.header == {
        "record_type": "1",
        "priority_code": "01",
        "immediate_destination": " 021000021",
        "immediate_origin": " 036001808",
        "file_creation_date": "261207",
        "file_creation_time": "0905",
        "file_id_modifier": "A",
        "record_size": "094",
        "blocking_factor": "10",
        "format_code": "1",
        "immediate_destination_name": "JPMORGAN CHASE         ",
        "immediate_origin_name": "HOMERUN SANDBOX        ",
        "reference_code": "        ",
    }
    first, second = read.batches
    assert first.header == {
        "record_type": "5",
        "service_class_code": "200",
        "company_name": "DEMO COFFEE ROAS",
        "company_discretionary_data": " " * 20,
        "company_identification": "1234567890",
        "standard_entry_class_code": "WEB",
        "company_entry_description": "PURCHASE  ",
        "company_descriptive_date": "      ",
        "effective_entry_date": "261208",
        "settlement_date": "   ",
        "originator_status_code": "1",
        "originating_dfi_identification": "03600180",
        "batch_number": "0000001",
    }
    assert [
        (
            e["transaction_code"],
            e["receiving_dfi_identification"],
            e["check_digit"],
            e["dfi_account_number"],
            e["amount"],
            e["individual_identification_number"],
            e["individual_name"],
            e["discretionary_data"],
            e["addenda_record_indicator"],
            e["trace_number"],
        )
        for e in first.entries
    ] == [
        (
            "27",
            "01100001",
            "5",
            "86063057         ",
            "0000012345",
            "TXN000000000001",
            "JANE Q. DOE           ",
            "S ",
            "0",
            "036001800000001",
        ),
        (
            "37",
            "02100002",
            "1",
            "12345678901234567",
            "0000000001",
            "TXN2           ",
            "ZO  O'BRIEN-SMITH THE ",
            "  ",
            "0",
            "036001800000002",
        ),
        (
            "22",
            "03600180",
            "8",
            "555              ",
            "0000005000",
            " " * 15,
            "REFUND RECEIVER       ",
            "  ",
            "0",
            "036001800000003",
        ),
        (
            "32",
            "01100001",
            "5",
            "4444             ",
            "9999999999",
            " " * 15,
            "BIG CREDIT            ",
            "  ",
            "0",
            "036001800000004",
        ),
    ]
    assert first.control == {
        "record_type": "8",
        "service_class_code": "200",
        "entry_addenda_count": "000004",
        # 01100001 + 02100002 + 03600180 + 01100001
        "entry_hash": "0007900184",
        "total_debit_entry_dollar_amount": "000000012346",
        "total_credit_entry_dollar_amount": "010000004999",
        "company_identification": "1234567890",
        "message_authentication_code": " " * 19,
        "reserved": " " * 6,
        "originating_dfi_identification": "03600180",
        "batch_number": "0000001",
    }
    assert second.header["service_class_code"] == "225"
    assert second.header["standard_entry_class_code"] == "CCD"
    assert second.header["company_discretionary_data"] == "NET 30              "
    assert second.header["batch_number"] == "0000002"
    assert [e["trace_number"] for e in second.entries] == ["036001800000005"]
    assert second.control["entry_hash"] == "0002100002"
    assert second.control["total_debit_entry_dollar_amount"] == "000000250000"
    assert second.control["total_credit_entry_dollar_amount"] == "000000000000"
    assert read.control == {
        "record_type": "9",
        "batch_count": "000002",
        "block_count": "000002",
        "entry_addenda_count": "00000005",
        "entry_hash": "0010000186",
        "total_debit_entry_dollar_amount": "000000262346",
        "total_credit_entry_dollar_amount": "010000004999",
        "reserved": " " * 39,
    }
    # 1 + (1 + 4 + 1) + (1 + 1 + 1) + 1 = 11 records: two blocks, nine lines of 9s.
    assert (read.record_count, read.padding_lines) == (11, 9)


def test_an_empty_file_is_a_header_a_control_and_eight_lines_of_nines() -> None:
    read = nacha_reader.read(text_of(HEADER, []))
    assert read.batches == []
    assert read.control["batch_count"] == "000000"
    assert read.control["block_count"] == "000001"
    assert read.control["entry_addenda_count"] == "00000000"
    assert read.control["entry_hash"] == "0000000000"
    assert (read.record_count, read.padding_lines) == (2, 8)


def test_the_entry_hash_keeps_its_rightmost_ten_digits() -> None:
    # 999999992 passes the checksum: 9 x (3+7+1+3+7+1+3+7) = 288, + 2 = 290.
    entries = [
        Entry("999999992", "1", AccountType.CHECKING, Direction.CREDIT, 1, "X") for _ in range(101)
    ]
    read = nacha_reader.read(text_of(HEADER, [batch_of(entries)]))
    # 101 x 99,999,999 = 10,099,999,899
    assert read.batches[0].control["entry_hash"] == "0099999899"
    assert read.control["entry_hash"] == "0099999899"
    assert read.control["block_count"] == "000011"  # 105 records
    assert read.padding_lines == 5


def batch_of(entries: Iterable[Entry], **changes: object) -> Batch:
    fields: dict[str, object] = {
        "company_name": "Demo",
        "company_id": "1234567890",
        "entry_class": EntryClass.PPD,
        "entry_description": "Payroll",
        "effective_entry_date": date(2026, 12, 8),
        "originating_dfi": "036001808",
        "entries": entries,
    }
    fields.update(changes)
    return Batch(**fields)  # type: ignore[arg-type]


def test_entries_are_read_one_at_a_time() -> None:
    pulled: list[int] = []

    def entries() -> Iterator[Entry]:
        for n in range(1, 1_000_001):
            pulled.append(n)
            yield Entry("011000015", str(n), AccountType.CHECKING, Direction.DEBIT, n, "Name")

    stream = nacha.records(HEADER, [batch_of(entries())])
    assert next(stream)[0] == "1"
    assert next(stream)[0] == "5"
    assert pulled == []
    assert next(stream)[0] == "6"
    assert pulled == [1]
    assert next(stream)[0] == "6"
    assert pulled == [1, 2]


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (
            batch_of([Entry("011000016", "1", AccountType.CHECKING, Direction.DEBIT, 1, "X")]),
            "routing_number",
        ),
        (
            batch_of([Entry("01100001", "1", AccountType.CHECKING, Direction.DEBIT, 1, "X")]),
            "routing_number",
        ),
        (
            batch_of([Entry("011000015", "1", AccountType.CHECKING, Direction.DEBIT, 0, "X")]),
            "amount",
        ),
        (
            batch_of(
                [
                    Entry(
                        "011000015", "1", AccountType.CHECKING, Direction.DEBIT, 10_000_000_000, "X"
                    )
                ]
            ),
            "amount",
        ),
        (
            batch_of([Entry("011000015", "1" * 18, AccountType.CHECKING, Direction.DEBIT, 1, "X")]),
            "account_number",
        ),
        (
            batch_of([Entry("011000015", "", AccountType.CHECKING, Direction.DEBIT, 1, "X")]),
            "account_number",
        ),
        (
            batch_of([Entry("011000015", "12é", AccountType.CHECKING, Direction.DEBIT, 1, "X")]),
            "account_number",
        ),
        (
            batch_of(
                [Entry("011000015", "1", AccountType.CHECKING, Direction.CREDIT, 1, "X")],
                service_class=ServiceClass.DEBITS_ONLY,
            ),
            "credit entry",
        ),
        (
            batch_of(
                [Entry("011000015", "1", AccountType.SAVINGS, Direction.DEBIT, 1, "X")],
                service_class=ServiceClass.CREDITS_ONLY,
            ),
            "debit entry",
        ),
        (batch_of([], originating_dfi="123"), "originating_dfi"),
        (batch_of([], company_id="12345678901"), "company_id"),
        (
            batch_of(
                [Entry("011000015", "1", AccountType.CHECKING, Direction.DEBIT, 9_999_999_999, "X")]
                * 101
            ),
            "total debits",
        ),
    ],
)
def test_input_that_cannot_be_written_is_refused(batch: Batch, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        list(nacha.records(HEADER, [batch]))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"immediate_destination": "021000022"}, "immediate_destination"),
        ({"immediate_origin": "12345"}, "immediate_origin"),
        ({"file_id_modifier": "AB"}, "file_id_modifier"),
    ],
)
def test_a_bad_file_header_is_refused(changes: dict[str, str], message: str) -> None:
    fields = {
        "immediate_destination": HEADER.immediate_destination,
        "immediate_origin": HEADER.immediate_origin,
        "destination_name": HEADER.destination_name,
        "origin_name": HEADER.origin_name,
        "created_at": HEADER.created_at,
    }
    header = nacha.FileHeader(**{**fields, **changes})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        list(nacha.records(header, []))


def test_a_ten_character_origin_is_written_as_it_is() -> None:
    header = nacha.FileHeader("021000021", "1234567890", "Bank", "Homerun", HEADER.created_at)
    assert nacha_reader.read(text_of(header, [])).header["immediate_origin"] == "1234567890"


# --- random files --------------------------------------------------------------------


def random_routing(rng: random.Random) -> str:
    prefix = [rng.randrange(10) for _ in range(8)]
    weights = [3, 7, 1, 3, 7, 1, 3, 7]
    check = -sum(d * w for d, w in zip(prefix, weights, strict=True)) % 10
    return "".join(map(str, [*prefix, check]))


NAME_CHARACTERS = string.ascii_letters + string.digits + " .,'-&/éñ\t"


def expected_text(value: str, width: int) -> str:
    """What an alphanumeric field should hold: upper case, printable ASCII, space-filled."""
    upper = value.upper()
    kept = "".join(
        c if (c.isascii() and c.isprintable() and not c.islower()) else " " for c in upper
    )
    return kept[:width] + " " * max(0, width - len(kept))


def random_entry(rng: random.Random) -> Entry:
    return Entry(
        routing_number=random_routing(rng),
        account_number="".join(rng.choices(string.digits, k=rng.randint(4, 17))),
        account_type=rng.choice(list(AccountType)),
        direction=rng.choice(list(Direction)),
        amount=rng.choice([1, rng.randint(1, 10**6), rng.randint(1, 9_999_999_999)]),
        individual_name="".join(rng.choices(NAME_CHARACTERS, k=rng.randint(1, 30))),
        individual_id="".join(
            rng.choices(string.ascii_uppercase + string.digits, k=rng.randint(0, 15))
        ),
    )


CODES = {
    ("checking", "debit"): "27",
    ("savings", "debit"): "37",
    ("checking", "credit"): "22",
    ("savings", "credit"): "32",
}


def test_random_files_read_back_exactly() -> None:
    rng = random.Random(20261207)
    for _ in range(150):
        batches = [
            batch_of(
                [random_entry(rng) for _ in range(rng.choice([0, 1, 2, rng.randint(3, 60)]))],
                originating_dfi=random_routing(rng),
                entry_class=rng.choice(list(EntryClass)),
            )
            for _ in range(rng.randint(0, 4))
        ]
        read = nacha_reader.read(text_of(HEADER, batches))
        assert len(read.batches) == len(batches)
        trace = 0
        all_entries = all_debits = all_credits = all_hash = 0
        for number, (batch, got) in enumerate(zip(batches, read.batches, strict=True), 1):
            entries = list(batch.entries)
            assert got.header["batch_number"] == got.control["batch_number"] == f"{number:07d}"
            odfi = batch.originating_dfi[:8]
            assert got.header["originating_dfi_identification"] == odfi
            assert got.control["originating_dfi_identification"] == odfi
            assert got.header["standard_entry_class_code"] == batch.entry_class.value
            assert len(got.entries) == len(entries)
            for entry, record in zip(entries, got.entries, strict=True):
                trace += 1
                assert record["transaction_code"] == CODES[(entry.account_type, entry.direction)]
                assert (
                    record["receiving_dfi_identification"] + record["check_digit"]
                    == entry.routing_number
                )
                assert record["dfi_account_number"].rstrip() == entry.account_number
                assert int(record["amount"]) == entry.amount
                assert record["individual_name"] == expected_text(entry.individual_name, 22)
                assert record["individual_identification_number"] == expected_text(
                    entry.individual_id, 15
                )
                assert record["trace_number"] == odfi + f"{trace:07d}"
            debits = sum(e.amount for e in entries if e.direction is Direction.DEBIT)
            credits = sum(e.amount for e in entries if e.direction is Direction.CREDIT)
            entry_hash = sum(int(e.routing_number[:8]) for e in entries)
            assert int(got.control["entry_addenda_count"]) == len(entries)
            assert got.control["entry_hash"] == f"{entry_hash:020d}"[-10:]
            assert int(got.control["total_debit_entry_dollar_amount"]) == debits
            assert int(got.control["total_credit_entry_dollar_amount"]) == credits
            all_entries += len(entries)
            all_debits += debits
            all_credits += credits
            all_hash += entry_hash
        records = 2 + sum(2 + len(b.entries) for b in read.batches)
        assert read.record_count == records
        assert int(read.control["batch_count"]) == len(batches)
        assert int(read.control["block_count"]) == (records + 9) // 10
        assert read.padding_lines == (-records) % 10
        assert int(read.control["entry_addenda_count"]) == all_entries
        assert read.control["entry_hash"] == f"{all_hash:020d}"[-10:]
        assert int(read.control["total_debit_entry_dollar_amount"]) == all_debits
        assert int(read.control["total_credit_entry_dollar_amount"]) == all_credits
