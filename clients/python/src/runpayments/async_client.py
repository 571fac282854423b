"""The asynchronous client: `AsyncRunClient`, the same surfaces and models as `RunClient`
(described once, for both clients, in `_surfaces`)."""

from __future__ import annotations

from types import TracebackType

import httpx

from ._aengine import AsyncEngine
from ._auth import KeyState, TokenSlot
from ._http import Hosts
from ._surfaces import Async, Client
from .retries import RetryPolicy


class AsyncRunClient(Client[Async, httpx.AsyncClient]):
    """A Run Payments (or Homerun) client for asyncio. Task-safe; `await aclose()` it, or use
    it as an async context.

    Payments API calls need `api_key` and `refresh_token` (or a `credential_store` that
    holds them); Reporting and Boarding need their OAuth clients as (client_id, secret).
    """

    def _new_http(self, timeout: httpx.Timeout) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=timeout)

    def _shell_of(
        self, hosts: Hosts, keys: KeyState | None, slots: dict[str, TokenSlot], retry: RetryPolicy
    ) -> Async:
        self._engine = AsyncEngine(hosts, self._http, keys, slots, retry)
        return Async(self._engine, self)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncRunClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()
