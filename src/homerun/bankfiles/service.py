"""The NACHA file of an originated ACH batch, assembled as it streams (docs/ach.md).

The batch's entries come from payments' streamed query a partition at a time; each
partition's bank tokens are read in one query and their account numbers unsealed; the
pure writer (homerun.ach.nacha) pulls one entry per record it writes, so the file is
sent as it is made and a batch of any size costs the memory of one partition.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ach import nacha
from homerun.errors import NotFound
from homerun.kit.banking_days import next_banking_day
from homerun.merchants.models import Merchant
from homerun.payments import ach_batches
from homerun.payments.ach_batches import AchBatch, AchEntryRow
from homerun.runtime import Runtime
from homerun.tokenizer import bank_tokens
from homerun.tokenizer import repository as tokens

ENTRY_DESCRIPTION = "PAYMENT"
RECORDS_PER_CHUNK = 500  # about 47 KB of the file per piece sent


def company_id(merchant: Merchant) -> str:
    """The merchant's 10-character company id: `1` and the last nine digits of its MID
    (NACHA's `1` prefix of an identification number; Homerun keeps no EIN)."""
    return "1" + merchant.mid[-9:].rjust(9, "0")


async def find_batch(session: AsyncSession, merchant: Merchant, batch_id: str) -> AchBatch:
    found = await ach_batches.batch(session, merchant.id, batch_id)
    if found is None:
        raise NotFound(f"ACH batch {batch_id} not found for merchant {merchant.mid}")
    return found


async def batches(session: AsyncSession, merchant: Merchant) -> list[AchBatch]:
    return await ach_batches.batches(session, merchant.id)


def file_name(batch: AchBatch) -> str:
    return f"{batch.batch_id}.ach"


@dataclass(slots=True)
class _Pending:
    """Entries read and unsealed but not yet written: at most one partition."""

    entries: deque[tuple[str, nacha.Entry]]
    exhausted: bool = False


def _entry(row: AchEntryRow, account_number: str) -> nacha.Entry:
    return nacha.Entry(
        routing_number=row.routing_number,
        account_number=account_number,
        account_type=nacha.AccountType(row.account_type),
        direction=nacha.Direction.CREDIT if row.is_credit else nacha.Direction.DEBIT,
        amount=row.amount,
        individual_name=row.holder_name,
        individual_id=str(row.trans_id),
    )


async def _refill(
    session: AsyncSession,
    runtime: Runtime,
    merchant_id: int,
    partitions: AsyncGenerator[list[AchEntryRow]],
    pending: _Pending,
) -> None:
    part = await anext(partitions, None)
    if part is None:
        pending.exhausted = True
        return
    sealed = await tokens.ach_by_tokens(session, merchant_id, {row.account_token for row in part})
    numbers: dict[str, str] = {}  # a partition's payments often share an account
    for token, row in sealed.items():
        numbers[token] = await bank_tokens.account_number(session, runtime, row)
    for entry_row in part:
        number = numbers.get(entry_row.account_token)
        if number is None:  # never expected: tokens are kept while a payment refers to them
            raise LookupError(f"transaction {entry_row.trans_id} has no bank token")
        pending.entries.append((entry_row.entry_class, _entry(entry_row, number)))


async def nacha_file(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, batch: AchBatch
) -> AsyncIterator[str]:
    """The batch's NACHA file in pieces of whole records, each ended by a newline: one
    NACHA batch per entry class, the entries in the order they were made."""
    local = ZoneInfo(merchant.timezone)
    created: datetime = batch.originated_at.astimezone(local)
    settings = runtime.settings
    header = nacha.FileHeader(
        immediate_destination=settings.ach_odfi_routing_number,
        immediate_origin=company_id(merchant),
        destination_name=settings.ach_odfi_name,
        origin_name=merchant.name,
        created_at=created,
    )
    effective = next_banking_day(created.date())
    pending = _Pending(deque())

    def of_class(entry_class: str) -> Iterator[nacha.Entry]:
        # The writer pulls one entry per record; the loop below refills before each
        # record, so an empty deque here means the batch's rows are over.
        while pending.entries and pending.entries[0][0] == entry_class:
            yield pending.entries.popleft()[1]

    def file_batches() -> Iterator[nacha.Batch]:
        while pending.entries:
            entry_class = pending.entries[0][0]
            yield nacha.Batch(
                company_name=merchant.name,
                company_id=company_id(merchant),
                entry_class=nacha.EntryClass(entry_class),
                entry_description=ENTRY_DESCRIPTION,
                effective_entry_date=effective,
                originating_dfi=settings.ach_odfi_routing_number,
                entries=of_class(entry_class),
            )

    rows = ach_batches.entries(session, merchant.id, batch.batch_id)  # partitions of rows
    try:
        writer = nacha.records(header, file_batches())
        piece: list[str] = []
        while True:
            if not pending.entries and not pending.exhausted:
                await _refill(session, runtime, merchant.id, rows, pending)
            record = next(writer, None)
            if record is None:
                break
            piece.append(record)
            if len(piece) == RECORDS_PER_CHUNK:
                yield "\n".join(piece) + "\n"
                piece.clear()
        if piece:
            yield "\n".join(piece) + "\n"
    finally:
        await rows.aclose()
