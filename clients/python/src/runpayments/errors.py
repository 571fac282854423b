"""One exception tree for request faults (ruling R6); outcomes are never exceptions.

A declined or retry-later charge is a `Transaction` value. An exception means the request
itself failed: bad credentials, a bad field, a missing resource, a conflict, the server or
the network.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx


class RunPaymentsError(Exception):
    """The base of every error this package raises."""


class APIConnectionError(RunPaymentsError):
    """The server could not be reached or the connection broke, after every retry."""


class APITimeoutError(APIConnectionError):
    """The server did not answer in time, after every retry."""


class CredentialsError(RunPaymentsError):
    """The client has no usable credential for this surface (none was given)."""


class APIError(RunPaymentsError):
    """An HTTP error answer: status, stable `code`, readable `message`, field `errors`."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.errors: dict[str, list[str]] = dict(errors or {})
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})

    def __str__(self) -> str:
        detail = f"{self.status} {self.message}"
        if self.code:
            detail += f" [{self.code}]"
        if self.errors:
            detail += " " + "; ".join(f"{k}: {', '.join(v)}" for k, v in self.errors.items())
        return detail


class InvalidRequestError(APIError):
    """400, 413, 415: a malformed body or field; `errors` names the fields."""


class AuthenticationError(APIError):
    """401: a missing, unknown, expired or revoked credential."""


class PermissionDeniedError(APIError):
    """403: the credential does not own that merchant."""


class NotFoundError(APIError):
    """404: no such resource (or not one this credential may see)."""


class ConflictError(APIError):
    """409: a request with the same Idempotency-Key is still running."""


class IdempotencyError(APIError):
    """422: the Idempotency-Key was used before with another body."""


class RateLimitError(APIError):
    """429: too many requests; `retry_after` says how long to wait, when the server says."""

    @property
    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class ServerError(APIError):
    """5xx: the server failed; retried before this is raised."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: InvalidRequestError,
    409: ConflictError,
    413: InvalidRequestError,
    415: InvalidRequestError,
    422: IdempotencyError,
    429: RateLimitError,
}


def _body_of(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return response.text


def _field_errors(body: Mapping[str, Any]) -> dict[str, list[str]]:
    errors = body.get("errors")
    if not isinstance(errors, Mapping):
        return {}
    return {
        str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()
    }


def error_from_response(response: httpx.Response) -> APIError:
    """The exception for an error answer: the R6 body, the RFC 6749 body, or no body."""
    body = _body_of(response)
    status = response.status_code
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else APIError)
    message, code, errors = response.reason_phrase or f"HTTP {status}", None, {}
    if isinstance(body, Mapping):
        # R6 puts the text in message; RFC 6749 puts its code in error, text in the description.
        message = str(body.get("message") or body.get("error_description") or body.get("error"))
        code = body.get("code") or (body.get("error") if "message" not in body else None)
        errors = _field_errors(body)
    return kind(
        message,
        status=status,
        code=str(code) if code is not None else None,
        errors=errors,
        body=body,
        headers=dict(response.headers),
    )
