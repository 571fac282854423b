"""The exception tree for request-level faults (ruling R6).

Declines and other transaction outcomes are results, never exceptions; these
are for requests Homerun refuses to act on. Each subclass carries its HTTP
status and a stable machine code; one handler in app.py renders them all.
"""

from __future__ import annotations


class HomerunError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


class ValidationFailed(HomerunError):
    status_code = 400
    code = "invalid_request"

    @classmethod
    def field(cls, name: str, problem: str) -> ValidationFailed:
        return cls(f"{name}: {problem}", {name: [problem]})


class Unauthorized(HomerunError):
    status_code = 401
    code = "unauthorized"
    # The WWW-Authenticate challenge sent with the 401 (RFC 6750 §3 for bearer tokens).
    challenge = "Bearer"


class InvalidToken(Unauthorized):
    """RFC 6750 invalid_token: a bearer access token that is malformed, expired or revoked."""

    code = "invalid_token"

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.challenge = (
            f'Bearer realm="homerun", error="invalid_token", error_description="{description}"'
        )


class KeyNotFound(Unauthorized):
    code = "key_not_found"

    def __init__(self) -> None:
        super().__init__("Key not found")


class Forbidden(HomerunError):
    status_code = 403
    code = "forbidden"


class NotFound(HomerunError):
    status_code = 404
    code = "not_found"


class Conflict(HomerunError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(HomerunError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(HomerunError):
    status_code = 415
    code = "unsupported_media_type"


class Unprocessable(HomerunError):
    status_code = 422
    code = "unprocessable"


class ServiceUnavailable(HomerunError):
    """Nothing was done and the same request may succeed later: the database is out of
    reach or too slow, or the process is too busy to take it. Sent with Retry-After."""

    status_code = 503
    code = "service_unavailable"

    def __init__(self, message: str, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
