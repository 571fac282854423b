"""What the Sandbox faults page asks of merchants: the simulator's faults for one merchant
(docs/testing.md#faults), seen and set.

No rule lives here: the form becomes the admin API's body (`MerchantUpdate` with `faults`,
validated by its own model) and is applied by `merchants.service.update`, the function
behind `PATCH /homerun/v1/merchants/{mid}`, which also makes the API see the new faults at
once. This module translates the form, names the fields of a refusal, and records each
change in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.dashboard.guard import Viewer
from homerun.dashboard.operator import sandbox_mode
from homerun.kit.web import validation_failed
from homerun.merchants import service as merchants
from homerun.merchants.models import Merchant
from homerun.merchants.schemas import MerchantUpdate, bps_as_percent
from homerun.people.roles import Action
from homerun.processors.faults import Faults
from homerun.runtime import Runtime

LABELS = {
    "latency_ms": "Added latency",
    "timeout_rate": "Timeouts",
    "error_rate": "Line down",
}
# The model's own check of the three together (timeouts and line down over 100 percent)
# is shown on the second of the two shares.
_WHOLE = "error_rate"


@dataclass
class FaultsForm:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        return [(name, LABELS[name], self.errors[name]) for name in LABELS if name in self.errors]


def of_merchant(merchant: Merchant) -> FaultsForm:
    now = merchants.faults_of(merchant)
    return FaultsForm(
        {
            "latency_ms": str(now.latency_ms),
            "timeout_rate": bps_as_percent(now.timeout_bps),
            "error_rate": bps_as_percent(now.error_bps),
        }
    )


def read(fields: dict[str, str]) -> FaultsForm:
    return FaultsForm({name: fields.get(name, "").strip()[:40] for name in LABELS})


def update_of(form: FaultsForm) -> MerchantUpdate | None:
    """The admin API's body for the form (an empty field is 0, as one left out of the
    API's `faults`); None with the form's errors set."""
    sent = {name: value.removesuffix("%").strip() for name, value in form.values.items() if value}
    try:
        return MerchantUpdate.model_validate({"faults": sent})
    except ValidationError as problem:
        for key, messages in (validation_failed(problem).errors or {}).items():
            name = key.removeprefix("faults.")
            form.errors.setdefault(name if name in LABELS else _WHOLE, ", ".join(messages))
        return None


def describe(faults: Faults) -> str:
    """The faults in a sentence."""
    if not faults.any:
        return "None: the simulator answers at once, as its test cards say."
    parts = []
    if faults.latency_ms:
        parts.append(f"{faults.latency_ms} ms added to every processor call")
    if faults.timeout_bps:
        parts.append(f"{bps_as_percent(faults.timeout_bps)}% of authorizations time out")
    if faults.error_bps:
        parts.append(f"{bps_as_percent(faults.error_bps)}% find the line down")
    return "; ".join(parts) + "."


def _short(faults: Faults) -> str:
    timeouts, down = bps_as_percent(faults.timeout_bps), bps_as_percent(faults.error_bps)
    return f"{faults.latency_ms} ms, {timeouts}% timeouts, {down}% line down"


async def set_faults(
    session: AsyncSession, runtime: Runtime, actor: Actor, merchant: Merchant, data: MerchantUpdate
) -> Faults:
    before = merchants.faults_of(merchant)
    changed = await merchants.update(session, runtime, merchant.mid, data)
    after = merchants.faults_of(changed)
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AuditAction.FAULTS_SET,
        merchant_id=merchant.id,
        latency_ms=after.latency_ms,
        timeout_rate=bps_as_percent(after.timeout_bps),
        error_rate=bps_as_percent(after.error_bps),
        before=_short(before),
    )
    return after


def now_for(viewer: Viewer, runtime: Runtime) -> str | None:
    """The faults as the Developers page tells them; None where it does not (live mode, a
    role that may not set them)."""
    if viewer.merchant is None or not viewer.may(Action.SET_FAULTS) or not sandbox_mode(runtime):
        return None
    return describe(merchants.faults_of(viewer.merchant))
