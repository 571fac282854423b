"""The `homerun` command: thin wrappers over the services."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from homerun.auth import service as auth
from homerun.bankfiles.cli import app as ach_app
from homerun.boarding.cli import app as partners_app
from homerun.boarding.demo import DemoPartner
from homerun.commands import console, fail, say
from homerun.config import Settings
from homerun.errors import HomerunError
from homerun.instance.service import reset_admin_token
from homerun.jobs import job_registry
from homerun.keys.cli import app as keys_app
from homerun.kit.db.engine import Database, create_engine
from homerun.kit.db.migrate import upgrade_to_head
from homerun.kit.web import validation_failed
from homerun.merchants import service as merchants
from homerun.merchants.schemas import MerchantCreate
from homerun.oauth import service as oauth_service
from homerun.observability import multiprocess
from homerun.observability.logging import configure_logging
from homerun.people.cli import app as users_app
from homerun.reporting import seed as seeding
from homerun.retention.service import Purged, purge_all
from homerun.runtime import Runtime
from homerun.settlement import schedule
from homerun.startup import DemoSetup, create_demo_if_empty, open_runtime
from homerun.verify.cli import verify as verify_command
from homerun.webhooks.cli import app as webhooks_app
from homerun.worker.cli import run_worker

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
app.add_typer(partners_app, name="partners")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(keys_app, name="keys")
app.add_typer(ach_app, name="ach")
app.command("verify")(verify_command)
app.add_typer(users_app, name="users")


async def _open(settings: Settings) -> Runtime:
    """Migrate, then open; an admin token is left for `homerun serve` to create and show."""
    await _migrate(settings)
    return await open_runtime(settings, generate_admin_token=False)


async def _migrate(settings: Settings) -> None:
    db = Database(create_engine(settings))
    try:
        await upgrade_to_head(db.engine)
    finally:
        await db.dispose()


def _show(label: str, value: str) -> None:
    say(label, value, width=17)


def _client_url(host: str, port: int) -> str:
    """Where a client on this machine reaches a server listening on host."""
    if host in ("0.0.0.0", "", "::"):  # noqa: S104 - compared, not bound
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


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
        _show("admin token", f"{runtime.keys.generated_admin_token}  (shown once)")
    if demo is None:
        return
    creds = demo.credentials
    _show("demo merchant", demo.merchant.name)
    _show("MID", demo.merchant.mid)
    _show("api_key", creds.api_key)
    _show("refresh_token", creds.refresh_token)
    _show("public_key", creds.public_key)
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
        markup=False,
    )
    if demo.boarding is not None:
        _print_demo_partner(demo.boarding, base_url)
    _print_demo_sign_ins(demo, base_url)


def _print_demo_sign_ins(demo: DemoSetup, base_url: str) -> None:
    if not demo.sign_ins:
        return
    _show("dashboard", f"{base_url}/dashboard")
    for sign_in in demo.sign_ins:
        _show(sign_in.who, f"{sign_in.email}  password {sign_in.password}  (shown once)")


def _print_demo_partner(partner: DemoPartner, base_url: str) -> None:
    client = partner.client
    _show("demo partner", f"{partner.partner.name} (partner_id {partner.partner.id})")
    _show("rep_code", partner.rep_code.code)
    _show("client_id", client.client.client_id)
    _show("client_secret", client.client_secret)
    console.print("boarding token:", style="bold")
    console.print(
        f"curl -s {base_url}/ords/relay/oauth/token -u "
        f"'{client.client.client_id}:{client.client_secret}' -d grant_type=client_credentials",
        soft_wrap=True,
        markup=False,
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
) -> None:
    """Migrate, create the demo merchant on an empty database, and serve every surface."""
    settings = Settings()
    asyncio.run(_prepare_serve(settings, _client_url(host, port)))
    # Several processes write their metrics to one directory, and /metrics reads them all.
    with multiprocess.serving(workers):
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
            # SIGTERM: stop accepting, let in-flight requests finish within the grace.
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
            # A new worker process imports Homerun and opens its runtime before it answers
            # uvicorn's health check: more than uvicorn's 5 s on a busy machine, and it would
            # then be killed and started again, forever. (A hung worker is found within a
            # minute instead.)
            timeout_worker_healthcheck=60,
        )


@app.command()
def worker(
    name: Annotated[str | None, typer.Option(help="Name in job leases (host:pid).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Parallel job loops.")] = 1,
) -> None:
    """Run due jobs (batch cut-offs, deposits, chargebacks, fees) until stopped.

    Any number of workers on any number of nodes may run; each job runs once.
    `homerun serve` runs one too unless HOMERUN_WORKER_IN_SERVER=false.
    """
    settings = Settings()
    configure_logging(settings)  # the same lines as the server's (HOMERUN_LOG_FORMAT)
    asyncio.run(run_worker(settings, job_registry(), name, concurrency))


@app.command()
def migrate() -> None:
    """Bring the database schema to the newest version."""
    asyncio.run(_migrate(Settings()))
    console.print("database is up to date")


async def _create_merchant(name: str, surcharge_rate: str | None, accepts: str) -> None:
    try:
        data = MerchantCreate.model_validate(
            {
                "name": name,
                "surcharge_enabled": surcharge_rate is not None,
                "surcharge_rate": surcharge_rate or "0",
                "accepts": accepts,
            }
        )
    except ValidationError as problem:
        fail(validation_failed(problem).message)
    runtime = await _open(Settings())
    try:
        async with runtime.db.transaction() as session:
            merchant = await merchants.create(session, runtime, data)
            await schedule.ensure_for_merchant(session, runtime, merchant)
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
    accepts: Annotated[
        str, typer.Option(help="What the MID takes: cards, ach (bank accounts) or both.")
    ] = "cards",
) -> None:
    """Create a merchant (and its first credentials)."""
    asyncio.run(_create_merchant(name, surcharge_rate, accepts))


async def _issue_credentials(mid: str) -> None:
    runtime = await _open(Settings())
    try:
        async with runtime.db.transaction() as session:
            merchant = await merchants.get(session, mid)
            creds = await auth.issue(session, runtime, merchant)
    except HomerunError as problem:
        fail(problem.message)
    finally:
        await runtime.db.dispose()
    console.print_json(json.dumps({"mid": mid, **creds.__dict__}))


@credentials_app.command("create")
def create_credentials(mid: str) -> None:
    """Issue a new set of Payments API credentials for a merchant."""
    asyncio.run(_issue_credentials(mid))


async def _reset_admin_token() -> str:
    settings = Settings()
    if settings.admin_token is not None:
        fail("HOMERUN_ADMIN_TOKEN is set, so that is the admin token; change it there instead")
    runtime = await _open(settings)
    try:
        async with runtime.db.transaction() as session:
            return await reset_admin_token(session)
    finally:
        await runtime.db.dispose()


@admin_token_app.command("reset")
def reset_admin_token_command() -> None:
    """Replace the generated admin token; running servers take it within a second."""
    console.print(asyncio.run(_reset_admin_token()), markup=False)


# ----------------------------------------------------------------------------- OAuth clients

oauth_clients_app = typer.Typer(
    help="OAuth 2.0 clients of the Reporting and Boarding APIs.", no_args_is_help=True
)
app.add_typer(oauth_clients_app, name="oauth-clients")


async def _oauth_create(audience: str, name: str, mids: list[str]) -> dict[str, object]:
    runtime = await _open(Settings())
    try:
        async with runtime.db.transaction() as session:
            made = await oauth_service.create_client(
                session, runtime, audience=audience, name=name, mids=mids
            )
    except HomerunError as problem:
        fail(problem.message)
    finally:
        await runtime.db.dispose()
    return {
        "client_id": made.client.client_id,
        "client_secret": made.client_secret,
        "audience": made.client.audience,
        "name": made.client.name,
        "mids": made.mids,
    }


@oauth_clients_app.command("create")
def create_oauth_client(
    name: Annotated[str, typer.Option(help="A name to know the client by.")],
    audience: Annotated[
        str, typer.Option(help="reporting (bound to merchants) or boarding.")
    ] = "reporting",
    mid: Annotated[
        list[str] | None, typer.Option(help="A merchant the client may see; repeatable.")
    ] = None,
) -> None:
    """Create an OAuth client; its client_secret is shown once."""
    if audience not in ("reporting", "boarding"):
        fail("--audience must be reporting or boarding")
    console.print_json(json.dumps(asyncio.run(_oauth_create(audience, name, mid or []))))


async def _oauth_rotate(client_id: str, overlap: int) -> str:
    runtime = await _open(Settings())
    try:
        async with runtime.db.transaction() as session:
            return await oauth_service.rotate_secret(session, runtime, client_id, overlap)
    except HomerunError as problem:
        fail(problem.message)
    finally:
        await runtime.db.dispose()


@oauth_clients_app.command("rotate")
def rotate_oauth_client(
    client_id: str,
    overlap: Annotated[
        int, typer.Option(min=0, help="Seconds the old secret keeps working.")
    ] = 3600,
) -> None:
    """A new secret for the client; the old one works for --overlap seconds more."""
    secret = asyncio.run(_oauth_rotate(client_id, overlap))
    console.print_json(json.dumps({"client_id": client_id, "client_secret": secret}))


async def _oauth_revoke(client_id: str) -> None:
    runtime = await _open(Settings())
    try:
        async with runtime.db.transaction() as session:
            await oauth_service.revoke_client(session, runtime, client_id)
    except HomerunError as problem:
        fail(problem.message)
    finally:
        await runtime.db.dispose()


@oauth_clients_app.command("revoke")
def revoke_oauth_client(client_id: str) -> None:
    """Revoke a client: no new tokens, and the ones it holds stop working."""
    asyncio.run(_oauth_revoke(client_id))
    console.print(f"revoked {client_id}", markup=False)


# ----------------------------------------------------------------------------- seed


async def _seed(plan: seeding.SeedPlan, client_name: str | None) -> None:
    runtime = await _open(Settings())
    columns = (
        TextColumn("seeding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("transactions"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("seed", total=plan.transactions)
            summary = await seeding.seed(
                runtime.db,
                plan,
                runtime.clock.now(),
                lambda n: bar.advance(task, n),
            )
    finally:
        await runtime.db.dispose()
    console.print(
        f"{summary.transactions} transactions ({summary.refunds} refunds, "
        f"{summary.declines} declines), {len(summary.merchants)} merchants, "
        f"{summary.batches} batches, {summary.deposits} deposits, "
        f"{summary.chargebacks} chargebacks, {summary.adjustments} adjustments, "
        f"{summary.first_day} to {summary.last_day}",
        markup=False,
    )
    console.print(f"largest merchant: {summary.merchants[0]}", markup=False)
    if client_name:
        made = await _oauth_create("reporting", client_name, summary.merchants)
        console.print_json(json.dumps(made))


@app.command()
def seed(
    transactions: Annotated[int, typer.Option(min=1, help="Transactions to make.")] = 1_000_000,
    merchants_count: Annotated[
        int, typer.Option("--merchants", min=1, help="Merchants to make (Zipf-sized).")
    ] = 200,
    days: Annotated[int, typer.Option(min=1, help="Days of history, up to today.")] = 365,
    batch_size: Annotated[
        int, typer.Option(min=100, help="Rows written per database transaction.")
    ] = 5_000,
    random_seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    client: Annotated[
        str | None,
        typer.Option(help="Also create a reporting OAuth client with this name, bound to them."),
    ] = None,
) -> None:
    """Fill the database with realistic reporting data (for benchmarks and demos)."""
    plan = seeding.SeedPlan(transactions, merchants_count, days, batch_size, random_seed)
    asyncio.run(_seed(plan, client))


async def _purge() -> Purged:
    runtime = await _open(Settings())
    try:
        return await purge_all(runtime)
    finally:
        await runtime.db.dispose()


@app.command()
def purge() -> None:
    """Purge now what retention would (HOMERUN_RETENTION_DAYS): expired idempotency records,
    old webhook delivery logs and outbox events, jobs that failed long ago."""
    purged = asyncio.run(_purge())
    for name, count in vars(purged).items():
        console.print(f"{name}: {count}", markup=False)


def main() -> None:
    app()
