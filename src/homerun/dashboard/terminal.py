"""What the virtual terminal asks of the domains, for one signed-in merchant user.

No money moves here: a charge is `payments.service.charge`, the function POST /api/v1/charge
calls, with all of its rules (tokens, the vault and card on file, ACH under R15, surcharges).
This module adds what a form needs around it:

- the form's one-time key is the charge's Idempotency-Key (dashboard.once): the same form
  posted again (a double click, a reload) is answered with the first charge's result;
- a saved account is looked up within the user's merchant only;
- every charge made, approved or declined, is in the audit log.
"""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.auth import service as auth
from homerun.dashboard import once
from homerun.dashboard.terminal_form import Problems, Source, refused
from homerun.errors import HomerunError
from homerun.kit.db.writes import settle
from homerun.merchants.models import Merchant
from homerun.payments import service as payments
from homerun.payments.row import AnyTransaction
from homerun.payments.schemas import ChargeRequest
from homerun.runtime import Runtime
from homerun.vault import service as vault
from homerun.vault.models import PaymentAccount

PAGE = "/dashboard/terminal"
CHARGE_PATH = PAGE + "/charge"


def result_location(trans_id: str) -> str:
    return f"{PAGE}?done={quote(trans_id)}"


async def public_key(session: AsyncSession, merchant: Merchant) -> str | None:
    """The public key the card frame tokenizes with: the merchant's newest live one."""
    live = [c.public_key for c in await auth.list_sets(session, merchant) if c.revoked_at is None]
    return live[-1] if live else None


async def saved_account(
    session: AsyncSession, merchant: Merchant, identifier: str
) -> PaymentAccount | None:
    """An active vault payment account of this merchant (another's is not found)."""
    return await vault.active_account(session, merchant, identifier)


async def charge(
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    user_id: int,
    key: str,
    request: ChargeRequest,
) -> once.Made[AnyTransaction] | Problems:
    """The charge of a claimed form, made once (`once.create_once`): with its audit entry
    and its kept answer, or a refusal (R6) that changes nothing and frees the key."""

    async def make(session: AsyncSession) -> once.Made[AnyTransaction] | Problems:
        try:
            txn = await payments.charge(session, runtime, merchant, request)
        except HomerunError as problem:
            return refused(problem)
        await settle(session)  # the row is written: its trans_id is known
        await _record(session, runtime, actor, merchant, request, txn)
        return once.Made(once.Done(result_location(str(txn.id))), txn)

    return await once.create_once(runtime, user_id, key, make)


async def _record(
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    request: ChargeRequest,
    txn: AnyTransaction,
) -> None:
    await audit.record(
        session,
        runtime.clock.now(),
        actor,
        AuditAction.CHARGE,
        merchant_id=merchant.id,
        trans_id=str(txn.id),
        amount=str(txn.amount_requested),
        currency=txn.currency,
        capture="Y" if request.capture else "N",
        result=txn.result.value,
        # What was charged: a saved account by its vault id, else a keyed card.
        source=f"vault {request.vault_id}" if request.vault_id else Source.CARD.value,
    )
