"""Boarding rules: partners and their scope, applications, the lifecycle, the sandbox clock.

A partner owns rep codes and merchants; an OAuth client bound to a partner acts for the
partner and every partner below it (its hierarchy). Boarding clients see the applications
of that hierarchy; reporting clients read every merchant of it that has been boarded.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.auth import service as auth
from homerun.auth.service import IssuedCredentials
from homerun.boarding import repository, schemas, state
from homerun.boarding import validation as v
from homerun.boarding.models import (
    Application,
    ClientPartner,
    CredentialHandoff,
    Partner,
    RepCode,
    Template,
)
from homerun.boarding.state import Event, Status
from homerun.errors import Conflict, NotFound, ValidationFailed
from homerun.merchants import service as merchants
from homerun.merchants.schemas import MerchantCreate
from homerun.oauth import repository as oauth_repository
from homerun.oauth import service as oauth
from homerun.oauth.models import OAuthClient
from homerun.oauth.service import ClientWithSecret
from homerun.reporting import q as qfilter
from homerun.reporting.envelope import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from homerun.runtime import Runtime
from homerun.settlement import schedule
from homerun.webhooks import outbox
from homerun.worker import repository as jobs

DEFAULT_SIGNATURE_DELAY = 300  # seconds from sending to the signer's signature
DEFAULT_UNDERWRITING_DELAY = 3600  # seconds from submission to the underwriting decision
DEFAULT_GO_LIVE_DELAY = 3600  # seconds from boarding to live
MAX_OFFSET = 10_000_000
STEP_JOB = "boarding.step"
ADULT_AGE = 18

# Sandbox: an application with one of these is declined by the clock's underwriting.
DECLINE_DBA_WORD = "decline"
DECLINE_TAX_ID = "999999999"

# The Boarding API's list fields, as `q` sees them (ruling R9).
STATUS_DOMAIN = qfilter.Domain(tuple((n, s.value) for s, n in state.STATUS_IDS.items()))
MERCHANT_FIELDS: dict[str, qfilter.Field] = {
    f.name: f
    for f in (
        qfilter.Field("merchant_id", qfilter.Kind.INTEGER),
        qfilter.Field("platform", qfilter.Kind.TEXT, convert=lambda s: str(s).lower()),
        qfilter.Field("rep_code", qfilter.Kind.TEXT),
        qfilter.Field("customer_id", qfilter.Kind.INTEGER),
        qfilter.Field("mid", qfilter.Kind.TEXT),
        qfilter.Field("dba_name", qfilter.Kind.TEXT),
        qfilter.Field("legal_name", qfilter.Kind.TEXT),
        qfilter.Field("merchant_status", qfilter.Kind.TEXT),
        qfilter.Field("merchant_status_id", qfilter.Kind.MAPPED, wire_type="integer"),
        qfilter.Field("pended", qfilter.Kind.INTEGER),
        qfilter.Field("merchant_type_id", qfilter.Kind.INTEGER),
        qfilter.Field("external_crm_id", qfilter.Kind.TEXT),
        qfilter.Field("custom_01", qfilter.Kind.TEXT),
    )
}
MERCHANT_DOMAINS = {"merchant_status_id": STATUS_DOMAIN}
REP_CODE_FIELDS: dict[str, qfilter.Field] = {
    f.name: f
    for f in (
        qfilter.Field("rep_code_id", qfilter.Kind.INTEGER),
        qfilter.Field("rep_code", qfilter.Kind.TEXT),
        qfilter.Field("name", qfilter.Kind.TEXT),
    )
}
MCC_FIELDS: dict[str, qfilter.Field] = {
    f.name: f
    for f in (
        qfilter.Field("mcc_code", qfilter.Kind.TEXT),
        qfilter.Field("description", qfilter.Kind.TEXT),
    )
}


# ---- paging ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    page: PageRequest
    query: qfilter.Query


def _whole(name: str, text: str | None, default: int, most: int) -> int:
    if text is None or not text.strip():
        return default
    value = text.strip()
    if not (value.isascii() and value.isdigit()):
        raise ValidationFailed.field(name, "must be a whole number, 0 or more")
    return min(int(value[:12]), most)


def listing(
    q: str | None, limit: str | None, offset: str | None, fields: dict[str, qfilter.Field]
) -> Listing:
    """limit (25 by default, more than 10,000 read as 10,000), offset, and a checked q."""
    limit_value = _whole("limit", limit, DEFAULT_LIMIT, MAX_LIMIT)
    if limit_value == 0:
        raise ValidationFailed.field("limit", "must be at least 1")
    page = PageRequest(
        limit=limit_value,
        offset=_whole("offset", offset, 0, MAX_OFFSET),
        q=q if q and q.strip() else None,
    )
    return Listing(page, qfilter.parse(q, fields))


# ---- partners ----------------------------------------------------------------------------


def _apply_partner_settings(partner: Partner, data: schemas.PartnerSettings) -> None:
    if data.signature_delay_seconds is not None:
        partner.signature_delay_seconds = data.signature_delay_seconds
    if data.underwriting_delay_seconds is not None:
        partner.underwriting_delay_seconds = data.underwriting_delay_seconds
    if data.go_live_by_clock is False:
        partner.go_live_delay_seconds = None
    elif data.go_live_delay_seconds is not None:
        partner.go_live_delay_seconds = data.go_live_delay_seconds
    elif data.go_live_by_clock and partner.go_live_delay_seconds is None:
        partner.go_live_delay_seconds = DEFAULT_GO_LIVE_DELAY


async def get_partner(session: AsyncSession, partner_id: int) -> Partner:
    partner = await repository.partner(session, partner_id)
    if partner is None:
        raise NotFound(f"partner {partner_id} not found")
    return partner


async def create_partner(
    session: AsyncSession, runtime: Runtime, data: schemas.PartnerCreate
) -> Partner:
    if (
        data.parent_partner_id is not None
        and await repository.partner(session, data.parent_partner_id) is None
    ):
        raise ValidationFailed.field(
            "parent_partner_id", f"partner {data.parent_partner_id} does not exist"
        )
    now = runtime.clock.now()
    partner = Partner(
        name=data.name,
        parent_id=data.parent_partner_id,
        signature_delay_seconds=DEFAULT_SIGNATURE_DELAY,
        underwriting_delay_seconds=DEFAULT_UNDERWRITING_DELAY,
        go_live_delay_seconds=DEFAULT_GO_LIVE_DELAY,
        created_at=now,
        updated_at=now,
    )
    _apply_partner_settings(partner, data)
    await repository.add(session, partner)
    return partner


async def update_partner(
    session: AsyncSession, runtime: Runtime, partner_id: int, data: schemas.PartnerUpdate
) -> Partner:
    partner = await get_partner(session, partner_id)
    if data.name is not None:
        partner.name = data.name
    _apply_partner_settings(partner, data)
    partner.updated_at = runtime.clock.now()
    await session.flush()
    return partner


async def list_partners(session: AsyncSession) -> Sequence[Partner]:
    return await repository.partners(session)


async def hierarchy(session: AsyncSession, partner_id: int) -> list[int]:
    """The partner and every partner below it."""
    found = [partner_id]
    frontier = [partner_id]
    while frontier:
        frontier = [p for p in await repository.children_of(session, frontier) if p not in found]
        found.extend(frontier)
    return found


async def ancestry(session: AsyncSession, partner_id: int) -> list[int]:
    """The partner and every partner above it."""
    found: list[int] = []
    current: int | None = partner_id
    while current is not None and current not in found:
        found.append(current)
        partner = await repository.partner(session, current)
        current = partner.parent_id if partner else None
    return found


async def client_scope(session: AsyncSession, client: OAuthClient) -> list[int]:
    """The partners a client acts for: its partner's hierarchy, or none when unbound."""
    partner_id = await repository.partner_of_client(session, client.id)
    return [] if partner_id is None else await hierarchy(session, partner_id)


