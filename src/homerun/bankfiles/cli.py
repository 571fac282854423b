"""`homerun ach nacha --mid MID BATCH_ID [-o FILE]`: an ACH batch's NACHA file."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console

from homerun.bankfiles import service
from homerun.config import Settings
from homerun.errors import HomerunError
from homerun.merchants import service as merchants
from homerun.startup import open_runtime

app = typer.Typer(help="ACH bank files (docs/ach.md).", no_args_is_help=True)
errors = Console(stderr=True, highlight=False)


async def write_file(mid: str, batch_id: str, out: TextIO) -> int:
    """Write the batch's file to `out`; answers its record count."""
    runtime = await open_runtime(Settings(), migrate=False, generate_admin_token=False)
    records = 0
    try:
        async with runtime.db.transaction() as session:
            merchant = await merchants.get(session, mid)
            batch = await service.find_batch(session, merchant, batch_id)
            async for piece in service.nacha_file(session, runtime, merchant, batch):
                out.write(piece)
                records += piece.count("\n")
    finally:
        await runtime.db.dispose()
    return records


@app.command()
def nacha(
    batch_id: str,
    mid: Annotated[str, typer.Option(help="The merchant's MID")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout")
    ] = None,
) -> None:
    """Write the NACHA file of an originated ACH batch (94-character records)."""
    try:
        if output is None:
            asyncio.run(write_file(mid, batch_id, sys.stdout))
            return
        part = output.with_name(output.name + ".part")  # no half file under the name asked
        try:
            with part.open("w", encoding="ascii", newline="\n") as out:
                records = asyncio.run(write_file(mid, batch_id, out))
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        part.replace(output)
        errors.print(f"wrote {records} records to {output}", markup=False, soft_wrap=True)
    except HomerunError as problem:
        errors.print(f"error: {problem}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
