"""The Payment links pages: thin handlers over dashboard.links (which calls hpp's own
service functions, the ones behind the API).

Every merchant user sees the links; creating, editing, disabling and enabling are for the
roles that may manage them (403 otherwise, whatever is posted). Another merchant's link is
not found (404). A refused form comes back with hpp's errors on the fields they name (422)
and nothing changed.
"""

from __future__ import annotations

from collections.abc import Awaitable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.calls import AppRuntime, Route, Session
from homerun.dashboard import links, links_form, links_views, once, replies, service, views
from homerun.dashboard.access import merchant_user
from homerun.dashboard.guard import Viewer
from homerun.dashboard.once import new_form_key
from homerun.dashboard.replies import Fields
from homerun.errors import ValidationFailed
from homerun.hpp import service as hpp
from homerun.hpp.models import HostedPage
from homerun.hpp.schemas import HppCreate, HppEdit, HppFields, normalize_client_id
from homerun.hpp.state import PageStatus
from homerun.people.roles import Action
from homerun.runtime import Runtime

router = APIRouter(route_class=Route, include_in_schema=False)
HERE = links_views.HERE
_DONE = {
    "created": "The link is made. Send its URL to the payer.",
    "saved": "The link is saved. Its URL stays the same.",
    "disabled": "The link is off: the payer is told it is no longer active.",
    "enabled": "The link is on again: it takes payments.",
}
_MOST_OFFSET = 10**9


def _url(runtime: Runtime, page: HostedPage) -> str:
    return hpp.page_url(runtime.settings, page.client_id)


@router.get(HERE)
async def link_list(
    request: Request,
    session: Session,
    runtime: AppRuntime,
    status: str = "",
    offset: str = "0",
    done: str = "",
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.VIEW_PAYMENT_LINKS)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    bad_offset = not offset.isdigit() or int(offset) > _MOST_OFFSET
    if status not in ("", "active", "disabled") or bad_offset:
        text = "This page link is not valid. Start over from Payment links."
        return replies.page(views.message(viewer, "Not a page", text), 400)
    found = await links.listing(
        session, viewer.merchant, PageStatus(status) if status else None, int(offset)
    )
    urls = {p.client_id: _url(runtime, p) for p in found.rows}
    zone = service.merchant_zone(viewer.merchant)
    html = links_views.listing(viewer, found, urls, zone, status=status, notice=_DONE.get(done))
    return replies.page(html)


@router.get(HERE + "/new")
async def new_link(request: Request, session: Session, runtime: AppRuntime) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_PAYMENT_LINKS)
    if isinstance(viewer, Response):
        return viewer
    return replies.page(links_views.new_link(viewer, links_form.blank(), new_form_key()))


def _form_again(viewer: Viewer, form: links_form.LinkForm, status: int = 422) -> Response:
    """The new-link form once more, with its problems, what was typed, and a new key."""
    return replies.page(links_views.new_link(viewer, form, new_form_key()), status)


async def _link_form(
    request: Request, runtime: Runtime, fields: dict[str, str]
) -> tuple[Viewer, str, links_form.LinkForm, HppCreate] | Response:
    """Who posts, and their form: its key, what was typed, and the body hpp is asked."""
    async with runtime.db.transaction() as session:
        viewer = await merchant_user(request, session, runtime, Action.MANAGE_PAYMENT_LINKS, fields)
    if isinstance(viewer, Response):
        return viewer
    merchant = viewer.merchant
    assert merchant is not None
    form = links_form.read(fields)
    key = once.posted_key(fields)
    if key is None:
        form.problem = once.EXPIRED
        return _form_again(viewer, form)
    body = links_form.body(HppCreate, form, [], cc_mid=merchant.mid)
    if body is None:
        return _form_again(viewer, form)
    return viewer, key, form, body