# ---- rep codes ---------------------------------------------------------------------------


async def add_rep_code(
    session: AsyncSession, runtime: Runtime, partner_id: int, data: schemas.RepCodeCreate
) -> RepCode:
    await get_partner(session, partner_id)
    if await repository.rep_code_by_code(session, data.rep_code) is not None:
        raise Conflict(f"rep code {data.rep_code} already exists", {"rep_code": ["is taken"]})
    rep = RepCode(
        partner_id=partner_id, code=data.rep_code, name=data.name, created_at=runtime.clock.now()
    )
    await repository.add(session, rep)
    return rep


async def partner_rep_codes(session: AsyncSession, partner_id: int) -> Sequence[RepCode]:
    await get_partner(session, partner_id)
    return await repository.rep_codes_of(session, partner_id)


async def rep_code_page(
    session: AsyncSession, scope: Sequence[int], request: Listing
) -> Sequence[RepCode]:
    if not scope:
        return []
    page = request.page
    return await repository.rep_code_page(session, scope, request.query, page.limit, page.offset)


# ---- clients -----------------------------------------------------------------------------


async def _bind_client(session: AsyncSession, partner_id: int, client: OAuthClient) -> None:
    bound = await repository.partner_of_client(session, client.id)
    if bound is not None and bound != partner_id:
        raise Conflict(
            f"OAuth client {client.client_id} already belongs to partner {bound}",
            {"client_id": ["belongs to another partner"]},
        )
    if bound is None:
        await repository.add(session, ClientPartner(client_pk=client.id, partner_id=partner_id))
    if client.audience == "reporting":
        merchant_pks = await repository.boarded_merchant_pks(
            session, await hierarchy(session, partner_id)
        )
        await oauth_repository.bind_merchants(session, [client.id], merchant_pks)


