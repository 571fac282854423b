"""The virtual terminal at /dashboard/terminal: thin handlers over dashboard.terminal.

The page is the form; its POST charges through `payments.service.charge` and answers with a
redirect to the page showing the result (so a reload does not post again). The POST runs
its steps in units of work of their own, in order, never one inside another: who is asking
(and whether the form is sound), the form key's reservation, then the charge with its kept
answer. A role that may not charge gets 403 for both.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import AppRuntime, Route, Session
from homerun.config import Mode
from homerun.dashboard import once, replies, service, terminal, terminal_form, terminal_views
from homerun.dashboard.access import merchant_user
from homerun.dashboard.guard import Viewer
from homerun.dashboard.once import new_form_key
from homerun.dashboard.replies import Fields
from homerun.dashboard.terminal_form import Checked, Entered, Problems, Source
from homerun.dashboard.terminal_views import Form
from homerun.kit.pages import html_response
from homerun.observability.context import note_trans_id
from homerun.observability.metrics import count_charge
from homerun.payments.models import Transaction
from homerun.people.roles import Action
from homerun.runtime import Runtime
from homerun.vault.models import PaymentAccount
from homerun.vault.service import parse_ref

router = APIRouter(route_class=Route, include_in_schema=False)
_NO_ACCOUNT = "there is no active saved account with this vault ID here"


async def _render(
    session: AsyncSession,
    runtime: Runtime,
    viewer: Viewer,
    form: Form,
    *,
    status: int = 200,
    account: PaymentAccount | None = None,
    lookup_error: str | None = None,
    done: Transaction | None = None,
) -> Response:
    merchant = viewer.merchant
    assert merchant is not None
    key = None
    if form.entered.source is Source.CARD:
        key = await terminal.public_key(session, merchant)
    html = terminal_views.page(
        viewer,
        form,
        service.merchant_zone(merchant),
        public_key=key,
        sandbox=runtime.settings.mode is Mode.SANDBOX,
        account=account,
        lookup_error=lookup_error,
        done=done,
    )
    return html_response(html, status, policy=terminal_views.POLICY)


@router.get(terminal.PAGE)
async def terminal_page(
    request: Request,
    session: Session,
    runtime: AppRuntime,
    pay: str = "",
    vault_id: str = "",
    done: str = "",
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.CHARGE)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    source = Source.SAVED if pay == Source.SAVED else Source.CARD
    entered = Entered(source, vault_id=vault_id.strip()[:64] if source is Source.SAVED else "")
    shown = await service.payment(session, viewer.merchant, done[:32]) if done else None
    account, error, status = None, None, 200
    if entered.vault_id:
        if parse_ref(entered.vault_id) is None:
            error, status = "Vault ID: enter the account's number or its uuid.", 400
        else:
            account = await terminal.saved_account(session, viewer.merchant, entered.vault_id)
            if account is None:
                error, status = f"Vault ID: {_NO_ACCOUNT}.", 404
    form = Form(entered, new_form_key())
    return await _render(
        session,
        runtime,
        viewer,
        form,
        status=status,
        account=account,
        lookup_error=error,
        done=shown.txn if shown else None,
    )


async def _again(
    runtime: Runtime, viewer: Viewer, entered: Entered, problems: Problems, status: int
) -> Response:
    """The form once more, with its problems, what was typed, and a new key."""
    async with runtime.db.transaction() as session:
        account = None
        if entered.source is Source.SAVED and viewer.merchant is not None:
            account = await terminal.saved_account(session, viewer.merchant, entered.vault_id)
        form = Form(entered, new_form_key(), problems)
        return await _render(session, runtime, viewer, form, status=status, account=account)


async def _checked(
    request: Request, runtime: Runtime, fields: dict[str, str]
) -> tuple[Viewer, Checked] | Response:
    """Who posts, and their form: sound, and naming an account of their own merchant."""
    async with runtime.db.transaction() as session:
        viewer = await merchant_user(request, session, runtime, Action.CHARGE, fields)
        if isinstance(viewer, Response):
            return viewer
        assert viewer.merchant is not None
        entered = terminal_form.read(fields)
        checked = terminal_form.check(entered)
        if isinstance(checked, Problems):
            return await _render(
                session, runtime, viewer, Form(entered, new_form_key(), checked), status=422
            )
        if entered.source is Source.SAVED and not await terminal.saved_account(
            session, viewer.merchant, entered.vault_id
        ):
            problems = Problems({"vault_id": _NO_ACCOUNT})
            return await _render(
                session, runtime, viewer, Form(entered, new_form_key(), problems), status=404
            )
        return viewer, checked


@router.post(terminal.CHARGE_PATH)
async def charge(request: Request, fields: Fields, runtime: AppRuntime) -> Response:
    checked = await _checked(request, runtime, fields)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    merchant, entered = viewer.merchant, form.entered
    assert merchant is not None
    body = await request.body()
    claimed = await once.claim(
        runtime, viewer.user.id, entered.form_key, terminal.CHARGE_PATH, body
    )
    if isinstance(claimed, once.Done):
        return replies.redirect(claimed.location)
    if claimed is not None:
        text = once.conflict(claimed, "charge", "Payments", again="charging again")
        return await _again(runtime, viewer, entered, Problems(general=text), 409)
    wanted = terminal_form.charge_request(form, merchant.mid, viewer.user.email)
    outcome = await terminal.charge(
        runtime, replies.actor(request, viewer), merchant, viewer.user.id, entered.form_key, wanted
    )
    if isinstance(outcome, Problems):
        return await _again(runtime, viewer, entered, outcome, 422)
    txn = outcome.made
    note_trans_id(txn.id)
    count_charge(txn.result, txn.resp_code, txn.card_brand, txn.payment_method)
    return replies.redirect(outcome.done.location)
