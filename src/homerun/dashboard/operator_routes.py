"""The operator's console: /dashboard/instance, /dashboard/clock, /dashboard/payment-tools.

Only instance users (operators) have these actions in the roles table; everyone else gets
403. The clock's advance runs jobs in transactions of its own, so its handler holds no
request transaction while it runs: it reads the user in one, and logs in another.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homerun.ach.returns import is_return
from homerun.calls import AppJobs, AppRuntime, Route, Session
from homerun.dashboard import guard, operator, operator_views, replies
from homerun.dashboard.replies import Fields, signed_in
from homerun.errors import HomerunError
from homerun.kit.clock import as_utc
from homerun.kit.money import AmountError, parse_dollars
from homerun.people.roles import Action

router = APIRouter(route_class=Route, include_in_schema=False)
_UNITS = {"hours": 3600, "days": 86400}
_MOST = {"hours": 24 * 366, "days": 366}  # a year ahead at most, in one move


def _step(amount: str, unit: str) -> tuple[timedelta | None, str | None]:
    """The advance a preview form asks for, or the problem with it."""
    if unit not in _UNITS:
        return None, "Unit: choose hours or days."
    if not amount.isdigit() or not 0 < int(amount) <= _MOST[unit]:
        return None, f"By how much: a whole number of {unit} from 1 to {_MOST[unit]}."
    return timedelta(seconds=int(amount) * _UNITS[unit]), None


@router.get("/dashboard/instance")
async def instance(request: Request, session: Session, runtime: AppRuntime) -> Response:
    viewer = await signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    if not viewer.may(Action.VIEW_INSTANCE):
        return replies.forbidden(viewer)
    return replies.page(operator_views.instance(viewer, await operator.instance(session)))


@router.get("/dashboard/clock")
async def clock(
    request: Request,
    session: Session,
    runtime: AppRuntime,
    amount: str = "",
    unit: str = "days",
) -> Response:
    viewer = await signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    if not viewer.may(Action.MOVE_CLOCK):
        return replies.forbidden(viewer)
    # The process keeps its clock in step with other processes' advances (it polls the
    # stored offset every clock_sync_seconds); reading it here would need a second
    # transaction beside the request's.
    sandbox = operator.sandbox_mode(runtime)
    now = runtime.clock.now()
    amount, unit = amount.strip()[:6], unit[:8]
    if not amount or not sandbox:
        return replies.page(operator_views.clock(viewer, now=now, sandbox=sandbox, unit=unit))
    step, problem = _step(amount, unit)
    if step is None:
        html = operator_views.clock(
            viewer, now=now, sandbox=True, amount=amount, unit=unit, error=problem
        )
        return replies.page(html, 400)
    preview = await operator.preview(session, runtime, now + step)
    return replies.page(
        operator_views.clock(
            viewer, now=now, sandbox=True, amount=amount, unit=unit, preview=preview
        )
    )


@router.post("/dashboard/clock/advance")
async def advance(request: Request, fields: Fields, runtime: AppRuntime, jobs: AppJobs) -> Response:
    async with runtime.db.transaction() as session:
        viewer = await signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    if not guard.csrf_matches(viewer.csrf, fields) or not viewer.may(Action.MOVE_CLOCK):
        return replies.forbidden(viewer)
    sandbox = operator.sandbox_mode(runtime)
    try:
        until = as_utc(datetime.fromisoformat(fields.get("until", "")[:40]))
    except ValueError:
        until = None
    if until is None:
        html = operator_views.clock(
            viewer, now=runtime.clock.now(), sandbox=sandbox, error="The form had no time."
        )
        return replies.page(html, 400)
    try:
        done = await operator.advance(runtime, jobs, replies.actor(request, viewer), until)
    except HomerunError as refused:
        error = f"Not done: {refused.message}."
        if "backwards" in refused.message:
            error = "Not done: the clock is already past that time. Preview again."
        html = operator_views.clock(viewer, now=runtime.clock.now(), sandbox=sandbox, error=error)
        return replies.page(html, refused.status_code)
    html = operator_views.clock(
        viewer,
        now=done.now,
        sandbox=True,
        result=operator.summary(done.report),
        moved=(done.started_at, done.now),
        notice="The clock moved.",
    )
    return replies.page(html)


@router.get("/dashboard/payment-tools")
async def tools(request: Request, session: Session, runtime: AppRuntime) -> Response:
    viewer = await signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    may_chargeback = viewer.may(Action.OPEN_CHARGEBACK)
    may_return = viewer.may(Action.RETURN_ACH)
    if not (may_chargeback or may_return):
        return replies.forbidden(viewer)
    return replies.page(
        operator_views.tools(viewer, may_chargeback=may_chargeback, may_return=may_return)
    )


@router.post("/dashboard/payment-tools/{tool}")
async def use_tool(
    request: Request, tool: str, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await signed_in(request, session, runtime)
    if isinstance(viewer, Response):
        return viewer
    action = {"chargeback": Action.OPEN_CHARGEBACK, "ach-return": Action.RETURN_ACH}.get(tool)
    if action is None or not guard.csrf_matches(viewer.csrf, fields) or not viewer.may(action):
        return replies.forbidden(viewer)
    mid = fields.get("mid", "").strip()[:12]
    trans_id = fields.get("trans_id", "").strip()[:20]
    actor = replies.actor(request, viewer)
    outcome: operator.Done | operator.Failed
    if action is Action.OPEN_CHARGEBACK:
        typed = fields.get("amount", "").strip()[:16]
        values = {
            "cb_mid": mid,
            "cb_trans": trans_id,
            "cb_amount": typed,
            "cb_reason": fields.get("reason_code", "").strip()[:8],
        }
        try:
            amount = parse_dollars(typed.removeprefix("$")) if typed else None
        except AmountError as problem:
            outcome = operator.Failed(f"Amount: {problem}", 422)
        else:
            outcome = await operator.open_chargeback(
                session, runtime, actor, mid, trans_id, amount, values["cb_reason"] or None
            )
    else:
        code = fields.get("return_code", "").strip().upper()[:3]
        values = {"ret_mid": mid, "ret_trans": trans_id, "ret_code": code}
        if is_return(code):
            outcome = await operator.return_ach(session, runtime, actor, mid, trans_id, code)
        else:
            outcome = operator.Failed("Return code: must be R01 to R85", 422)
    may_chargeback = viewer.may(Action.OPEN_CHARGEBACK)
    may_return = viewer.may(Action.RETURN_ACH)
    if isinstance(outcome, operator.Done):
        html = operator_views.tools(
            viewer, may_chargeback=may_chargeback, may_return=may_return, notice=outcome.text
        )
        return replies.page(html)
    html = operator_views.tools(
        viewer,
        may_chargeback=may_chargeback,
        may_return=may_return,
        values=values,
        error=f"Not done: {outcome.text}.",
    )
    return replies.page(html, outcome.status)
