"""The application lifecycle: /homerun/v1 actions, each move's effects and merchant.* event,
boarding (MID, credentials, reporting access), and the sandbox clock that takes the steps
of auto-sent applications as worker jobs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service as auth
from homerun.boarding import repository, state
from homerun.boarding.models import Application, CredentialHandoff
from homerun.boarding.partners import ancestry, get_partner
from homerun.boarding.rules import underwriting_decline_reason
from homerun.boarding.state import Event, Status
from homerun.errors import Conflict, NotFound
from homerun.merchants import service as merchants
from homerun.merchants.schemas import MerchantCreate
from homerun.oauth import repository as oauth_repository
from homerun.outbox import repository as outbox
from homerun.runtime import Runtime
from homerun.settlement import schedule
from homerun.worker import repository as jobs

STEP_JOB = "boarding.step"

# The /homerun/v1 actions and the moves each makes: signing submits to underwriting at once.
ACTIONS: dict[str, tuple[Event, ...]] = {
    "send_for_signature": (Event.SEND_FOR_SIGNATURE,),
    "sign": (Event.SIGN, Event.SUBMIT),
    "approve": (Event.APPROVE,),
    "decline": (Event.DECLINE,),
    "go_live": (Event.GO_LIVE,),
    "cancel": (Event.CANCEL,),
    "delete": (Event.DELETE,),
}


def payload(app: Application, at: datetime) -> dict[str, Any]:
    """A merchant.* event payload (spec §10); both names of the id are given."""
    return {
        "merchant_id": app.id,
        "event_table_pk": app.id,
        "mid": app.mid,
        "rep_code_id": app.rep_code_id,
        "customer_id": app.customer_id,
        "dba_name": app.dba_name,
        "merchant_status_id": state.STATUS_IDS[app.status],
        "external_crm_id": app.external_crm_id,
        "custom_01": app.custom_01,
        "timestamp": at.isoformat(timespec="milliseconds"),
    }


def record(session: AsyncSession, app: Application, at: datetime) -> None:
    outbox.record(
        session,
        merchant_id=app.merchant_pk,
        event_type=state.event_type(app.status),
        source_id=str(app.id),
        payload=payload(app, at),
        at=at,
    )


def _sandbox(runtime: Runtime) -> bool:
    return runtime.settings.mode.value == "sandbox"


def step_key(merchant_id: int) -> str:
    return f"boarding|{merchant_id}"


async def _schedule(
    session: AsyncSession, runtime: Runtime, app: Application, at: datetime, *, in_job: bool
) -> None:
    """When the sandbox clock takes the application's next step (auto-send only).

    The step is a worker job keyed by the application; a job that is running it
    (`in_job`) answers the next due time itself instead of touching its own row.
    """
    app.next_step_at = None
    if app.auto_send and _sandbox(runtime):
        partner = await get_partner(session, app.partner_id)
        delay: int | None = None
        status = app.status
        if status is Status.SENT_FOR_SIGNATURE:
            delay = partner.signature_delay_seconds
        elif status is Status.IN_UNDERWRITING:
            delay = partner.underwriting_delay_seconds
        elif status is Status.BOARDED:
            delay = partner.go_live_delay_seconds
        if delay is not None:
            app.next_step_at = at + timedelta(seconds=delay)
    if in_job:
        return
    # A job left behind when there is no next step ends itself when it runs: removing it
    # here could wait on a worker that holds it while it waits on this application.
    key, now = step_key(app.id), runtime.clock.now()
    if app.next_step_at is None:
        return
    job = jobs.new_job(
        kind=STEP_JOB, key=key, due_at=app.next_step_at, now=now, payload={"merchant_id": app.id}
    )
    await jobs.add(session, job)
    await jobs.move(session, key, app.next_step_at, now)


async def move(
    session: AsyncSession,
    runtime: Runtime,
    app: Application,
    event: Event,
    at: datetime,
    reason: str | None = None,
    *,
    in_job: bool = False,
) -> None:
    """One move of the table, its effects, and its merchant.* event."""
    app.status = state.apply(app.status, event)
    app.updated_at = at
    if event in (Event.DECLINE, Event.CANCEL):
        app.status_reason = reason
    if event is Event.APPROVE:
        await _board(session, runtime, app)
    await _schedule(session, runtime, app, at, in_job=in_job)
    await session.flush()
    record(session, app, at)


async def _board(session: AsyncSession, runtime: Runtime, app: Application) -> None:
    """The merchant gets a MID, Payments API credentials, and its partner's reporting clients."""
    surcharge_bps = (app.pricing or {}).get("surcharge_rate") or 0
    merchant = await merchants.create(
        session,
        runtime,
        MerchantCreate.model_validate(
            {
                "name": app.dba_name,
                "surcharge_enabled": surcharge_bps > 0,
                "surcharge_rate": f"{surcharge_bps // 100}.{surcharge_bps % 100:02d}",
            }
        ),
    )
    await schedule.ensure_for_merchant(session, runtime, merchant)  # its cut-off jobs
    app.merchant_pk = merchant.id
    app.mid = merchant.mid
    issued = await auth.issue(session, runtime, merchant)
    session.add(
        CredentialHandoff(
            application_id=app.id,
            credential_set_id=issued.credential_id,
            sealed=runtime.sealer.seal(
                orjson.dumps(dataclasses.asdict(issued)).decode(), handoff_context(app.id)
            ),
            created_at=runtime.clock.now(),
        )
    )
    readers = await repository.reporting_clients_of(
        session, await ancestry(session, app.partner_id)
    )
    await oauth_repository.bind_merchants(session, readers, [merchant.id])


