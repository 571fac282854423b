"""The NACHA file a bank receives for originated ACH entries (docs/ach.md, "The NACHA file").

A pure, streaming writer: `records` takes the file's header fields and its batches,
each batch with an iterable of entries, and yields the 94-character records one by
one (file header, then per batch its header, entry details and control, then the
file control and the 9s that fill the last block of ten). Entries are read once and
never kept: every count, hash and total is added up as the entries go by, so a batch
of 100,000 entries costs the memory of one.

Nothing here reads the clock or the database: the caller gives the creation moment
and the effective entry date, so the same input always writes the same file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import IO

RECORD_SIZE = 94
BLOCKING_FACTOR = 10
_PADDING = "9" * RECORD_SIZE
_MAX_ENTRY_AMOUNT = 9_999_999_999  # 10 digits of cents
_MAX_TOTAL = 999_999_999_999  # 12 digits of cents
_ABA_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)
# NACHA's alphanumeric fields take upper-case letters, digits and these; anything
# else (accents, control characters) becomes a space.
_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


class AccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"


class Direction(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


class EntryClass(StrEnum):
    """Standard Entry Class codes Homerun originates (ruling R15)."""

    WEB = "WEB"
    PPD = "PPD"
    CCD = "CCD"
    TEL = "TEL"


class ServiceClass(StrEnum):
    """What a batch may hold, written in its header before any entry is seen."""

    MIXED = "200"
    CREDITS_ONLY = "220"
    DEBITS_ONLY = "225"


# The direction a batch's service class refuses.
_REFUSED = {
    ServiceClass.CREDITS_ONLY: Direction.DEBIT,
    ServiceClass.DEBITS_ONLY: Direction.CREDIT,
}

# Transaction codes of live entries: checking 22 credit / 27 debit, savings 32 / 37.
TRANSACTION_CODES = {
    (AccountType.CHECKING, Direction.CREDIT): "22",
    (AccountType.CHECKING, Direction.DEBIT): "27",
    (AccountType.SAVINGS, Direction.CREDIT): "32",
    (AccountType.SAVINGS, Direction.DEBIT): "37",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry detail record: a debit or credit of one bank account."""

    routing_number: str  # the receiving bank's 9-digit ABA routing number
    account_number: str  # at most 17 characters
    account_type: AccountType
    direction: Direction
    amount: int  # cents, 1 to 9,999,999,999
    individual_name: str  # the account holder (or company, for CCD); cut to 22
    individual_id: str = ""  # the originator's reference for the receiver; cut to 15
    discretionary_data: str = ""  # 2 characters (WEB/TEL: the payment type code)


@dataclass(frozen=True, slots=True)
class Batch:
    """One company batch: a header, its entries (read once, in order) and a control."""

    company_name: str  # cut to 16
    company_id: str  # 1 to 10 characters, e.g. "1" + the company's EIN
    entry_class: EntryClass
    entry_description: str  # shown on the receiver's statement; cut to 10
    effective_entry_date: date
    originating_dfi: str  # the ODFI's 9-digit routing number; the first 8 digits are written
    entries: Iterable[Entry]
    service_class: ServiceClass = ServiceClass.MIXED
    company_discretionary_data: str = ""


@dataclass(frozen=True, slots=True)
class FileHeader:
    immediate_destination: str  # the receiving point's 9-digit routing number
    immediate_origin: str  # 9-digit routing number, or a 10-character identifier
    destination_name: str  # cut to 23
    origin_name: str  # cut to 23
    created_at: datetime  # written as YYMMDD and HHMM, as given
    file_id_modifier: str = "A"  # A-Z or 0-9: tells apart files of the same day
    reference_code: str = ""


@lru_cache(maxsize=4096)  # a file's entries go to few banks: check each number once
def aba_checksum_ok(routing_number: str) -> bool:
    """Whether a 9-digit routing number passes the ABA check digit (weights 3, 7, 1)."""
    if len(routing_number) != 9 or not (routing_number.isascii() and routing_number.isdigit()):
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(routing_number, _ABA_WEIGHTS, strict=True)
    )
    return total % 10 == 0


def _routing(value: str, what: str) -> str:
    if not aba_checksum_ok(value):
        raise ValueError(f"{what} must be a 9-digit ABA routing number")
    return value


def _text(value: str, width: int) -> str:
    """An alphanumeric field: upper case, NACHA's characters only, cut and space-filled."""
    upper = value.upper()
    if not (upper.isascii() and upper.isprintable()):  # the rare case: look at each character
        upper = "".join(ch if ch in _ALLOWED else " " for ch in upper)
    return upper[:width].ljust(width)


def _number(value: int, width: int, what: str) -> str:
    if value < 0 or value >= 10**width:
        raise ValueError(f"{what} does not fit {width} digits")
    return str(value).zfill(width)


def _identifier(value: str, width: int, what: str) -> str:
    """A field that must be written whole (an account number, a company id): never cut."""
    if not (0 < len(value) <= width and value.isascii() and value.isprintable()):
        raise ValueError(f"{what} must be 1 to {width} characters")
    return value.upper().ljust(width)


