"""A merchant's answer to an open chargeback, as the sandbox network offers it.

- **accept**: the merchant takes the loss; the chargeback is lost at once (the debit
  stands), `decided_by` "merchant".
- **challenge**: the merchant contests it; the sandbox network reviews the challenge at
  once by the same rule the clock applies at `respond_by` (a fraud claim on a sale whose
  CVV matched is won, anything else is lost), `decided_by` "network".

Either is refused (409) once the chargeback is decided or its `respond_by` has passed:
the clock decides it then. The decision itself is `chargebacks.decide`, the function the
admin API's win/lose and the clock use, so its ledger entries and events are theirs.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import Conflict, NotFound
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from homerun.settlement import chargebacks, repository
from homerun.settlement.models import Chargeback
from homerun.settlement.state import ChargebackEvent, ChargebackState


class Response(StrEnum):
    ACCEPT = "accept"
    CHALLENGE = "challenge"


DECIDED_BY = {Response.ACCEPT: "merchant", Response.CHALLENGE: "network"}


async def respond(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    chargeback_id: int,
    response: Response,
) -> Chargeback:
    """Accept or challenge the merchant's own open chargeback (another's is not found)."""
    cb = await repository.chargeback_for_update(session, chargeback_id)
    if cb is None or cb.merchant_id != merchant.id:
        raise NotFound(f"chargeback {chargeback_id} not found")
    if cb.state is not ChargebackState.OPEN:
        raise Conflict(f"chargeback {chargeback_id} is already {cb.state.value}")
    now = runtime.clock.now()
    if now >= cb.respond_by:
        raise Conflict(f"chargeback {chargeback_id} is past its response deadline")
    verdict = ChargebackEvent.LOSE
    if response is Response.CHALLENGE:
        verdict = await chargebacks.clock_verdict(session, cb)
    decided, _ = await chargebacks.decide(
        session, runtime, merchant, cb.id, verdict, DECIDED_BY[response], at=now
    )
    return decided
