"""A request described once, sent by the sync or the async engine.

A `Call` is one logical call: its Idempotency-Key is made when the call is made, so every
retry of it carries the same key and the server runs it at most once (ruling R12).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")
Auth = Literal["api_key", "reporting", "boarding", "none"]


@dataclass
class Call(Generic[T]):
    method: str
    path: str
    parse: Callable[[bytes], T]
    auth: Auth
    json: Mapping[str, Any] | None = None
    params: Mapping[str, str | int] | None = None
    form: Mapping[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        if self.method == "POST" and self.idempotency_key is None:
            self.idempotency_key = uuid.uuid4().hex

    def new_idempotency_key(self) -> None:
        """For a resend after a 401: the refused request never ran, so a new key is safe
        (and needed where a server keeps refusals under the key)."""
        if self.idempotency_key is not None:
            self.idempotency_key = uuid.uuid4().hex


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def parser(kind: type[T]) -> Callable[[bytes], T]:
    """Parse a JSON answer straight from bytes into `kind` (one adapter per type)."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    validate = adapter.validate_json

    def parse(content: bytes) -> T:
        result: T = validate(content)
        return result

    return parse
