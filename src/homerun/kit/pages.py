"""Server-rendered pages and the static files they use, served by Homerun itself.

Templates are Jinja2 with autoescaping always on. Static files are read once
from a package's `static/` folder and answered with an ETag. Every page carries
a Content-Security-Policy that allows only Homerun's own scripts and styles.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import Response

from homerun.errors import NotFound

_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
}


class Templates:
    """The Jinja2 templates of one package (its `templates/` folder)."""

    def __init__(self, package: str) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader(package, "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str

    @cached_property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'

    @property
    def version(self) -> str:
        return self.etag.strip('"')[:12]


class Assets:
    """The files of one package's `static/` folder, served under `prefix`."""

    def __init__(self, package: str, prefix: str) -> None:
        self.package = package
        self.prefix = prefix.rstrip("/")
        self._cache: dict[str, Asset] = {}

    def get(self, name: str) -> Asset:
        asset = self._cache.get(name)
        if asset is not None:
            return asset
        if "/" in name or "\\" in name or name.startswith("."):
            raise NotFound("no such file")
        file = resources.files(self.package).joinpath("static", name)
        if not file.is_file():
            raise NotFound("no such file")
        suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
        media_type = _TYPES.get(suffix) or (
            mimetypes.guess_type(name)[0] or "application/octet-stream"
        )
        asset = Asset(file.read_bytes(), media_type)
        self._cache[name] = asset
        return asset

    def url(self, name: str) -> str:
        """The file's path with a content version, so it can be cached for long."""
        return f"{self.prefix}/{name}?v={self.get(name).version}"

    def response(self, request: Request, name: str, *, max_age: int = 3600) -> Response:
        asset = self.get(name)
        headers = {
            "ETag": asset.etag,
            "Cache-Control": f"public, max-age={max_age}",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "Access-Control-Allow-Origin": "*",
        }
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)


def page_policy(
    *, frame_ancestors: str = "'none'", connect: str = "'none'", frames: str | None = None
) -> str:
    """A CSP for Homerun's pages: its own scripts, styles and form targets, nothing else.

    `frames` is what the page may embed (`frame-src`); without it, nothing (default-src).
    """
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {connect}",
            *((f"frame-src {frames}",) if frames else ()),
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def html_response(html: str, status_code: int = 200, *, policy: str | None = None) -> Response:
    headers = {
        "Content-Security-Policy": policy or page_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return Response(
        html, status_code=status_code, media_type="text/html; charset=utf-8", headers=headers
    )
