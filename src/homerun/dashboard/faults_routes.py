"""The Sandbox faults page (/dashboard/developers/faults): the simulator's faults for the
signed-in user's merchant, seen and set through dashboard.faults (merchants' own update).

Only in sandbox mode (in live mode there is no such page: 404) and only for the roles that
may set faults, the ones that manage API credentials (403 otherwise, whatever is posted).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import faults, replies
from homerun.dashboard.access import merchant_user
from homerun.dashboard.faults import FaultsForm
from homerun.dashboard.guard import Viewer
from homerun.dashboard.operator import sandbox_mode
from homerun.dashboard.replies import Fields
from homerun.dashboard.views import _frame, templates
from homerun.merchants import service as merchants
from homerun.people.roles import Action
from homerun.runtime import Runtime

router = APIRouter(route_class=Route, include_in_schema=False)
PAGE = "/dashboard/developers/faults"
_DONE = {"saved": "Saved. The next charges meet these faults."}


async def _allowed(
    request: Request, session: Session, runtime: Runtime, fields: Fields | None
) -> Viewer | Response:
    """A user who may set faults (and sent the session's token), in sandbox mode."""
    viewer = await merchant_user(request, session, runtime, Action.SET_FAULTS, fields)
    if isinstance(viewer, Viewer) and not sandbox_mode(runtime):
        return replies.not_found(viewer)
    return viewer


def _render(viewer: Viewer, form: FaultsForm, *, notice: str | None = None) -> str:
    assert viewer.merchant is not None
    return templates.render(
        "faults.html",
        title="Sandbox faults",
        now=faults.describe(merchants.faults_of(viewer.merchant)),
        values=form.values,
        errors=form.errors,
        summary=form.summary,
        notice=notice,
        **_frame(viewer, "/dashboard/developers"),
    )


@router.get(PAGE)
async def faults_page(
    request: Request, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    viewer = await _allowed(request, session, runtime, None)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    return replies.page(
        _render(viewer, faults.of_merchant(viewer.merchant), notice=_DONE.get(done))
    )


@router.post(PAGE)
async def set_faults(
    request: Request, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await _allowed(request, session, runtime, fields)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    form = faults.read(fields)
    data = faults.update_of(form)
    if data is None:
        return replies.page(_render(viewer, form), 422)
    await faults.set_faults(session, runtime, replies.actor(request, viewer), viewer.merchant, data)
    return replies.redirect(PAGE + "?done=saved")
