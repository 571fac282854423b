"""HTTP helpers shared by every surface: JSON in and out, R6 error bodies, auth headers.

Request bodies are read and validated here rather than by FastAPI's body
parameters so that every fault has the one R6 shape and names its field.
"""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from homerun.errors import HomerunError, Unauthorized, UnsupportedMediaType, ValidationFailed

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
    challenge = getattr(exc, "challenge", "Bearer")
    headers = {"WWW-Authenticate": challenge} if exc.status_code == 401 else None
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
    return data


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
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc) from None


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """openapi_extra that documents a JSON body read by read_json."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema(mode="validation")}},
        }
    }


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