async def create_partner_client(
    session: AsyncSession, runtime: Runtime, partner_id: int, audience: str, name: str | None
) -> ClientWithSecret:
    partner = await get_partner(session, partner_id)
    made = await oauth.create_client(
        session, runtime, audience=audience, name=name or f"{partner.name} {audience}", mids=[]
    )
    await _bind_client(session, partner_id, made.client)
    return made


async def attach_client(session: AsyncSession, partner_id: int, client_id: str) -> OAuthClient:
    await get_partner(session, partner_id)
    client = await oauth_repository.by_client_id(session, client_id)
    if client is None:
        raise ValidationFailed.field("client_id", f"OAuth client {client_id} does not exist")
    await _bind_client(session, partner_id, client)
    return client


async def partner_clients(session: AsyncSession, partner_id: int) -> Sequence[OAuthClient]:
    await get_partner(session, partner_id)
    return await repository.clients_of(session, partner_id)


# ---- templates ---------------------------------------------------------------------------


async def create_template(
    session: AsyncSession, runtime: Runtime, partner_id: int, data: schemas.TemplateCreate
) -> Template:
    await get_partner(session, partner_id)
    template = Template(
        partner_id=partner_id,
        name=data.name,
        pricing=schemas.pricing_stored(data.pricing),
        fees=schemas.fees_stored(data.fees),
        products=schemas.products_stored(data.products),
        created_at=runtime.clock.now(),
    )
    await repository.add(session, template)
    return template


async def partner_templates(session: AsyncSession, partner_id: int) -> Sequence[Template]:
    await get_partner(session, partner_id)
    return await repository.templates_of(session, partner_id)


# ---- applications ------------------------------------------------------------------------


def _cross_field_errors(data: schemas.ApplicationCreate, now: datetime) -> dict[str, list[str]]:
    """The rules that look at more than one field (each names the field to fix)."""
    errors: dict[str, list[str]] = {}

    def fault(name: str, problem: str) -> None:
        errors.setdefault(name, []).append(problem)

    if data.seasonal and not data.seasonal_months:
        fault("seasonal_months", "is required when seasonal is Y")
    if not data.seasonal and data.seasonal_months:
        fault("seasonal_months", "only applies when seasonal is Y")
    channels = (data.in_person_pct, data.online_pct, data.telephone_pct)
    if any(c is not None for c in channels) and sum(c or 0 for c in channels) != 100_00:
        fault(
            "in_person_pct",
            "in_person_pct, online_pct and telephone_pct must add up to 100",
        )
    if data.ownership_type is not None:
        allowed = schemas.OWNERSHIP_BY_PLATFORM[data.platform]
        if data.ownership_type not in allowed:
            fault(
                "ownership_type",
                f"{data.ownership_type} is not offered on {data.platform}; "
                f"use one of {', '.join(allowed)}",
            )
    if (
        data.average_ticket is not None
        and data.annual_volume is not None
        and data.average_ticket > data.annual_volume
    ):
        fault("average_ticket", "must not be more than annual_volume")
    if (
        data.highest_ticket is not None
        and data.average_ticket is not None
        and data.highest_ticket < data.average_ticket
    ):
        fault("highest_ticket", "must not be less than average_ticket")
    if data.signer_dob is not None:
        born = v.birth_date(data.signer_dob)
        if born > now.date():
            fault("signer_dob", "must not be in the future")
        elif v.years_between(born, now.date()) < ADULT_AGE:
            fault("signer_dob", f"the signer must be at least {ADULT_AGE} years old")
    return errors


