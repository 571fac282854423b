"""`homerun partners ...`: partners, their rep codes and their OAuth clients (thin wrappers)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.boarding import partners, schemas
from homerun.commands import print_json, run, validated
from homerun.runtime import Runtime

app = typer.Typer(
    help="Boarding partners: their rep codes and their OAuth clients.", no_args_is_help=True
)


def _partner(partner: Any) -> dict[str, Any]:
    return {
        "partner_id": partner.id,
        "name": partner.name,
        "parent_partner_id": partner.parent_id,
        "signature_delay_seconds": partner.signature_delay_seconds,
        "underwriting_delay_seconds": partner.underwriting_delay_seconds,
        "go_live_delay_seconds": partner.go_live_delay_seconds,
    }


@app.command("create")
def create_partner(
    name: str,
    parent_id: Annotated[int | None, typer.Option(help="The partner above this one.")] = None,
    signature_delay: Annotated[
        int | None, typer.Option(help="Sandbox: seconds until an auto-sent application is signed.")
    ] = None,
    underwriting_delay: Annotated[
        int | None, typer.Option(help="Sandbox: seconds from signature to underwriting decision.")
    ] = None,
    go_live_delay: Annotated[
        int | None, typer.Option(help="Sandbox: seconds from boarded to live.")
    ] = None,
) -> None:
    """Create a partner."""
    data = validated(
        schemas.PartnerCreate,
        {
            "name": name,
            "parent_partner_id": parent_id,
            "signature_delay_seconds": signature_delay,
            "underwriting_delay_seconds": underwriting_delay,
            "go_live_delay_seconds": go_live_delay,
        },
    )

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        return _partner(await partners.create_partner(session, runtime, data))

    print_json(run(work))


@app.command("list")
def list_partners() -> None:
    """Every partner with its rep codes."""

    async def work(session: AsyncSession, runtime: Runtime) -> list[dict[str, Any]]:
        out = []
        for partner in await partners.list_partners(session):
            reps = await partners.partner_rep_codes(session, partner.id)
            out.append({**_partner(partner), "rep_codes": [r.code for r in reps]})
        return out

    print_json(run(work))


@app.command("add-rep-code")
def add_rep_code(
    partner_id: int,
    rep_code: str,
    name: Annotated[str | None, typer.Option(help="Who the rep code stands for.")] = None,
) -> None:
    """Give a partner a rep code."""
    data = validated(schemas.RepCodeCreate, {"rep_code": rep_code, "name": name})

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        rep = await partners.add_rep_code(session, runtime, partner_id, data)
        return {
            "rep_code_id": rep.id,
            "rep_code": rep.code,
            "name": rep.name,
            "partner_id": partner_id,
        }

    print_json(run(work))


@app.command("add-client")
def add_client(
    partner_id: int,
    audience: Annotated[str, typer.Option(help="boarding or reporting.")] = "boarding",
    name: Annotated[str | None, typer.Option(help="A name to know the client by.")] = None,
) -> None:
    """A new OAuth client acting for the partner; its client_secret is shown once."""
    data = validated(schemas.PartnerClientCreate, {"audience": audience, "name": name})

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        made = await partners.create_partner_client(
            session, runtime, partner_id, data.audience, data.name
        )
        return {
            "client_id": made.client.client_id,
            "client_secret": made.client_secret,
            "audience": made.client.audience,
            "name": made.client.name,
            "partner_id": partner_id,
        }

    print_json(run(work))
