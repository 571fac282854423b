"""`homerun keys ...`: master-key rotation and the state of the data keys."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.console import Console

from homerun.config import Settings
from homerun.keys import service
from homerun.kit.crypto import UnknownMasterKey, encode_key, new_key
from homerun.runtime import Runtime
from homerun.startup import open_runtime

app = typer.Typer(
    help="Card-data keys: master-key rotation (docs/vault-and-billing.md).", no_args_is_help=True
)
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


async def _open() -> Runtime:
    try:
        return await open_runtime(Settings(), migrate=True, generate_admin_token=False)
    except UnknownMasterKey as problem:
        errors.print(f"error: {problem}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None


async def _rotate() -> service.Rotation:
    runtime = await _open()
    try:
        return await service.rotate(runtime)
    finally:
        await runtime.db.dispose()


@app.command()
def rotate() -> None:
    """Re-wrap every data key under HOMERUN_MASTER_KEY (card rows are not rewritten).

    Run it after setting the new key as HOMERUN_MASTER_KEY and the old one in
    HOMERUN_PREVIOUS_MASTER_KEYS on every node; then drop the old one. Safe to repeat.
    """
    report = asyncio.run(_rotate())
    console.print_json(
        json.dumps(
            {
                "master_key_id": report.master_key_id,
                "rewrapped": report.rewrapped,
                "unreadable": report.unreadable,
            }
        )
    )
    if report.unreadable:
        errors.print(
            f"error: {len(report.unreadable)} data key(s) are wrapped by a master key not "
            "given in HOMERUN_MASTER_KEY or HOMERUN_PREVIOUS_MASTER_KEYS",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)


async def _status() -> dict[str, object]:
    runtime = await _open()
    try:
        counts = await service.status(runtime)
        keyring = runtime.keys.master_keyring
        return {
            "master_key_id": keyring.current_id,
            "known_master_key_ids": keyring.ids,
            "data_keys_by_master_key": counts,
            "rotation_complete": set(counts) <= {keyring.current_id},
        }
    finally:
        await runtime.db.dispose()


@app.command()
def status() -> None:
    """Which master key wraps how many data keys (key ids only, never keys)."""
    console.print_json(json.dumps(asyncio.run(_status())))


@app.command()
def new() -> None:
    """Print a new random master key (base64), for HOMERUN_MASTER_KEY."""
    console.print(encode_key(new_key()), markup=False, soft_wrap=True)