def _merchant_type(products: list[dict[str, Any]] | None) -> int:
    """1 card only, 2 ACH only, 3 card and ACH (what Runner.js reads as merchant_type_id)."""
    names = {p["product"] for p in products or []}
    has_ach = "ach" in names
    has_card = bool(names & schemas.CARD_PRODUCTS) or not names
    if has_ach and has_card:
        return 3
    return 2 if has_ach else 1


def _fail(errors: dict[str, list[str]]) -> ValidationFailed:
    summary = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in errors.items())
    return ValidationFailed(summary, errors)


async def create_application(
    session: AsyncSession,
    runtime: Runtime,
    scope: Sequence[int],
    data: schemas.ApplicationCreate,
) -> Application:
    now = runtime.clock.now()
    errors = _cross_field_errors(data, now)
    rep = await repository.rep_code_by_code(session, data.rep_code)
    if rep is None or rep.partner_id not in scope:
        errors.setdefault("rep_code", []).append("is not one of your rep codes (see /rep_codes)")
    if data.customer_id is not None and not await repository.customer_exists(
        session, data.customer_id, scope
    ):
        errors.setdefault("customer_id", []).append("is not one of your customers")
    template: Template | None = None
    if data.application_template_id is not None:
        template = await repository.template(session, data.application_template_id)
        if template is None or template.partner_id not in scope:
            errors.setdefault("application_template_id", []).append(
                "is not one of your application templates"
            )
    if errors:
        raise _fail(errors)
    assert rep is not None
    if template is not None:
        pricing, fees, products = template.pricing, template.fees, template.products
    else:
        pricing = schemas.pricing_stored(data.pricing)
        fees = schemas.fees_stored(data.fees)
        products = schemas.products_stored(data.products)
    bank: dict[str, Any] | None = None
    if data.bank_account is not None:
        account = data.bank_account
        bank = {
            "routing_number": account.routing_number,
            "account_last4": account.account_number[-4:],
            "account_type": account.account_type,
            "bank_name": account.bank_name,
            "account_holder_name": account.account_holder_name,
        }
    fields = data.model_dump(
        exclude={
            "platform",
            "rep_code",
            "customer_id",
            "application_template_id",
            "addresses",
            "bank_account",
            "pricing",
            "fees",
            "products",
            "auto_send_for_signature",
        }
    )
    app = Application(
        partner_id=rep.partner_id,
        rep_code_id=rep.id,
        customer_id=data.customer_id,
        platform=data.platform,
        status=Status.NEW.value,
        auto_send=data.auto_send_for_signature,
        pended=0,
        merchant_type_id=_merchant_type(products),
        addresses=[a.model_dump() for a in data.addresses],
        bank_account=bank,
        application_template_id=template.id if template else None,
        pricing=pricing,
        fees=fees,
        products=products,
        created_at=now,
        updated_at=now,
        **fields,
    )
    await repository.add(session, app)
    if data.bank_account is not None:  # sealed under the application's id, known only now
        app.bank_account_sealed = runtime.sealer.seal(
            data.bank_account.account_number, _bank_context(app.id)
        )
    if app.customer_id is None:
        app.customer_id = app.id  # a new customer, numbered after its first application
    await session.flush()
    _record(session, app, rep, now)
    if app.auto_send:
        await _move(session, runtime, app, rep, Event.SEND_FOR_SIGNATURE, now)
    return app


def _bank_context(application_id: int) -> bytes:
    return f"boarding-bank-account:{application_id}".encode()


async def get_application(
    session: AsyncSession, runtime: Runtime, scope: Sequence[int] | None, merchant_id: int
) -> tuple[Application, str]:
    """An application the scope may see (None: any); 404 otherwise, never 403."""
    found = await repository.application(session, merchant_id, scope)
    if found is None:
        raise NotFound(f"merchant {merchant_id} not found")
    return found


async def application_page(
    session: AsyncSession, runtime: Runtime, scope: Sequence[int] | None, request: Listing
) -> list[tuple[Application, str]]:
    if scope is not None and not scope:
        return []
    page = request.page
    return await repository.application_page(
        session, scope, request.query, MERCHANT_DOMAINS, page.limit, page.offset
    )