@router.post(HERE)
async def create_link(request: Request, fields: Fields, runtime: AppRuntime) -> Response:
    """Its steps each in a unit of work of their own, never one inside another (who posts,
    the key's claim, the link with its kept answer), as the terminal's charge."""
    checked = await _link_form(request, runtime, fields)
    if isinstance(checked, Response):
        return checked
    viewer, key, form, body = checked
    actor, merchant = replies.actor(request, viewer), viewer.merchant
    assert merchant is not None

    async def make(session: AsyncSession) -> once.Made[HostedPage] | links_form.LinkForm:
        made = await _refused_on(form, body, links.create(session, runtime, actor, merchant, body))
        if made is None:
            return form
        return once.Made(once.Done(f"{HERE}/{made.client_id}?done=created"), made)

    posted = await once.post(runtime, viewer.user.id, key, HERE, await request.body(), make)
    if isinstance(posted, once.Done):
        return replies.redirect(posted.location)
    if isinstance(posted, once.Busy | once.Reused):
        form.problem = once.conflict(posted, "link", "Payment links")
        return _form_again(viewer, form, 409)
    return _form_again(viewer, posted)


async def _refused_on(
    form: links_form.LinkForm, body: HppFields, change: Awaitable[HostedPage | None]
) -> HostedPage | None:
    """The change's page; None with hpp's refusal put on the form's fields."""
    try:
        return await change
    except ValidationFailed as refused:
        links_form.take_errors(form, refused, body.stored_options() or [])
        return None


async def _show(
    session: Session,
    runtime: Runtime,
    viewer: Viewer,
    client_id: str,
    *,
    form: links_form.LinkForm | None = None,
    notice: str | None = None,
) -> Response:
    assert viewer.merchant is not None
    found = await links.link(session, viewer.merchant, client_id)
    if found is None:
        return replies.not_found(viewer, "payment link")
    page, paid = found
    zone = service.merchant_zone(viewer.merchant)
    shown = form or links_form.of_page(page)
    html = links_views.link(viewer, page, paid, _url(runtime, page), zone, shown, notice=notice)
    return replies.page(html, 422 if form is not None else 200)


@router.get(HERE + "/{client_id}")
async def link_page(
    request: Request, client_id: str, session: Session, runtime: AppRuntime, done: str = ""
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.VIEW_PAYMENT_LINKS)
    if isinstance(viewer, Response):
        return viewer
    return await _show(session, runtime, viewer, client_id, notice=_DONE.get(done))


def _client_id(text: str) -> str | None:
    return normalize_client_id(text[:40])


@router.post(HERE + "/{client_id}")
async def edit_link(
    request: Request, client_id: str, fields: Fields, session: Session, runtime: AppRuntime
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_PAYMENT_LINKS, fields)
    if isinstance(viewer, Response):
        return viewer
    merchant = viewer.merchant
    assert merchant is not None
    canonical = _client_id(client_id)
    found = await links.link(session, merchant, canonical) if canonical else None
    if canonical is None or found is None:
        return replies.not_found(viewer, "payment link")
    form = links_form.read(fields)
    body = links_form.body(HppEdit, form, found[0].options)
    if body is not None:
        actor = replies.actor(request, viewer)
        change = links.edit(session, runtime, actor, merchant, canonical, body)
        if await _refused_on(form, body, change) is not None:
            return replies.redirect(f"{HERE}/{canonical}?done=saved")
    return await _show(session, runtime, viewer, canonical, form=form)


@router.post(HERE + "/{client_id}/{action}")
async def switch_link(
    request: Request,
    client_id: str,
    action: str,
    fields: Fields,
    session: Session,
    runtime: AppRuntime,
) -> Response:
    viewer = await merchant_user(request, session, runtime, Action.MANAGE_PAYMENT_LINKS, fields)
    if isinstance(viewer, Response):
        return viewer
    assert viewer.merchant is not None
    canonical = _client_id(client_id)
    if canonical is None or action not in ("disable", "enable"):
        return replies.not_found(viewer, "payment link")
    active = action == "enable"
    switched = await links.switch(
        session, runtime, replies.actor(request, viewer), viewer.merchant, canonical, active=active
    )
    if switched is None:
        return replies.not_found(viewer, "payment link")
    back = HERE if fields.get("back") == "list" else f"{HERE}/{canonical}"
    return replies.redirect(f"{back}?done={'enabled' if active else 'disabled'}")
