"""The boarding rules that are pure functions of an application: cross-field checks, the
merchant type, and the sandbox's underwriting decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homerun.boarding import schemas
from homerun.boarding import validation as v
from homerun.boarding.choices import CARD_PRODUCTS, OWNERSHIP_BY_PLATFORM
from homerun.boarding.models import Application
from homerun.errors import ValidationFailed

ADULT_AGE = 18

# Sandbox: an application with one of these is declined by the clock's underwriting.
DECLINE_DBA_WORD = "decline"
DECLINE_TAX_ID = "999999999"


def cross_field_errors(data: schemas.ApplicationCreate, now: datetime) -> dict[str, list[str]]:
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
        allowed = OWNERSHIP_BY_PLATFORM[data.platform]
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


def merchant_type(products: list[dict[str, Any]] | None) -> int:
    """1 card only, 2 ACH only, 3 card and ACH (what Runner.js reads as merchant_type_id)."""
    names = {p["product"] for p in products or []}
    has_ach = "ach" in names
    has_card = bool(names & CARD_PRODUCTS) or not names
    if has_ach and has_card:
        return 3
    return 2 if has_ach else 1


def failure(errors: dict[str, list[str]]) -> ValidationFailed:
    summary = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in errors.items())
    return ValidationFailed(summary, errors)


def underwriting_decline_reason(app: Application) -> str | None:
    """The sandbox's test values that make underwriting decline (docs/boarding.md)."""
    if DECLINE_DBA_WORD in app.dba_name.lower():
        return f'sandbox: dba_name contains "{DECLINE_DBA_WORD}"'
    if app.tax_id is not None and v.tax_id_digits(app.tax_id) == DECLINE_TAX_ID:
        return f"sandbox: tax_id {DECLINE_TAX_ID}"
    return None
