"""The per-process memories a Runtime holds, one of each kind, made on first use.

A package that keeps a memory (auth's api_keys, oauth's clients) defines its class and asks
the runtime for its instance (`runtime.caches.of(ApiKeyCache)`), so the runtime needs to
know none of them; `forget_all` clears every one (a merchant's settings changed, or a test
wants the database asked again).
"""

from __future__ import annotations

from typing import Protocol, TypeVar, cast


class Forgettable(Protocol):
    def clear(self) -> None: ...


C = TypeVar("C", bound=Forgettable)


class ProcessCaches:
    def __init__(self) -> None:
        self._by_kind: dict[type[Forgettable], Forgettable] = {}

    def of(self, kind: type[C]) -> C:
        """This process's memory of `kind` (made, empty, when first asked for)."""
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = kind()
        return cast(C, found)

    def forget_all(self) -> None:
        for cache in self._by_kind.values():
            cache.clear()
