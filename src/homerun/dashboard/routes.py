"""The dashboard at /dashboard: thin handlers over people, the dashboard's service and views.

Every page is HTML with a strict CSP (kit.pages); none is part of the OpenAPI document.
A page that needs a signed-in user sends everyone else to the sign-in page; a user whose
role may not do a thing gets 403, and another merchant's payment is not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit import service as audit
from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import export, filters, guard, home_charts, replies, service, views
from homerun.dashboard.access import form_viewer, page_viewer
from homerun.dashboard.guard import SESSION_COOKIE, SIGN_IN_COOKIE, Viewer
from homerun.dashboard.replies import Fields
from homerun.kit.money import AmountError, parse_dollars
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.payments.outcomes import Refusal, Reversal
from homerun.people import service as people
from homerun.people.crypto import password_problem
from homerun.people.roles import Action
from homerun.people.state import LinkPurpose, SessionStage
from homerun.runtime import Runtime

router = APIRouter(route_class=Route, include_in_schema=False)
_SIGN_IN_COOKIE_AGE = 3600
_NOTICES = {
    "signed_out": "You have signed out.",
    "password_set": "Your password is saved. Sign in with it now.",
    "expired": "Your session ended. Sign in again.",
}
_DONE = {
    "refunded": "The refund was made.",
    "voided": "The payment was voided.",
    "captured": "The payment was captured.",
}


# ---------------------------------------------------------------- signing in


@router.get("/")
async def root() -> Response:
    return replies.redirect("/dashboard")


def _sign_in_form(
    request: Request,
    runtime: Runtime,
    *,
    status: int = 200,
    email: str = "",
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    nonce, new = guard.sign_in_nonce(request)
    html = views.sign_in(
        guard.sign_in_csrf(runtime, nonce), email=email, error=error, notice=notice
    )
    response = replies.page(html, status)
    if new:
        guard.set_cookie(request, response, SIGN_IN_COOKIE, nonce, _SIGN_IN_COOKIE_AGE)
    return response


def _sign_in_csrf_ok(request: Request, runtime: Runtime, fields: dict[str, str]) -> bool:
    nonce = request.cookies.get(SIGN_IN_COOKIE)
    return bool(nonce) and guard.csrf_matches(guard.sign_in_csrf(runtime, nonce or ""), fields)


@router.get("/dashboard/sign-in")
async def sign_in_page(
    request: Request, session: Session, runtime: AppRuntime, notice: str = ""
) -> Response:
    if await guard.viewer(request, session, runtime) is not None:
        return replies.redirect("/dashboard")
    return _sign_in_form(request, runtime, notice=_NOTICES.get(notice))


@router.post("/dashboard/sign-in")
async def sign_in(
    request: Request, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    email = fields.get("email", "")[:254]
    if not _sign_in_csrf_ok(request, runtime, fields):
        return _sign_in_form(
            request, runtime, status=403, email=email, error="The form had expired. Try again."
        )
    opened = await people.sign_in(
        session, runtime, email, fields.get("password", "")[:1024], guard.client_ip(request)
    )
    if isinstance(opened, people.Refused):
        return _sign_in_form(request, runtime, status=401, email=email, error=opened.message)
    await people.end_by_token(session, runtime, request.cookies.get(SESSION_COOKIE))
    response = replies.redirect("/dashboard/sign-in/code" if opened.needs_code else "/dashboard")
    age = runtime.settings.dashboard_session_absolute_seconds
    guard.set_cookie(request, response, SESSION_COOKIE, opened.token, age)
    guard.clear_cookie(request, response, SIGN_IN_COOKIE)
    return response


@router.get("/dashboard/sign-in/code")
async def code_page(request: Request, session: Session, runtime: AppRuntime) -> Response:
    waiting = await guard.pending(request, session, runtime)
    if waiting is None:
        return replies.redirect("/dashboard/sign-in")
    return replies.page(views.code_step(waiting.row.csrf_token))


@router.post("/dashboard/sign-in/code")
async def code(request: Request, fields: Fields, session: Session, runtime: AppRuntime) -> Response:
    waiting = await guard.pending(request, session, runtime)
    if waiting is None:
        return replies.redirect("/dashboard/sign-in")
    if not guard.csrf_matches(waiting.row.csrf_token, fields):
        return replies.page(views.code_step(waiting.row.csrf_token, error="Try again."), 403)
    opened = await people.sign_in_code(
        session, runtime, waiting.row, fields.get("code", "")[:40], guard.client_ip(request)
    )
    if isinstance(opened, people.Refused):
        if opened.message == people.LOCKED:
            return _sign_in_form(request, runtime, status=401, error=opened.message)
        error = "That code is not right. Check the time on your device and try again."
        return replies.page(views.code_step(waiting.row.csrf_token, error=error), 401)
    response = replies.redirect("/dashboard")
    age = runtime.settings.dashboard_session_absolute_seconds
    guard.set_cookie(request, response, SESSION_COOKIE, opened.token, age)
    return response


@router.post("/dashboard/sign-out")
async def sign_out(
    request: Request, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    found = await people.current(
        session, runtime, request.cookies.get(SESSION_COOKIE), stage=SessionStage.SIGNED_IN
    )
    if found is None:
        return replies.redirect("/dashboard/sign-in")
    if not guard.csrf_matches(found.row.csrf_token, fields):
        return replies.forbidden(None)
    await people.sign_out(session, runtime, found, guard.client_ip(request))
    response = replies.redirect("/dashboard/sign-in?notice=signed_out")
    guard.clear_cookie(request, response, SESSION_COOKIE)
    return response


# ---------------------------------------------------------------- one-time links


async def _link_page(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    token: str,
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    link = await people.open_link(session, runtime, token[:100])
    if link is None:
        text = "This link has expired or was already used. Ask for a new one."
        return replies.page(views.message(None, "Link not valid", text), 404)
    user = await people.user_of_link(session, link)
    nonce, new = guard.sign_in_nonce(request)
    html = views.welcome(
        token,
        user.email,
        reset=link.purpose is LinkPurpose.RESET,
        error=error,
        csrf=guard.sign_in_csrf(runtime, nonce),
    )
    response = replies.page(html, status)
    if new:
        guard.set_cookie(request, response, SIGN_IN_COOKIE, nonce, _SIGN_IN_COOKIE_AGE)
    return response


@router.get("/dashboard/welcome/{token}")
async def welcome_page(
    request: Request, token: str, session: Session, runtime: AppRuntime
) -> Response:
    return await _link_page(request, session, runtime, token)


@router.post("/dashboard/welcome/{token}")
async def welcome(
    request: Request, token: str, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    if not _sign_in_csrf_ok(request, runtime, fields):
        return await _link_page(
            request, session, runtime, token, status=403, error="The form had expired. Try again."
        )
    password = fields.get("password", "")
    problem = password_problem(password)
    if problem is None and password != fields.get("confirm"):
        problem = "the two passwords are not the same"
    if problem is not None:
        return await _link_page(
            request, session, runtime, token, status=422, error=f"The password {problem}."
        )
    user = await people.use_link(session, runtime, token[:100], password, guard.client_ip(request))
    if user is None:
        return await _link_page(request, session, runtime, token)
    return replies.redirect("/dashboard/sign-in?notice=password_set")


# ---------------------------------------------------------------- pages


@router.get("/dashboard")
async def home(request: Request, session: Session, runtime: AppRuntime) -> Response:
    viewer = await replies.signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    figures, drawn = None, None
    currency = viewer.merchant.currency if viewer.merchant else "USD"
    if viewer.merchant is not None and viewer.may(Action.VIEW_PAYMENTS):
        figures = await service.home_figures(session, runtime, viewer.merchant)
        found = await home_charts.home_charts(session, runtime, viewer.merchant)
        drawn = home_charts.context(found, currency)
    return replies.page(views.home(viewer, figures, currency, drawn))


@dataclass(frozen=True, slots=True)
class _Search:
    viewer: Viewer
    merchant: Merchant
    zone: ZoneInfo
    wanted: filters.Filters


async def _payment_search(
    request: Request, session: AsyncSession, runtime: Runtime
) -> _Search | Response:
    """Who searches the payments and for what, as the list and its CSV read the query;
    or the answer instead (sign in, 403, the form with its errors)."""
    allowed = await page_viewer(request, session, runtime, Action.VIEW_PAYMENTS)
    if isinstance(allowed, Response):
        return allowed
    viewer, merchant = allowed
    zone = service.merchant_zone(merchant)
    wanted = filters.read(dict(request.query_params), zone)
    if wanted.errors:
        return replies.page(views.payments(viewer, wanted, None, zone), 400)
    return _Search(viewer, merchant, zone, wanted)


@router.get("/dashboard/payments")
async def payments(request: Request, session: Session, runtime: AppRuntime) -> Response:
    found = await _payment_search(request, session, runtime)
    if isinstance(found, Response):
        return found
    page = await service.find_payments(session, found.merchant, found.wanted.search)
    return replies.page(views.payments(found.viewer, found.wanted, page, found.zone))


@router.get("/dashboard/payments.csv")
async def payments_csv(request: Request, session: Session, runtime: AppRuntime) -> Response:
    found = await _payment_search(request, session, runtime)
    if isinstance(found, Response):
        return found
    # Streamed after this unit of work has ended: each page of rows reads in its own.
    return StreamingResponse(
        export.lines(runtime.db, found.merchant.id, found.wanted.search),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="payments-{found.merchant.mid}.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/dashboard/payments/{trans_id}")
async def payment(
    request: Request, trans_id: str, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    allowed = await page_viewer(request, session, runtime, Action.VIEW_PAYMENTS)
    if isinstance(allowed, Response):
        return allowed
    viewer, merchant = allowed
    found = await service.payment(session, merchant, trans_id[:32])
    if found is None:
        return replies.not_found(viewer, "payment")
    zone = service.merchant_zone(merchant)
    return replies.page(views.payment(viewer, found, zone, notice=_DONE.get(done)))


@router.post("/dashboard/payments/{trans_id}/{action}")
async def act_on_payment(
    request: Request,
    trans_id: str,
    action: str,
    fields: Fields,
    session: Session,
    runtime: AppRuntime,
) -> Response:
    allowed = await form_viewer(request, session, runtime, fields, Action.REFUND)
    if isinstance(allowed, Response):
        return allowed
    viewer, merchant = allowed
    if action not in ("capture", "void", "refund"):
        return replies.not_found(viewer)
    typed = fields.get("amount", "").strip()[:16]
    amount, error, status = None, None, 409
    if typed:
        try:
            amount = parse_dollars(typed.removeprefix("$"))
        except AmountError as problem:
            error, status = f"Amount: {problem}.", 422
    if error is None:
        # The payment is locked before anything of it is read in this transaction, so what
        # the service sees is the committed row, never an earlier read of it.
        seen = fields.get("seen", "")[:100]
        actor = replies.actor(request, viewer)
        if action == "capture":
            captured = await service.capture(
                session, runtime, actor, merchant, trans_id[:32], amount, seen
            )
            if isinstance(captured, Transaction):
                return replies.redirect(
                    f"/dashboard/payments/{quote(str(captured.id))}?done=captured"
                )
            outcome: Reversal | Refusal | service.Changed | service.Missing = captured
        else:
            outcome = await service.reverse(
                session, runtime, actor, merchant, trans_id[:32], action, amount, seen
            )
        if isinstance(outcome, Reversal):
            done = "refunded" if outcome.kind == "refund" else "voided"
            return replies.redirect(
                f"/dashboard/payments/{quote(str(outcome.original.id))}?done={done}"
            )
        if isinstance(outcome, Refusal):
            error = f"Not done: {outcome.detail} ({outcome.answer.resp_text})."
        elif isinstance(outcome, service.Changed):
            error = "Not done: this payment changed since you opened it. Check it and try again."
    found = await service.payment(session, merchant, trans_id[:32])
    if found is None:
        return replies.not_found(viewer, "payment")
    zone = service.merchant_zone(merchant)
    return replies.page(views.payment(viewer, found, zone, error=error, amount=typed), status)


@router.get("/dashboard/audit")
async def audit_log(request: Request, session: Session, runtime: AppRuntime) -> Response:
    viewer = await replies.signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    if not viewer.may(Action.VIEW_AUDIT):
        return replies.forbidden(viewer)
    # An owner reads their merchant's log; an operator reads the whole instance's.
    merchant_id = viewer.user.merchant_id
    events = await audit.events(session, merchant_id=merchant_id, limit=200)
    zone = service.merchant_zone(viewer.merchant) if viewer.merchant else filters.UTC_ZONE
    return replies.page(views.audit(viewer, list(events), zone))


@router.get("/dashboard/assets/{name}")
async def asset(request: Request, name: str) -> Response:
    return views.assets.response(request, name)