def handoff_context(application_id: int) -> bytes:
    return f"boarding-credentials:{application_id}".encode()


async def act(
    session: AsyncSession, runtime: Runtime, merchant_id: int, action: str, reason: str | None
) -> tuple[Application, str]:
    """A /homerun/v1 lifecycle action; 409 when the application's status does not allow it."""
    events = ACTIONS.get(action)
    if events is None:
        raise NotFound(f"no action {action}; the actions are {', '.join(ACTIONS)}")
    found = await repository.application(session, merchant_id, None, lock=True)
    if found is None:
        raise NotFound(f"merchant {merchant_id} not found")
    app, code = found
    current = app.status
    if not state.allowed(current, events[0]):
        raise Conflict(
            f"{action} is not allowed on a merchant that is {current.value}",
            {"merchant_status": [f"is {current.value}"]},
        )
    now = runtime.clock.now()
    for event in events:
        await move(session, runtime, app, event, now, reason)
    return app, code


async def _clock_step(
    session: AsyncSession, runtime: Runtime, app: Application, at: datetime
) -> None:
    status = app.status
    if status is Status.SENT_FOR_SIGNATURE:
        await move(session, runtime, app, Event.SIGN, at, in_job=True)
        await move(session, runtime, app, Event.SUBMIT, at, in_job=True)
    elif status is Status.IN_UNDERWRITING:
        reason = underwriting_decline_reason(app)
        event = Event.APPROVE if reason is None else Event.DECLINE
        await move(session, runtime, app, event, at, reason, in_job=True)
    elif status is Status.BOARDED:
        await move(session, runtime, app, Event.GO_LIVE, at, in_job=True)
    else:
        app.next_step_at = None


@dataclass(frozen=True)
class StepResult:
    next_due: datetime | None
    moves: list[str]  # the statuses reached, in order


async def run_step(session: AsyncSession, runtime: Runtime, merchant_id: int) -> StepResult:
    """The sandbox clock's work on one application (the worker's boarding job).

    Takes every step that has come due, each dated at its own moment, and answers
    when the next one falls due (None: the clock has nothing more to do with it).
    """
    found = await repository.application(session, merchant_id, None, lock=True)
    if found is None:
        return StepResult(None, [])
    app = found[0]
    now = runtime.clock.now()
    moves: list[str] = []
    while app.next_step_at is not None and app.next_step_at <= now:
        before = app.status
        await _clock_step(session, runtime, app, app.next_step_at)
        if app.status != before:
            moves.append(app.status)
    return StepResult(app.next_step_at, moves)
