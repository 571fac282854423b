"""Runner.js and its card frame (spec §8).

- GET /javascripts/{version}/runner.js: the script merchants load (any version, `latest` too).
- GET /homerun/v1/tokenizer/frame: the iframe with the card fields, embeddable by any page;
  it trusts only the origin named in `origin` (and confirmed by the browser where it can).
- GET /homerun/v1/tokenizer/assets/{name}: the frame's own script and style.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from homerun.calls import runtime_of
from homerun.kit.pages import Assets, Templates, html_response, page_policy

router = APIRouter(tags=["Runner.js"])
templates = Templates("homerun.tokenizer")
assets = Assets("homerun.tokenizer", "/homerun/v1/tokenizer/assets")

_ORIGIN = re.compile(
    r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?$"
)
_CHANNEL = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
YEARS_AHEAD = 20
# The frame may sit in any merchant's page, and it calls only Homerun.
FRAME_POLICY = page_policy(frame_ancestors="*", connect="'self'")


@router.get(
    "/javascripts/{version}/runner.js",
    response_class=Response,
    responses={
        200: {
            "content": {"text/javascript": {"schema": {"type": "string"}}},
            "description": "Runner.js",
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    },
    summary="Runner.js, the browser tokenizer (any version string)",
)
async def runner_js(request: Request, version: str) -> Response:
    return assets.response(request, "runner.js", max_age=300)


@router.get(
    "/homerun/v1/tokenizer/frame",
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {"schema": {"type": "string"}}},
            "description": "The frame (it says so inside when it cannot serve the origin)",
        }
    },
    summary="The card-entry frame Runner.js embeds",
)
async def frame(request: Request, origin: str = "", channel: str = "") -> Response:
    runtime = runtime_of(request)
    today = runtime.clock.now()
    problem = ""
    if not _ORIGIN.match(origin):
        problem = "This card form needs the page that opens it to be served over http or https."
        origin = ""
    if not _CHANNEL.match(channel):
        problem = problem or "This card form must be opened by Runner.js."
        channel = ""
    html = templates.render(
        "frame.html",
        origin=origin,
        channel=channel,
        today=today.strftime("%Y-%m"),
        months=[(f"{n:02d}", name) for n, name in enumerate(_MONTHS, start=1)],
        years=list(range(today.year, today.year + YEARS_AHEAD + 1)),
        problem=problem,
        css_url=assets.url("frame.css"),
        js_urls=[assets.url("cards.js"), assets.url("frame.js")],
    )
    # Always 200: only the shopper sees this page, and the problem is written in it.
    return html_response(html, policy=FRAME_POLICY)


@router.get("/homerun/v1/tokenizer/assets/{name}", include_in_schema=False)
async def asset(request: Request, name: str) -> Response:
    return assets.response(request, name)
