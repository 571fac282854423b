"""Merchant applications: taking one in (checked against the caller's partner scope), and
reading them back within that scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.boarding import repository, schemas
from homerun.boarding.lifecycle import move, record
from homerun.boarding.models import Application, RepCode, Template
from homerun.boarding.paging import MERCHANT_DOMAINS, Listing
from homerun.boarding.rules import cross_field_errors, failure, merchant_type
from homerun.boarding.state import Event, Status
from homerun.errors import NotFound
from homerun.runtime import Runtime

# The request fields that are not copied as they are onto the application's columns.
_NOT_COLUMNS = frozenset(
    {
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


@dataclass(frozen=True)
class _References:
    rep: RepCode
    template: Template | None


async def _references(
    session: AsyncSession, scope: Sequence[int], data: schemas.ApplicationCreate, now: datetime
) -> _References:
    """The rep code and template the application names, each within the scope; every fault
    of the request, cross-field ones included, is answered together."""
    errors = cross_field_errors(data, now)
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
        raise failure(errors)
    assert rep is not None
    return _References(rep, template)


def _bank_summary(account: schemas.BankAccount | None) -> dict[str, Any] | None:
    """What is kept in clear of a bank account: the number itself is sealed apart."""
    if account is None:
        return None
    return {
        "routing_number": account.routing_number,
        "account_last4": account.account_number[-4:],
        "account_type": account.account_type,
        "bank_name": account.bank_name,
        "account_holder_name": account.account_holder_name,
    }


def _new_application(
    data: schemas.ApplicationCreate, refs: _References, now: datetime
) -> Application:
    template = refs.template
    if template is not None:
        pricing, fees, products = template.pricing, template.fees, template.products
    else:
        pricing = schemas.pricing_stored(data.pricing)
        fees = schemas.fees_stored(data.fees)
        products = schemas.products_stored(data.products)
    return Application(
        partner_id=refs.rep.partner_id,
        rep_code_id=refs.rep.id,
        customer_id=data.customer_id,
        platform=data.platform,
        status=Status.NEW,
        auto_send=data.auto_send_for_signature,
        pended=0,
        merchant_type_id=merchant_type(products),
        addresses=[a.model_dump() for a in data.addresses],
        bank_account=_bank_summary(data.bank_account),
        application_template_id=template.id if template else None,
        pricing=pricing,
        fees=fees,
        products=products,
        created_at=now,
        updated_at=now,
        **data.model_dump(exclude=set(_NOT_COLUMNS)),
    )


async def create_application(
    session: AsyncSession,
    runtime: Runtime,
    scope: Sequence[int],
    data: schemas.ApplicationCreate,
) -> Application:
    now = runtime.clock.now()
    refs = await _references(session, scope, data, now)
    app = _new_application(data, refs, now)
    await repository.add(session, app)
    if data.bank_account is not None:  # sealed under the application's id, known only now
        app.bank_account_sealed = runtime.sealer.seal(
            data.bank_account.account_number, _bank_context(app.id)
        )
    if app.customer_id is None:
        app.customer_id = app.id  # a new customer, numbered after its first application
    await session.flush()
    record(session, app, now)
    if app.auto_send:
        await move(session, runtime, app, Event.SEND_FOR_SIGNATURE, now)
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
