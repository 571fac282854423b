"""What is retried, and how: stamina's exponential backoff with jitter.

Retried: timeouts, connection failures (refused, reset, closed mid-answer), 409 (the same
Idempotency-Key is still running), 429 (after Retry-After when given) and 5xx. Every retry of a
POST carries the call's one Idempotency-Key, so the server runs it at most once. Never retried:
any other 4xx, and a result "B" (an answer, reported to the caller as `retry_later`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import stamina

if TYPE_CHECKING:
    from stamina._core import _RetryContextIterator

from .errors import ConflictError, RateLimitError, ServerError


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # in all, the first included
    timeout: float = 60.0  # seconds for all attempts of one call together
    wait_initial: float = 0.25
    wait_max: float = 8.0
    wait_jitter: float = 0.5

    @classmethod
    def never(cls) -> RetryPolicy:
        return cls(attempts=1)

    def context(self) -> _RetryContextIterator:
        """stamina's attempts of one call under this policy (`for` or `async for`)."""
        return stamina.retry_context(
            on=retry_on,
            attempts=self.attempts,
            timeout=self.timeout,
            wait_initial=self.wait_initial,
            wait_max=self.wait_max,
            wait_jitter=self.wait_jitter,
        )


def retry_on(error: Exception) -> bool | float:
    """stamina's hook: whether to retry after `error`, or after how many seconds."""
    if isinstance(error, RateLimitError):
        return error.retry_after if error.retry_after is not None else True
    if isinstance(error, ConflictError | ServerError):
        return True
    return isinstance(
        error, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
    )