# ---- the lifecycle -----------------------------------------------------------------------

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
        "merchant_status_id": state.STATUS_IDS[Status(app.status)],
        "external_crm_id": app.external_crm_id,
        "custom_01": app.custom_01,
        "timestamp": at.isoformat(timespec="milliseconds"),
    }


def _record(session: AsyncSession, app: Application, rep: RepCode, at: datetime) -> None:
    outbox.record(
        session,
        merchant_id=app.merchant_pk,
        event_type=state.event_type(Status(app.status)),
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
        status = Status(app.status)
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


async def _move(
    session: AsyncSession,
    runtime: Runtime,
    app: Application,
    rep: RepCode,
    event: Event,
    at: datetime,
    reason: str | None = None,
    *,
    in_job: bool = False,
) -> None:
    """One move of the table, its effects, and its merchant.* event."""
    app.status = state.apply(Status(app.status), event).value
    app.updated_at = at
    if event in (Event.DECLINE, Event.CANCEL):
        app.status_reason = reason
    if event is Event.APPROVE:
        await _board(session, runtime, app)
    await _schedule(session, runtime, app, at, in_job=in_job)
    await session.flush()
    _record(session, app, rep, at)


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
                orjson.dumps(dataclasses.asdict(issued)).decode(), _handoff_context(app.id)
            ),
            created_at=runtime.clock.now(),
        )
    )
    readers = await repository.reporting_clients_of(
        session, await ancestry(session, app.partner_id)
    )
    await oauth_repository.bind_merchants(session, readers, [merchant.id])


def _handoff_context(application_id: int) -> bytes:
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
    current = Status(app.status)
    if not state.allowed(current, events[0]):
        raise Conflict(
            f"{action} is not allowed on a merchant that is {current.value}",
            {"merchant_status": [f"is {current.value}"]},
        )
    rep = await _rep(session, app)
    now = runtime.clock.now()
    for event in events:
        await _move(session, runtime, app, rep, event, now, reason)
    return app, code


async def _rep(session: AsyncSession, app: Application) -> RepCode:
    rep = await repository.rep_code(session, app.rep_code_id)
    assert rep is not None
    return rep


def underwriting_decline_reason(app: Application) -> str | None:
    """The sandbox's test values that make underwriting decline (docs/boarding.md)."""
    if DECLINE_DBA_WORD in app.dba_name.lower():
        return f'sandbox: dba_name contains "{DECLINE_DBA_WORD}"'
    if app.tax_id is not None and v.tax_id_digits(app.tax_id) == DECLINE_TAX_ID:
        return f"sandbox: tax_id {DECLINE_TAX_ID}"
    return None


async def _clock_step(
    session: AsyncSession, runtime: Runtime, app: Application, rep: RepCode, at: datetime
) -> None:
    status = Status(app.status)
    if status is Status.SENT_FOR_SIGNATURE:
        await _move(session, runtime, app, rep, Event.SIGN, at, in_job=True)
        await _move(session, runtime, app, rep, Event.SUBMIT, at, in_job=True)
    elif status is Status.IN_UNDERWRITING:
        reason = underwriting_decline_reason(app)
        event = Event.APPROVE if reason is None else Event.DECLINE
        await _move(session, runtime, app, rep, event, at, reason, in_job=True)
    elif status is Status.BOARDED:
        await _move(session, runtime, app, rep, Event.GO_LIVE, at, in_job=True)
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
    rep = await _rep(session, app)
    now = runtime.clock.now()
    moves: list[str] = []
    while app.next_step_at is not None and app.next_step_at <= now:
        before = app.status
        await _clock_step(session, runtime, app, rep, app.next_step_at)
        if app.status != before:
            moves.append(app.status)
    return StepResult(app.next_step_at, moves)


# ---- credentials -------------------------------------------------------------------------


async def _boarded(
    session: AsyncSession, runtime: Runtime, scope: Sequence[int] | None, merchant_id: int
) -> Application:
    app, _ = await get_application(session, runtime, scope, merchant_id)
    if app.merchant_pk is None:
        raise Conflict(
            f"merchant {merchant_id} is {app.status}: credentials exist once it is boarded",
            {"merchant_status": [f"is {app.status}"]},
        )
    return app


