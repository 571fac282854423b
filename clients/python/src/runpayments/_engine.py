"""The engines: send a Call with credentials, retries and one re-authentication.

`Engine` holds what both share, the credential state and the flow of one attempt
(`_flow`); `SyncEngine` and `AsyncEngine` (`_aengine`) only wait differently.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import httpx

from ._auth import Keys, KeyState, Tokens, TokenSlot
from ._call import Call
from ._flow import Flow, Io, Lock, drive
from ._http import Hosts, content_of, request_of
from .errors import APIConnectionError, APITimeoutError, CredentialsError
from .retries import RetryPolicy

T = TypeVar("T")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class Engine(Generic[H]):
    def __init__(
        self,
        hosts: Hosts,
        http: H,
        keys: KeyState | None,
        slots: dict[str, TokenSlot],
        retry: RetryPolicy,
    ) -> None:
        self.hosts, self.retry = hosts, retry
        self.http: H = http
        self.keys = Keys(keys, self.new_lock()) if keys is not None else None
        self.tokens = {name: Tokens(slot, self.new_lock()) for name, slot in slots.items()}

    def new_lock(self) -> Lock:
        """The lock of one credential: held across its refresh."""
        raise NotImplementedError

    def attempt(self, io: Io, call: Call[Any]) -> Flow[bytes]:
        """One try of `call`; a 401 forgets the credential it used and tries once more."""
        used = yield from self._credential(io, call)
        response: httpx.Response = yield io.request(request_of(self.hosts, call, used))
        if response.status_code == 401 and call.auth != "none":
            yield io.close(response)
            yield from self._forget(io, call, used)
            call.new_idempotency_key()
            authorization = yield from self._credential(io, call)
            response = yield io.request(request_of(self.hosts, call, authorization))
        return content_of(response)

    def _credential(self, io: Io, call: Call[Any]) -> Flow[str | None]:
        if call.auth == "none":
            return call.headers.get("Authorization")
        if call.auth == "api_key":
            key = (yield from self.keys.api_key(io)) if self.keys is not None else None
            if key is None:
                raise CredentialsError("no api_key: pass api_key and refresh_token")
            return f"Bearer {key}"
        tokens = self.tokens.get(call.auth)
        if tokens is None:
            raise CredentialsError(f"no OAuth client for {call.auth}: pass {call.auth}=")
        return f"Bearer {(yield from tokens.get(io))}"

    def _forget(self, io: Io, call: Call[Any], used: str | None) -> Flow[None]:
        bare = used.removeprefix("Bearer ") if used else None
        if call.auth == "api_key" and self.keys is not None:
            yield from self.keys.refresh(io, bare)
        elif call.auth in self.tokens:
            self.tokens[call.auth].slot.forget(bare)


@contextmanager
def transport_errors() -> Iterator[None]:
    """httpx's transport faults, once retries are spent, as this client's exceptions."""
    try:
        yield
    except httpx.TimeoutException as error:
        raise APITimeoutError(str(error) or "timed out") from error
    except httpx.TransportError as error:
        raise APIConnectionError(str(error) or type(error).__name__) from error


class SyncEngine(Engine[httpx.Client]):
    def new_lock(self) -> Lock:
        return threading.Lock()

    def send(self, call: Call[T]) -> T:
        with transport_errors():
            for attempt in self.retry.context():
                with attempt:
                    content = drive(self.attempt(self, call))
        return call.parse(content)

    def request(self, request: httpx.Request) -> httpx.Response:
        return self.http.send(request)

    def close(self, response: httpx.Response) -> None:
        response.close()
