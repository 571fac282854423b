"""Creating and cancelling billing plans from the dashboard.

The form is read into the API's own `CreatePlanRequest` and handed to
`billing.service.create`, the function POST /api/v1/billing_plans calls: the same rules
and the same errors, each shown beside the form field it names. Cancelling is
`billing.service.cancel`, as DELETE /api/v1/billing_plans/{id}.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.billing import plan_reads
from homerun.billing import service as billing
from homerun.billing.models import BillingPlan
from homerun.billing.schemas import CreatePlanRequest
from homerun.billing.state import PlanStatus
from homerun.errors import ValidationFailed
from homerun.kit.money import to_dollars
from homerun.kit.web import NUL_PROBLEM, field_with_nul, validation_failed
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime

# The form's fields, and the API field each one becomes.
FORM_FIELDS = {
    "account": "payment_account_uuid",
    "name": "name",
    "description": "description",
    "amount": "amount",
    "start": "start",
    "rule": "rrule_pattern",
}
_FIELD_OF = {api: form for form, api in FORM_FIELDS.items()}


def _pattern(rule: str, start: str, zone: ZoneInfo) -> tuple[str | None, dict[str, str]]:
    """The RFC 5545 text the API takes: the rule as typed when it has its own DTSTART,
    else a DTSTART at `start` (the merchant's local time) and the RRULE line."""
    rule = "\n".join(line.strip() for line in rule.strip().splitlines() if line.strip())
    if "DTSTART" in rule.upper():
        if start:
            return None, {"start": "Leave empty: the rule has its own DTSTART."}
        return rule, {}
    if not start:
        return None, {"start": "Enter when the first payment is, like 2027-01-01 09:00."}
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        return None, {"start": "Enter a date and time, like 2027-01-01 09:00."}
    line = rule.removeprefix("RRULE:").removeprefix("rrule:")
    return f"DTSTART;TZID={zone.key}:{moment:%Y%m%dT%H%M%S}\nRRULE:{line}", {}


def _errors(failed: ValidationFailed) -> dict[str, str]:
    found = {}
    for name, problems in (failed.errors or {}).items():
        text = "; ".join(problems)
        found[_FIELD_OF.get(name, "form")] = text[:1].upper() + text[1:] + "."
    return found or {"form": failed.message}


def read_form(
    fields: dict[str, str], merchant: Merchant, zone: ZoneInfo
) -> tuple[CreatePlanRequest | None, dict[str, str]]:
    """The request the form means, or an error per form field."""
    values = {name: fields.get(name, "").strip()[:2100] for name in FORM_FIELDS}
    nul = field_with_nul(values.items(), "form")
    if nul is not None:  # PostgreSQL refuses NUL in text: refused before anything is read
        return None, {nul: NUL_PROBLEM[:1].upper() + NUL_PROBLEM[1:] + "."}
    pattern, errors = _pattern(values["rule"], values["start"], zone)
    body: dict[str, object] = {
        "mid": merchant.mid,
        "payment_account_uuid": values["account"],
        "name": values["name"],
        "amount": values["amount"].removeprefix("$"),
        "rrule_pattern": pattern or "-",
    }
    if values["description"]:
        body["description"] = values["description"]
    try:
        request = CreatePlanRequest.model_validate(body)
    except ValidationError as problem:
        errors = {**_errors(validation_failed(problem)), **errors}
        return None, errors
    return (None, errors) if errors else (request, {})


async def create(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    request: CreatePlanRequest,
) -> BillingPlan | dict[str, str]:
    """The plan made, or the service's refusal as an error per form field."""
    try:
        plan = await billing.create(session, runtime, merchant, request)
    except ValidationFailed as refused:
        return _errors(refused)
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AuditAction.PLAN_CREATED,
        merchant_id=merchant.id,
        plan_id=plan.id,
        amount=to_dollars(plan.amount),
        currency=plan.currency,
        rrule_pattern=plan.rrule_pattern,
    )
    return plan


async def cancel(
    session: AsyncSession, runtime: Runtime, actor: Actor, merchant: Merchant, plan_id: int
) -> BillingPlan | None:
    """Cancel the merchant's own plan (None: not found); a second cancel records nothing.

    NotFound and Conflict (a plan already completed or stopped) pass to the caller.
    """
    before = await plan_reads.one(session, merchant.id, plan_id)
    if before is None:
        return None
    was = before.status
    plan = await billing.cancel(session, runtime, merchant, str(plan_id))
    if was is not PlanStatus.CANCELLED:
        await audit.record(
            session,
            runtime.clock.now(),
            actor,
            AuditAction.PLAN_CANCELLED,
            merchant_id=merchant.id,
            plan_id=plan.id,
        )
    return plan
