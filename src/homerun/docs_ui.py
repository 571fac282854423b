"""The OpenAPI document as the wire really is, and Swagger UI at /docs served offline.

FastAPI's default page loads Swagger UI from a CDN; here the JS, CSS and icon come
from the swagger-ui-bundle-v2 package (Swagger UI 5, which reads OpenAPI 3.1) under
/docs/assets. There is no ReDoc page: it would need a CDN too.

Two corrections make FastAPI's generated document tell the truth about this app:
- a request schema documented with kit.web.json_body (a `Json[Model]` body) carries
  pydantic's `$defs` (nested models); a `#/$defs/...` reference does not resolve from the
  document root, so the definitions are written in place;
- FastAPI documents a 422 HTTPValidationError for parameter faults, but the app
  answers those with a 400 R6 ErrorBody (app.py); the document says so instead.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from homerun.kit.web import ErrorBody

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
_DEFS = "#/$defs/"
_COMPONENTS = "#/components/schemas/"
_FASTAPI_422 = _COMPONENTS + "HTTPValidationError"


def install_docs(app: FastAPI) -> None:
    """Serve /docs and its assets, and correct the document (create the app with
    docs_url=None and redoc_url=None)."""
    app.mount(ASSETS_PATH, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()  # FastAPI caches it; the corrections are idempotent
        correct_openapi(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]

    # A function of the module, not a closure over `app`: FastAPI remembers every endpoint
    # it has inspected (an unbounded cache), so a closure would keep its app alive for
    # the life of the process, and every app the test suite builds with it.
    app.add_api_route(DOCS_PATH, swagger_ui, methods=["GET"], include_in_schema=False)


async def swagger_ui(request: Request) -> HTMLResponse:
    app = request.app
    root = str(request.scope.get("root_path", "")).rstrip("/")
    assets = root + ASSETS_PATH
    return get_swagger_ui_html(
        openapi_url=root + (app.openapi_url or "/openapi.json"),
        title=f"{app.title} API",
        swagger_js_url=f"{assets}/swagger-ui-bundle.js",
        swagger_css_url=f"{assets}/swagger-ui.css",
        swagger_favicon_url=f"{assets}/favicon-32x32.png",
        # No online spec validator badge: nothing on the page may leave this host.
        swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True},
    )


def correct_openapi(document: dict[str, Any]) -> None:
    components: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict):
                body = operation.get("requestBody")
                if body is not None:
                    operation["requestBody"] = _inline_definitions(body)
                _document_validation_as_400(operation, components)
    if not _mentions(document.get("paths", {}), _FASTAPI_422):
        components.pop("HTTPValidationError", None)
        if not _mentions(components, _COMPONENTS + "ValidationError"):
            components.pop("ValidationError", None)


def _inline_definitions(node: Any, definitions: dict[str, Any] | None = None) -> Any:
    """A copy of `node` with every `#/$defs/...` reference replaced by its definition."""
    if isinstance(node, list):
        return [_inline_definitions(value, definitions) for value in node]
    if not isinstance(node, dict):
        return node
    if "$defs" in node:
        definitions = {**(definitions or {}), **node["$defs"]}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS) and definitions is not None:
        name = ref.removeprefix(_DEFS)
        inner = {k: v for k, v in definitions.items() if k != name}  # a cycle fails loudly
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return {**_inline_definitions(definitions[name], inner), **siblings}
    return {k: _inline_definitions(v, definitions) for k, v in node.items() if k != "$defs"}


def _document_validation_as_400(operation: dict[str, Any], components: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.get("responses", {})
    if not _mentions(responses.get("422", {}), _FASTAPI_422):
        return
    del responses["422"]
    components.setdefault("ErrorBody", ErrorBody.model_json_schema(mode="serialization"))
    responses.setdefault(
        "400",
        {
            "description": "Malformed request or field",
            "content": {"application/json": {"schema": {"$ref": _COMPONENTS + "ErrorBody"}}},
        },
    )


def _mentions(node: Any, ref: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == ref or any(_mentions(v, ref) for v in node.values())
    if isinstance(node, list):
        return any(_mentions(v, ref) for v in node)
    return False
