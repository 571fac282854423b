"""`homerun webhooks ...`: endpoints, secrets and deliveries (thin wrappers)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.commands import console, fail, print_json, run, validated, with_runtime
from homerun.runtime import Runtime
from homerun.webhooks import catalogue, service
from homerun.webhooks.dispatcher import deliver_due
from homerun.webhooks.schemas import (
    DeliveryOut,
    EndpointCreate,
    EndpointOut,
    EndpointUpdate,
    EndpointWithSecret,
    dump,
)

app = typer.Typer(
    help="Webhook endpoints of merchants and partners, and their deliveries.",
    no_args_is_help=True,
)


def _endpoint(runtime: Runtime, owned: service.Owned) -> dict[str, Any]:
    return dump(EndpointOut.of(owned.endpoint, owned.mid, runtime.clock.now()))


def _with_secret(runtime: Runtime, made: service.WithSecret) -> dict[str, Any]:
    out = EndpointOut.of(made.endpoint, made.mid, runtime.clock.now())
    return dump(EndpointWithSecret(**out.model_dump(), secret=made.secret))


EventTypes = Annotated[
    list[str] | None,
    typer.Option(
        "--event-type", help='An event type, a family ("transaction.*") or "*"; repeatable.'
    ),
]


@app.command("create")
def create(
    url: str,
    mid: Annotated[str | None, typer.Option(help="The merchant the endpoint is for.")] = None,
    partner_id: Annotated[int | None, typer.Option(help="Or the boarding partner.")] = None,
    event_type: EventTypes = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Register it disabled.")] = False,
    description: Annotated[str | None, typer.Option(help="A note to know it by.")] = None,
) -> None:
    """Register an endpoint; its signing secret is shown once."""
    data = validated(
        EndpointCreate,
        {
            "url": url,
            "mid": mid,
            "partner_id": partner_id,
            "event_types": event_type,
            "enabled": not disabled,
            "description": description,
        },
    )

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        return _with_secret(runtime, await service.create_endpoint(session, runtime, data))

    print_json(run(work))


@app.command("list")
def list_endpoints(
    mid: Annotated[str | None, typer.Option(help="Only this merchant's endpoints.")] = None,
    partner_id: Annotated[int | None, typer.Option(help="Only this partner's.")] = None,
) -> None:
    """Registered endpoints (secrets are never shown again)."""

    async def work(session: AsyncSession, runtime: Runtime) -> list[dict[str, Any]]:
        page = await service.list_endpoints(
            session, mid=mid, partner_id=partner_id, after_id=0, limit=1000
        )
        return [_endpoint(runtime, owned) for owned in page]

    print_json(run(work))


@app.command("update")
def update(
    endpoint_id: int,
    url: Annotated[str | None, typer.Option(help="A new URL.")] = None,
    event_type: EventTypes = None,
    enabled: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Turn delivery on or off.")
    ] = None,
    description: Annotated[str | None, typer.Option(help="A new note.")] = None,
) -> None:
    """Change an endpoint."""
    data = validated(
        EndpointUpdate,
        {"url": url, "event_types": event_type, "enabled": enabled, "description": description},
    )

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        return _endpoint(
            runtime, await service.update_endpoint(session, runtime, endpoint_id, data)
        )

    print_json(run(work))


@app.command("delete")
def delete(endpoint_id: int) -> None:
    """Delete an endpoint; its pending deliveries fail."""

    async def work(session: AsyncSession, runtime: Runtime) -> None:
        await service.delete_endpoint(session, runtime, endpoint_id)

    run(work)
    console.print(f"deleted endpoint {endpoint_id}", markup=False)


@app.command("rotate-secret")
def rotate_secret(
    endpoint_id: int,
    overlap: Annotated[
        int | None,
        typer.Option(min=0, help="Seconds the previous secret keeps signing (default: setting)."),
    ] = None,
) -> None:
    """A new signing secret, shown once; the previous one signs too during the overlap."""

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        made = await service.rotate_secret(session, runtime, endpoint_id, overlap)
        return _with_secret(runtime, made)

    print_json(run(work))


@app.command("deliveries")
def deliveries(
    state: Annotated[str | None, typer.Option(help="pending, delivered or failed.")] = None,
    endpoint_id: Annotated[int | None, typer.Option("--endpoint", help="One endpoint's.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
) -> None:
    """Deliveries, oldest first (`--state failed`: the ones that gave up)."""
    if state is not None and state not in ("pending", "delivered", "failed"):
        fail("--state must be pending, delivered or failed")

    async def work(session: AsyncSession, runtime: Runtime) -> list[dict[str, Any]]:
        page = await service.list_deliveries(
            session,
            state=state,
            endpoint_id=endpoint_id,
            mid=None,
            event_type=None,
            after_id=0,
            limit=limit,
        )
        return [dump(DeliveryOut.of(d)) for d in page]

    print_json(run(work))


@app.command("resend")
def resend(webhook_id: str) -> None:
    """Send a failed delivery again (a worker makes the attempts)."""

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        return dump(DeliveryOut.of(await service.resend(session, runtime, webhook_id)))

    print_json(run(work))


@app.command("resend-failed")
def resend_failed(endpoint_id: int) -> None:
    """Send every failed delivery of an endpoint again, in event order."""

    async def work(session: AsyncSession, runtime: Runtime) -> dict[str, Any]:
        count = await service.resend_failed(session, runtime, endpoint_id)
        return {"endpoint_id": endpoint_id, "resent": count}

    print_json(run(work))


@app.command("event-types")
def event_types() -> None:
    """Every event type an endpoint can ask for."""
    print_json(
        [
            {"event_type": t.name, "audience": t.audience, "origin": t.origin, "emitted": t.emitted}
            for t in catalogue.EVENT_TYPES
        ]
    )


async def _deliver_now(runtime: Runtime) -> dict[str, int]:
    totals = await deliver_due(runtime, name="cli")
    return {
        "events_fanned_out": totals.fanned_out,
        "attempts": totals.claimed,
        "delivered": totals.delivered,
        "failed": totals.failed,
    }


@app.command("deliver-now")
def deliver_now() -> None:
    """Make every due attempt now and wait for the answers (no worker needed)."""
    print_json(asyncio.run(with_runtime(_deliver_now)))