def _file_header(header: FileHeader) -> str:
    destination = " " + _routing(header.immediate_destination, "immediate_destination")
    origin = header.immediate_origin
    if len(origin) == 9 and origin.isdigit():
        origin = " " + origin
    elif len(origin) != 10 or not origin.isalnum():
        raise ValueError("immediate_origin must be a routing number or 10 characters")
    modifier = header.file_id_modifier.upper()
    if len(modifier) != 1 or not modifier.isalnum() or not modifier.isascii():
        raise ValueError("file_id_modifier must be one letter or digit")
    return (
        "1"
        + "01"
        + destination
        + origin
        + header.created_at.strftime("%y%m%d")
        + header.created_at.strftime("%H%M")
        + modifier
        + "094"
        + "10"
        + "1"
        + _text(header.destination_name, 23)
        + _text(header.origin_name, 23)
        + _text(header.reference_code, 8)
    )


@dataclass(slots=True)
class _Totals:
    """What a control record sums, added up as the entries stream by."""

    entries: int = 0
    entry_hash: int = 0
    debits: int = 0
    credits: int = 0

    def add(self, other: _Totals) -> None:
        self.entries += other.entries
        self.entry_hash += other.entry_hash
        self.debits += other.debits
        self.credits += other.credits

    def hash_field(self) -> str:
        # The sum of the 8-digit receiving-bank prefixes, its rightmost 10 digits.
        return str(self.entry_hash % 10**10).zfill(10)

    def amount_fields(self) -> str:
        return _number(self.debits, 12, "total debits") + _number(self.credits, 12, "total credits")


def _batch_header(batch: Batch, number: int, odfi: str, company_id: str) -> str:
    return (
        "5"
        + batch.service_class.value
        + _text(batch.company_name, 16)
        + _text(batch.company_discretionary_data, 20)
        + company_id
        + batch.entry_class.value
        + _text(batch.entry_description, 10)
        + " " * 6  # company descriptive date: none
        + batch.effective_entry_date.strftime("%y%m%d")
        + " " * 3  # settlement date: the ACH operator writes it
        + "1"  # originator status: a depository financial institution
        + odfi
        + _number(number, 7, "batch number")
    )


def _entry_detail(entry: Entry, batch: Batch, odfi: str, trace: int) -> str:
    routing = _routing(entry.routing_number, "routing_number")
    if not 0 < entry.amount <= _MAX_ENTRY_AMOUNT:
        raise ValueError("amount must be 1 to 9,999,999,999 cents")
    if _REFUSED.get(batch.service_class) is entry.direction:
        raise ValueError(f"a {entry.direction} entry in a {batch.service_class.name} batch")
    return (
        "6"
        + TRANSACTION_CODES[(entry.account_type, entry.direction)]
        + routing
        + _identifier(entry.account_number, 17, "account_number")
        + _number(entry.amount, 10, "amount")
        + _text(entry.individual_id, 15)
        + _text(entry.individual_name, 22)
        + _text(entry.discretionary_data, 2)
        + "0"  # no addenda record
        + odfi
        + _number(trace, 7, "trace sequence")
    )


def _batch_control(batch: Batch, totals: _Totals, number: int, odfi: str, company_id: str) -> str:
    return (
        "8"
        + batch.service_class.value
        + _number(totals.entries, 6, "entry count")
        + totals.hash_field()
        + totals.amount_fields()
        + company_id
        + " " * 19  # message authentication code
        + " " * 6  # reserved
        + odfi
        + _number(number, 7, "batch number")
    )


def _file_control(batch_count: int, block_count: int, totals: _Totals) -> str:
    return (
        "9"
        + _number(batch_count, 6, "batch count")
        + _number(block_count, 6, "block count")
        + _number(totals.entries, 8, "entry count")
        + totals.hash_field()
        + totals.amount_fields()
        + " " * 39
    )


def records(header: FileHeader, batches: Iterable[Batch]) -> Iterator[str]:
    """The file's records, 94 characters each, without line ends, in file order.

    Raises ValueError on input that cannot be written (a routing number that fails
    the checksum, an amount or total too large, a debit in a credits-only batch), at
    the record it concerns: a caller that streams to a file discards the file.
    """
    yield _file_header(header)
    written = 1
    file_totals = _Totals()
    trace = 0
    batch_count = 0
    for batch in batches:
        batch_count += 1
        odfi = _routing(batch.originating_dfi, "originating_dfi")[:8]
        company_id = _identifier(batch.company_id, 10, "company_id")
        yield _batch_header(batch, batch_count, odfi, company_id)
        totals = _Totals()
        for entry in batch.entries:
            trace += 1
            yield _entry_detail(entry, batch, odfi, trace)
            totals.entries += 1
            totals.entry_hash += int(entry.routing_number[:8])
            if entry.direction is Direction.DEBIT:
                totals.debits += entry.amount
            else:
                totals.credits += entry.amount
        yield _batch_control(batch, totals, batch_count, odfi, company_id)
        written += totals.entries + 2
        file_totals.add(totals)
    written += 1  # the file control
    blocks = -(-written // BLOCKING_FACTOR)
    yield _file_control(batch_count, blocks, file_totals)
    for _ in range(blocks * BLOCKING_FACTOR - written):
        yield _PADDING


def write(out: IO[str], header: FileHeader, batches: Iterable[Batch]) -> int:
    """Write the file to `out`, each record ended by a newline; answers the record count."""
    count = 0
    for record in records(header, batches):
        out.write(record + "\n")
        count += 1
    return count
