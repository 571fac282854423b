"""The `homerun` command: thin wrappers over the services."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from homerun.auth import service as auth
from homerun.config import Settings
from homerun.instance.service import hash_admin_token, set_value
from homerun.kit.db.engine import Database, create_engine
from homerun.kit.db.migrate import upgrade_to_head
from homerun.merchants import service as merchants
from homerun.merchants.schemas import MerchantCreate
from homerun.startup import create_demo_if_empty, open_runtime

app = typer.Typer(
    help="Homerun: a self-hostable payment platform that speaks the Run Payments API.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)
merchants_app = typer.Typer(help="Create merchants.", no_args_is_help=True)
credentials_app = typer.Typer(help="Issue Payments API credentials.", no_args_is_help=True)
admin_token_app = typer.Typer(help="The admin token of /homerun/v1.", no_args_is_help=True)
app.add_typer(merchants_app, name="merchants")
app.add_typer(credentials_app, name="credentials")
app.add_typer(admin_token_app, name="admin-token")
console = Console()


async def _migrate(settings: Settings) -> None:
    db = Database(create_engine(settings))
    try:
        await upgrade_to_head(db.engine)
    finally:
        await db.dispose()


async def _prepare_serve(settings: Settings, base_url: str) -> None:
    await _migrate(settings)
    runtime = await open_runtime(settings)
    try:
        demo = await create_demo_if_empty(runtime)
    finally:
        await runtime.db.dispose()
    console.print(
        f"[bold]Homerun[/bold] on {base_url}  ({settings.mode.value} mode, "
        f"{runtime.db.engine.dialect.name})"
    )
    if runtime.keys.generated_admin_token:
        console.print(f"admin token      {runtime.keys.generated_admin_token}  (shown once)")
    if demo is None:
        return
    creds = demo.credentials
    console.print(f"demo merchant    {demo.merchant.name}")
    console.print(f"MID              {demo.merchant.mid}")
    console.print(f"api_key          {creds.api_key}")
    console.print(f"refresh_token    {creds.refresh_token}")
    console.print(f"public_key       {creds.public_key}")
    body = json.dumps(
        {
            "mid": demo.merchant.mid,
            "amount": "10.00",
            "account_token": "4111111111111111",
            "expiration": "12/30",
            "cvn": "123",
            "account_zip": "19106",
            "capture": "Y",
        }
    )
    console.print("first charge:", style="bold")
    console.print(
        f"curl -s {base_url}/api/v1/charge -H 'Authorization: Bearer {creds.api_key}' "
        f"-H 'Content-Type: application/json' -d '{body}'",
        soft_wrap=True,
        highlight=False,
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
) -> None:
    """Migrate, create the demo merchant on an empty database, and serve every surface."""
    settings = Settings()
    asyncio.run(_prepare_serve(settings, f"http://{host}:{port}"))
    uvicorn.run(
        "homerun.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level=settings.log_level,
        access_log=False,
    )


@app.command()
def migrate() -> None:
    """Bring the database schema to the newest version."""
    asyncio.run(_migrate(Settings()))
    console.print("database is up to date")


async def _create_merchant(name: str, surcharge_rate: str | None) -> None:
    settings = Settings()
    await _migrate(settings)
    runtime = await open_runtime(settings)
    try:
        async with runtime.db.transaction() as session:
            data = MerchantCreate.model_validate(
                {
                    "name": name,
                    "surcharge_enabled": surcharge_rate is not None,
                    "surcharge_rate": surcharge_rate or "0",
                }
            )
            merchant = await merchants.create(session, runtime, data)
            creds = await auth.issue(session, runtime, merchant)
    finally:
        await runtime.db.dispose()
    console.print_json(json.dumps({"mid": merchant.mid, "name": merchant.name, **creds.__dict__}))


@merchants_app.command("create")
def create_merchant(
    name: str,
    surcharge_rate: Annotated[
        str | None, typer.Option(help="Surcharge percent, e.g. 3.00; enables surcharging.")
    ] = None,
) -> None:
    """Create a merchant (and its first credentials)."""
    asyncio.run(_create_merchant(name, surcharge_rate))


async def _issue_credentials(mid: str) -> None:
    settings = Settings()
    runtime = await open_runtime(settings)
    try:
        async with runtime.db.transaction() as session:
            merchant = await merchants.get(session, mid)
            creds = await auth.issue(session, runtime, merchant)
    finally:
        await runtime.db.dispose()
    console.print_json(json.dumps({"mid": mid, **creds.__dict__}))


@credentials_app.command("create")
def create_credentials(mid: str) -> None:
    """Issue a new set of Payments API credentials for a merchant."""
    asyncio.run(_issue_credentials(mid))


async def _reset_admin_token() -> str:
    settings = Settings()
    token = "hr_admin_" + secrets.token_urlsafe(24)
    runtime = await open_runtime(settings)
    try:
        async with runtime.db.transaction() as session:
            await set_value(session, "admin_token_hash", hash_admin_token(token))
    finally:
        await runtime.db.dispose()
    return token


@admin_token_app.command("reset")
def reset_admin_token() -> None:
    """Replace the generated admin token (unused when HOMERUN_ADMIN_TOKEN is set)."""
    console.print(asyncio.run(_reset_admin_token()))


def main() -> None:
    app()
