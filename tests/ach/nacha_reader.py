"""A NACHA file reader for the tests, written from the NACHA record layouts alone.

It shares no code with `homerun.ach.nacha`: each record type's fields are listed here
with their 1-based, inclusive positions as the NACHA Operating Rules' record formats
give them, and `read` checks the file's structure (record order, batch numbering,
blocking) while it splits the records into named fields. What the fields must hold
(counts, hashes, totals) the tests check themselves, from their own input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Fields = dict[str, str]

LAYOUTS: dict[str, list[tuple[str, int, int]]] = {
    "1": [  # File Header Record
        ("record_type", 1, 1),
        ("priority_code", 2, 3),
        ("immediate_destination", 4, 13),
        ("immediate_origin", 14, 23),
        ("file_creation_date", 24, 29),
        ("file_creation_time", 30, 33),
        ("file_id_modifier", 34, 34),
        ("record_size", 35, 37),
        ("blocking_factor", 38, 39),
        ("format_code", 40, 40),
        ("immediate_destination_name", 41, 63),
        ("immediate_origin_name", 64, 86),
        ("reference_code", 87, 94),
    ],
    "5": [  # Company/Batch Header Record
        ("record_type", 1, 1),
        ("service_class_code", 2, 4),
        ("company_name", 5, 20),
        ("company_discretionary_data", 21, 40),
        ("company_identification", 41, 50),
        ("standard_entry_class_code", 51, 53),
        ("company_entry_description", 54, 63),
        ("company_descriptive_date", 64, 69),
        ("effective_entry_date", 70, 75),
        ("settlement_date", 76, 78),
        ("originator_status_code", 79, 79),
        ("originating_dfi_identification", 80, 87),
        ("batch_number", 88, 94),
    ],
    "6": [  # Entry Detail Record
        ("record_type", 1, 1),
        ("transaction_code", 2, 3),
        ("receiving_dfi_identification", 4, 11),
        ("check_digit", 12, 12),
        ("dfi_account_number", 13, 29),
        ("amount", 30, 39),
        ("individual_identification_number", 40, 54),
        ("individual_name", 55, 76),
        ("discretionary_data", 77, 78),
        ("addenda_record_indicator", 79, 79),
        ("trace_number", 80, 94),
    ],
    "8": [  # Company/Batch Control Record
        ("record_type", 1, 1),
        ("service_class_code", 2, 4),
        ("entry_addenda_count", 5, 10),
        ("entry_hash", 11, 20),
        ("total_debit_entry_dollar_amount", 21, 32),
        ("total_credit_entry_dollar_amount", 33, 44),
        ("company_identification", 45, 54),
        ("message_authentication_code", 55, 73),
        ("reserved", 74, 79),
        ("originating_dfi_identification", 80, 87),
        ("batch_number", 88, 94),
    ],
    "9": [  # File Control Record
        ("record_type", 1, 1),
        ("batch_count", 2, 7),
        ("block_count", 8, 13),
        ("entry_addenda_count", 14, 21),
        ("entry_hash", 22, 31),
        ("total_debit_entry_dollar_amount", 32, 43),
        ("total_credit_entry_dollar_amount", 44, 55),
        ("reserved", 56, 94),
    ],
}


def split(record: str) -> Fields:
    """A record's fields by name; every layout covers positions 1 to 94 exactly."""
    layout = LAYOUTS[record[0]]
    covered = [position for _, start, end in layout for position in range(start, end + 1)]
    assert covered == list(range(1, 95)), "layout must tile the record"
    return {name: record[start - 1 : end] for name, start, end in layout}


@dataclass
class ReadBatch:
    header: Fields
    entries: list[Fields] = field(default_factory=list)
    control: Fields = field(default_factory=dict)


@dataclass
class ReadFile:
    header: Fields
    batches: list[ReadBatch]
    control: Fields
    padding_lines: int
    record_count: int


def read(text: str) -> ReadFile:
    """Parse a whole file (records ended by newlines) and check its structure."""
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    for number, line in enumerate(lines, 1):
        assert len(line) == 94, f"record {number} is {len(line)} characters"
        assert line.isascii() and line.isprintable(), f"record {number}"
    assert len(lines) % 10 == 0, "records come in blocks of ten"
    assert lines[0][0] == "1", "a file starts with its header"
    header = split(lines[0])
    batches: list[ReadBatch] = []
    current: ReadBatch | None = None
    position = 1
    while lines[position][0] != "9":
        record = lines[position]
        kind = record[0]
        if kind == "5":
            assert current is None, "a batch header inside a batch"
            current = ReadBatch(split(record))
        elif kind == "6":
            assert current is not None, "an entry outside a batch"
            current.entries.append(split(record))
        elif kind == "8":
            assert current is not None, "a batch control outside a batch"
            current.control = split(record)
            batches.append(current)
            current = None
        else:
            raise AssertionError(f"unexpected record type {kind!r} at {position + 1}")
        position += 1
    assert current is None, "a batch without its control"
    control = split(lines[position])
    padding = lines[position + 1 :]
    assert all(line == "9" * 94 for line in padding), "only 9s fill the last block"
    assert len(padding) < 10, "no whole block of padding"
    return ReadFile(header, batches, control, len(padding), position + 1)
