"""What every dashboard handler answers with: a page, a redirect, a refusal (403, 404), who
acted (for the audit log), and the signed-in viewer or the way to sign in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit.service import Actor
from homerun.dashboard import guard, views
from homerun.dashboard.guard import Viewer
from homerun.kit.pages import html_response
from homerun.runtime import Runtime

# A posted form's fields (size-limited, url-encoded), for a handler's signature.
Fields = Annotated[dict[str, str], Depends(guard.form_fields)]


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def page(html: str, status: int = 200) -> Response:
    return html_response(html, status)


def forbidden(viewer: Viewer | None) -> Response:
    return page(
        views.message(
            viewer, "You cannot do that", "Your role does not allow this. Ask your account owner."
        ),
        403,
    )


def not_found(viewer: Viewer | None, what: str = "page") -> Response:
    return page(views.message(viewer, "Not found", f"There is no such {what} here."), 404)


def actor(request: Request, viewer: Viewer) -> Actor:
    return Actor(viewer.user.email, viewer.user.id, guard.client_ip(request))


async def signed_in(request: Request, session: AsyncSession, runtime: Runtime) -> Viewer | Response:
    viewer = await guard.viewer(request, session, runtime)
    if viewer is None:
        return redirect("/dashboard/sign-in")
    return viewer
