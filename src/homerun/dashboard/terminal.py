"""What the virtual terminal asks of the domains, for one signed-in merchant user.

No money moves here: a charge is `payments.service.charge`, the function POST /api/v1/charge
calls, with all of its rules (tokens, the vault and card on file, ACH under R15, surcharges).
This module adds what a form needs around it:

- the form's one-time key is the charge's Idempotency-Key, kept by the idempotency package
  as the API's keys are (in a scope of the user's own): the key is reserved in a short
  transaction first, the charge and its answer commit together, and the same form posted
  again (a double click, a reload) is answered with the first charge's result;
- a saved account is looked up within the user's merchant only;
- every charge made, approved or declined, is in the audit log.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.audit.service import Actor, AuditAction
from homerun.auth import service as auth
from homerun.dashboard.terminal_form import Problems, Source, refused
from homerun.errors import Conflict, HomerunError, Unprocessable
from homerun.idempotency import service as idempotent
from homerun.kit.db.writes import before_commit, settle
from homerun.merchants.models import Merchant
from homerun.payments import service as payments
from homerun.payments.row import AnyTransaction
from homerun.payments.schemas import ChargeRequest
from homerun.runtime import Runtime
from homerun.vault import service as vault
from homerun.vault.models import PaymentAccount

PAGE = "/dashboard/terminal"
CHARGE_PATH = PAGE + "/charge"
# How long a second post of a form waits for the first one's charge to finish: a double
# click's second request must show the first's result, not an error.
_WAIT_STEP_SECONDS = 0.1
_WAIT_STEPS = 100


def result_location(trans_id: str) -> str:
    return f"{PAGE}?done={quote(trans_id)}"


@dataclass(frozen=True, slots=True)
class Done:
    """The form's charge was made (now, or by an earlier post of the same form)."""

    location: str  # where its result is shown


class Busy:
    """The same form's first post is still charging (it did not finish in time)."""


class Reused:
    """The form's key was used before for a different charge (changed fields)."""


async def public_key(session: AsyncSession, merchant: Merchant) -> str | None:
    """The public key the card frame tokenizes with: the merchant's newest live one."""
    live = [c.public_key for c in await auth.list_sets(session, merchant) if c.revoked_at is None]
    return live[-1] if live else None


async def saved_account(
    session: AsyncSession, merchant: Merchant, identifier: str
) -> PaymentAccount | None:
    """An active vault payment account of this merchant (another's is not found)."""
    return await vault.active_account(session, merchant, identifier)


def _scope(user_id: int) -> str:
    return f"dashboard:{user_id}"


async def claim(
    runtime: Runtime, user_id: int, key: str, body: bytes
) -> Done | Busy | Reused | None:
    """Reserve the form's key for this post; None when the charge is this post's to make.

    A post of a form whose charge is under way waits for it, then answers with its result.
    """
    fingerprint = idempotent.request_fingerprint(runtime, "POST", CHARGE_PATH, body)
    for _ in range(_WAIT_STEPS):
        try:
            kept = await idempotent.reserve(runtime, _scope(user_id), key, fingerprint)
        except Unprocessable:
            return Reused()
        except Conflict:
            await asyncio.sleep(_WAIT_STEP_SECONDS)
            continue
        if kept is None:
            return None
        return Done(kept.headers["location"])
    return Busy()


@dataclass(frozen=True, slots=True)
class Charged:
    done: Done
    txn: AnyTransaction


async def charge(
    runtime: Runtime,
    actor: Actor,
    merchant: Merchant,
    user_id: int,
    key: str,
    request: ChargeRequest,
) -> Charged | Problems:
    """The charge of a claimed form, in a unit of work of its own that also keeps the
    form's answer under its key. A refusal (R6) changes nothing and frees the key, so the
    corrected form can be posted again."""
    scope = _scope(user_id)
    kept: list[idempotent.Answer] = []

    async def keep_answer(session: AsyncSession) -> None:
        if kept:
            await idempotent.finish(runtime, session, scope, key, kept[0])

    problem: HomerunError | None = None
    try:
        async with runtime.db.transaction() as session:
            # Stated before the charge, so that the charge and its kept answer are one
            # transaction (kit.db.writes).
            before_commit(session, keep_answer)
            try:
                async with session.begin_nested():
                    txn = await payments.charge(session, runtime, merchant, request)
            except HomerunError as refusal:
                problem = refusal
            else:
                await settle(session)  # the row is written: its trans_id is known
                await _record(session, runtime, actor, merchant, request, txn)
                done = Done(result_location(str(txn.id)))
                kept.append(idempotent.Answer(303, b"", {"location": done.location}))
    except BaseException:
        await idempotent.release(runtime, scope, key)
        raise
    if problem is not None:
        await idempotent.release(runtime, scope, key)
        return refused(problem)
    return Charged(done, txn)


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
