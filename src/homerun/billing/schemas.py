"""Wire shapes of the billing-plan endpoints (spec 4.12-4.14, ruling R3).

Plan amounts are decimal-dollar strings (numbers accepted too); scheduled payment
amounts are answered as JSON numbers in dollars, as the Run docs show them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, Field

from homerun.kit.wire import MID, WireModel
from homerun.payments.schemas import DollarAmount


class CreatePlanRequest(WireModel):
    name: Annotated[str, Field(min_length=1, max_length=255)]
    description: Annotated[str, Field(max_length=2000)] | None = None
    mid: MID
    payment_account_uuid: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        validation_alias=AliasChoices("payment_account_uuid", "vault_id"),
        description="The vault payment account: its uuid, integer id or the id's string (R8)",
    )
    amount: DollarAmount
    rrule_pattern: Annotated[str, Field(min_length=1, max_length=1000)] = Field(
        description='RFC 5545: "DTSTART:20270101T090000Z\\nRRULE:FREQ=MONTHLY;COUNT=12"'
    )


class CreatePlanAnswer(BaseModel):
    id: int
    status: str


class ScheduledPaymentAnswer(BaseModel):
    id: int
    payment_number: int = Field(description="The occurrence's number in the rule (from 1)")
    payment_date: str = Field(description="ISO-8601 UTC, e.g. 2027-01-01T09:00:00.000Z")
    amount_scheduled: float = Field(description="Dollars")
    amount_paid: float = Field(description="Dollars")
    amount_remaining: float = Field(description="Dollars")
    payment_status: Literal["SCHEDULED", "RETRYING", "COMPLETED", "FAILED", "CANCELLED"]
    attempts: int
    trans_id: str | None = Field(description="The latest attempt's transaction")
    next_attempt_at: str | None = Field(description="When it is (re)tried next, if it will be")
    resp_code: str | None
    resp_text: str | None


class PlanAnswer(BaseModel):
    id: int
    name: str
    description: str | None
    mid: str
    payment_account_uuid: str
    vault_id: int
    status: Literal["ACTIVE", "COMPLETED", "CANCELLED", "STOPPED"]
    status_reason: str | None
    rrule_pattern: str
    amount: str = Field(description='Dollars, e.g. "10.00"')
    currency: str
    created_at: str
    scheduled_payments: list[ScheduledPaymentAnswer]


class CancelPlanAnswer(BaseModel):
    id: int
    success: bool
    schedule_status: Literal["CANCELLED"]
