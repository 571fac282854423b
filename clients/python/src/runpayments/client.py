"""The synchronous client: `RunClient(base_url, ...)` with one attribute per surface
(described once, for both clients, in `_surfaces`)."""

from __future__ import annotations

from types import TracebackType

import httpx

from ._auth import KeyState, TokenSlot
from ._engine import SyncEngine
from ._http import Hosts
from ._surfaces import Client, Sync
from .retries import RetryPolicy


class RunClient(Client[Sync, httpx.Client]):
    """A Run Payments (or Homerun) client. Thread-safe; close it, or use it as a context.

    Payments API calls need `api_key` and `refresh_token` (or a `credential_store` that
    holds them); Reporting and Boarding need their OAuth clients as (client_id, secret).
    """

    def _new_http(self, timeout: httpx.Timeout) -> httpx.Client:
        return httpx.Client(timeout=timeout)

    def _shell_of(
        self, hosts: Hosts, keys: KeyState | None, slots: dict[str, TokenSlot], retry: RetryPolicy
    ) -> Sync:
        self._engine = SyncEngine(hosts, self._http, keys, slots, retry)
        return Sync(self._engine, self)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> RunClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
