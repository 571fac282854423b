"""HTTP helpers shared by every surface: JSON in and out, R6 error bodies, auth headers.

Request bodies are read and validated here (`Json[Model]`, a dependency) rather than by
FastAPI's body parameters so that every fault has the one R6 shape and names its field.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from homerun.errors import (
    HomerunError,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)

M = TypeVar("M", bound=BaseModel)


class ErrorBody(BaseModel):
    """The R6 error body every observed Run client can read."""

    error: str
    message: str
    error_description: str
    code: str
    errors: dict[str, list[str]] | None = None


def json_response(
    data: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(data),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def error_payload(exc: HomerunError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": exc.message,
        "message": exc.message,
        "error_description": exc.message,
        "code": exc.code,
    }
    if exc.errors:
        body["errors"] = exc.errors
    return body


def error_response(exc: HomerunError) -> Response:
    headers: dict[str, str] | None = None
    if exc.status_code == 401:
        headers = {"WWW-Authenticate": getattr(exc, "challenge", "Bearer")}
    elif isinstance(exc, ServiceUnavailable):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    return json_response(error_payload(exc), exc.status_code, headers)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Malformed request or field"),
        (401, "Missing, unknown or expired credential"),
        (403, "The credential does not own that merchant"),
        (404, "No such resource"),
        (409, "Idempotent request still running"),
        (413, "Body larger than the limit"),
        (415, "Body is not JSON"),
        (422, "Idempotency-Key reused with another body"),
        (503, "Database out of reach or process too busy: nothing was done, retry later"),
    )
}


def _field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _message(error: dict[str, Any]) -> str:
    text = str(error.get("msg", "is invalid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    if error.get("type") == "missing":
        return "is required"
    return text


def validation_failed(exc: ValidationError) -> ValidationFailed:
    """A pydantic error as an R6 body; inputs are never echoed (they may hold a PAN)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors(include_input=False, include_url=False):
        errors.setdefault(_field_name(tuple(error["loc"])), []).append(_message(dict(error)))
    summary = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in errors.items())
    return ValidationFailed(summary, errors)


NUL_PROBLEM = "must not contain the NUL character"
# Deeper JSON than any Homerun body needs; deeper still would overflow the recursion of
# the code that walks it (validation, the JSON column's encoder).
MAX_JSON_DEPTH = 32


def field_with_nul(pairs: Iterable[tuple[str, str]], whole: str) -> str | None:
    """The first field of a form or query whose value holds NUL (PostgreSQL refuses it
    in text, so it is refused here, before anything reaches the database); `whole` when
    a field's name holds one."""
    for name, value in pairs:
        if "\x00" in name:
            return whole
        if "\x00" in value:
            return name
    return None


def refuse_nul(pairs: Iterable[tuple[str, str]], whole: str) -> None:
    """ValidationFailed naming the field of `pairs` that holds NUL, if any."""
    field = field_with_nul(pairs, whole)
    if field is not None:
        raise ValidationFailed.field(field, NUL_PROBLEM)


def parse_json_bytes(raw: bytes) -> Any:
    if not raw.strip():
        raise ValidationFailed(
            "the request body is empty; send a JSON object", {"body": ["is required"]}
        )
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ValidationFailed(
            "the request body is not valid JSON", {"body": ["is not valid JSON"]}
        ) from None
    if b"\\u0000" in raw:  # cheap test first; JSON can only carry NUL escaped
        _refuse_nul(data, ())
    # Cheap test first: a value cannot be nested deeper than the brackets that open.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH:
        _refuse_depth(data)
    return data


def _refuse_depth(data: Any) -> None:
    """Name the top-level field whose value is nested more than MAX_JSON_DEPTH deep."""
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data if isinstance(data, list) else ())
    )
    for key, value in items:
        if _deeper_than(value, MAX_JSON_DEPTH):
            raise ValidationFailed.field(
                str(key), f"is nested more than {MAX_JSON_DEPTH} levels deep"
            )


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` holds more than `limit` levels of lists and objects, walked level
    by level (no recursion: a hostile body must not overflow the stack that checks it)."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
    return False


def _refuse_nul(value: Any, loc: tuple[int | str, ...]) -> None:
    """No stored text may hold NUL (PostgreSQL refuses it); say which field has one."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationFailed.field(_field_name(loc), "must not contain the NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                raise ValidationFailed.field(_field_name(loc), "must not contain the NUL character")
            _refuse_nul(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nul(item, (*loc, index))


def check_json_content_type(request: Request) -> None:
    content_type = request.headers.get("content-type")
    if content_type is None:
        return  # tolerated: many clients omit it
    media = content_type.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType("Content-Type must be application/json")


async def read_json(request: Request, model: type[M]) -> M:
    check_json_content_type(request)
    data = parse_json_bytes(await request.body())
    if not isinstance(data, dict):
        raise ValidationFailed(
            "the request body must be a JSON object", {"body": ["must be a JSON object"]}
        )
    try:
        body = model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc) from None
    _check_mid_header(request, body)
    return body


def _check_mid_header(request: Request, body: BaseModel) -> None:
    """R2: a `mid` header is ignored unless it disagrees with the body's mid."""
    header_mid = request.headers.get("mid")
    body_mid = getattr(body, "mid", None)
    if header_mid and body_mid and header_mid.strip() != body_mid:
        raise ValidationFailed.field("mid", "the mid header disagrees with the body's mid")


# The attribute by which a body dependency carries its OpenAPI requestBody.
JSON_BODY_DOC = "__homerun_json_body__"


@functools.cache
def json_body(model: type[M], required: bool = True) -> Callable[[Request], Awaitable[M]]:
    """A FastAPI dependency that reads a JSON body of `model` (the same one per model, so
    that a request reads it once). Not `required`: an empty body is `model()`.

    FastAPI's own body parameters would answer faults with its 422; this keeps R6.
    """

    async def read(request: Request) -> M:
        if not required and not (await request.body()).strip():
            return model()
        return await read_json(request, model)

    schema = model.model_json_schema(mode="validation")
    doc = {"required": required, "content": {"application/json": {"schema": schema}}}
    setattr(read, JSON_BODY_DOC, doc)
    return read


if TYPE_CHECKING:
    # To a type checker, Json[Model] is Model.
    Json = Annotated[M, "JSON body"]
    OptionalJson = Annotated[M, "JSON body, may be empty"]
else:

    class Json:
        """`body: Json[Model]`: the request's JSON body, validated (see json_body)."""

        def __class_getitem__(cls, model: type[BaseModel]) -> Any:
            return Annotated[model, Depends(json_body(model))]

    class OptionalJson:
        """`body: OptionalJson[Model]`: as Json, and an empty body is `Model()`."""

        def __class_getitem__(cls, model: type[BaseModel]) -> Any:
            return Annotated[model, Depends(json_body(model, required=False))]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def require_bearer(request: Request) -> str:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("Authorization: Bearer <key> is required")
    return token