async def hand_over_credentials(
    session: AsyncSession, runtime: Runtime, scope: Sequence[int] | None, merchant_id: int
) -> tuple[Application, dict[str, Any]]:
    """The credentials issued at boarding, once; the sealed copy is erased as it is read."""
    app = await _boarded(session, runtime, scope, merchant_id)
    handoff = await repository.handoff(session, app.id, lock=True)
    if handoff is None or handoff.sealed is None:
        retrieved = handoff.retrieved_at.isoformat() if handoff and handoff.retrieved_at else None
        raise Conflict(
            f"the credentials of merchant {merchant_id} were already handed over"
            + (f" at {retrieved}" if retrieved else "")
            + "; POST to this address issues a new set",
            {"credentials": ["already retrieved"]},
        )
    issued = orjson.loads(runtime.sealer.open(handoff.sealed, _handoff_context(app.id)))
    handoff.sealed = None
    handoff.retrieved_at = runtime.clock.now()
    await session.flush()
    return app, issued


async def issue_credentials(
    session: AsyncSession, runtime: Runtime, scope: Sequence[int] | None, merchant_id: int
) -> tuple[Application, IssuedCredentials]:
    """A new set of Payments API credentials for a boarded merchant."""
    app = await _boarded(session, runtime, scope, merchant_id)
    assert app.mid is not None
    merchant = await merchants.get(session, app.mid)
    return app, await auth.issue(session, runtime, merchant)


async def application_events(
    session: AsyncSession, runtime: Runtime, merchant_id: int
) -> list[dict[str, Any]]:
    await get_application(session, runtime, None, merchant_id)
    return [
        {
            "id": e.id,
            "event_type": e.event_type,
            "source_id": e.source_id,
            "timestamp": e.occurred_at.isoformat(),
            "payload": e.payload,
        }
        for e in await repository.events_of(session, merchant_id)
    ]


# ---- the demo ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPartner:
    partner: Partner
    rep_code: RepCode
    client: ClientWithSecret


DEMO_REP_CODE = "DEMO001"


async def create_demo(session: AsyncSession, runtime: Runtime) -> DemoPartner | None:
    """A demo partner with a rep code and a boarding client, when there is no partner yet."""
    if await repository.count_partners(session) > 0:
        return None
    partner = await create_partner(
        session, runtime, schemas.PartnerCreate(name="Homerun Demo Partner")
    )
    rep = await add_rep_code(
        session,
        runtime,
        partner.id,
        schemas.RepCodeCreate.model_validate({"rep_code": DEMO_REP_CODE, "name": "Demo Rep"}),
    )
    client = await create_partner_client(
        session, runtime, partner.id, "boarding", "Homerun Demo Partner boarding"
    )
    return DemoPartner(partner, rep, client)


# ---- utilities: /mcc ---------------------------------------------------------------------


def _like(pattern: str) -> re.Pattern[str]:
    out = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(f"^{out}$", re.DOTALL)


def _holds(node: qfilter.Node | None, item: dict[str, Any]) -> bool:
    """A `q` tree evaluated on one in-memory item (the /mcc list is data, not a table)."""
    if node is None:
        return True
    if isinstance(node, qfilter.And):
        return all(_holds(part, item) for part in node.parts)
    if isinstance(node, qfilter.Or):
        return any(_holds(part, item) for part in node.parts)
    value, op, operand = item.get(node.field), node.op, node.value
    if op == "$null":
        return value is None
    if op == "$notnull":
        return value is not None
    if value is None:
        return False
    if op == "$between":
        low, high = operand
        return (low is None or value >= low) and (high is None or value <= high)
    tests: dict[str, Callable[[], bool]] = {
        "$eq": lambda: bool(value == operand),
        "$ne": lambda: bool(value != operand),
        "$lt": lambda: bool(value < operand),
        "$lte": lambda: bool(value <= operand),
        "$gt": lambda: bool(value > operand),
        "$gte": lambda: bool(value >= operand),
        "$in": lambda: value in operand,
        "$like": lambda: _like(operand).match(str(value)) is not None,
        "$instr": lambda: operand in str(value),
        "$ninstr": lambda: operand not in str(value),
    }
    return tests[op]()


def mcc_page(request: Listing) -> list[dict[str, Any]]:
    """The page of merchant category codes (limit + 1 at most, for hasMore)."""
    items = [{"mcc_code": code, "description": text} for code, text in v.mcc_codes().items()]
    chosen = [item for item in items if _holds(request.query.where, item)]
    for name, descending in reversed(request.query.order_by):
        chosen.sort(key=lambda item: item[name], reverse=descending)
    page = request.page
    return chosen[page.offset : page.offset + page.limit + 1]
