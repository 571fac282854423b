"""Response bodies of the billing-plan endpoints (spec 4.12-4.14)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homerun.billing.models import BillingPlan, ScheduledPayment
from homerun.billing.service import PlanView
from homerun.kit.money import to_dollar_number, to_dollars


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def created(plan: BillingPlan) -> dict[str, Any]:
    return {"id": plan.id, "status": plan.status}


def _payment(payment: ScheduledPayment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "payment_number": payment.payment_number,
        "payment_date": _time(payment.payment_date),
        "amount_scheduled": to_dollar_number(payment.amount_scheduled),
        "amount_paid": to_dollar_number(payment.amount_paid),
        "amount_remaining": to_dollar_number(payment.amount_scheduled - payment.amount_paid),
        "payment_status": payment.status,
        "attempts": payment.attempts,
        "trans_id": str(payment.trans_id) if payment.trans_id is not None else None,
        "next_attempt_at": _time(payment.due_at),
        "resp_code": payment.resp_code,
        "resp_text": payment.resp_text,
    }


def plan(view: PlanView, mid: str) -> dict[str, Any]:
    p = view.plan
    return {
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "mid": mid,
        "payment_account_uuid": view.account.uuid,
        "vault_id": view.account.id,
        "status": p.status,
        "status_reason": p.status_reason,
        "rrule_pattern": p.rrule_pattern,
        "amount": to_dollars(p.amount),
        "currency": p.currency,
        "created_at": _time(p.created_at),
        "scheduled_payments": [_payment(payment) for payment in view.payments],
    }


def cancelled(plan: BillingPlan) -> dict[str, Any]:
    return {"id": plan.id, "success": True, "schedule_status": plan.status}
