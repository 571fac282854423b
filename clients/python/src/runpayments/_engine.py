"""The synchronous engine: send a Call with credentials, retries and one re-authentication."""

from __future__ import annotations

from typing import TypeVar

import httpx
import stamina

from ._auth import KeyState, SyncKeys, SyncTokens, TokenSlot
from ._call import Call
from ._http import Hosts, content_of, refresh_call, request_of, token_call
from .credentials import ApiCredentials
from .errors import APIConnectionError, APITimeoutError, CredentialsError
from .models import AccessToken, RefreshedKeys
from .retries import RetryPolicy, retry_on

T = TypeVar("T")


class SyncEngine:
    def __init__(
        self,
        hosts: Hosts,
        http: httpx.Client,
        keys: KeyState | None,
        slots: dict[str, TokenSlot],
        retry: RetryPolicy,
    ) -> None:
        self.hosts, self.http, self.retry = hosts, http, retry
        self.keys = SyncKeys(keys, self._refresh) if keys is not None else None
        self.tokens = {name: SyncTokens(slot, self._token) for name, slot in slots.items()}

    def send(self, call: Call[T]) -> T:
        try:
            for attempt in stamina.retry_context(
                on=retry_on,
                attempts=self.retry.attempts,
                timeout=self.retry.timeout,
                wait_initial=self.retry.wait_initial,
                wait_max=self.retry.wait_max,
                wait_jitter=self.retry.wait_jitter,
            ):
                with attempt:
                    content = self._attempt(call)
        except httpx.TimeoutException as error:
            raise APITimeoutError(str(error) or "timed out") from error
        except httpx.TransportError as error:
            raise APIConnectionError(str(error) or type(error).__name__) from error
        return call.parse(content)

    def _attempt(self, call: Call[T]) -> bytes:
        used = self._credential(call)
        response = self.http.send(request_of(self.hosts, call, used))
        if response.status_code == 401 and call.auth != "none":
            response.close()
            self._forget(call, used)
            call.new_idempotency_key()
            response = self.http.send(request_of(self.hosts, call, self._credential(call)))
        return content_of(response)

    def _credential(self, call: Call[T]) -> str | None:
        if call.auth == "none":
            return call.headers.get("Authorization")
        if call.auth == "api_key":
            key = self.keys.api_key() if self.keys is not None else None
            if key is None:
                raise CredentialsError("no api_key: pass api_key and refresh_token")
            return f"Bearer {key}"
        tokens = self.tokens.get(call.auth)
        if tokens is None:
            raise CredentialsError(f"no OAuth client for {call.auth}: pass {call.auth}=")
        return f"Bearer {tokens.get()}"

    def _forget(self, call: Call[T], used: str | None) -> None:
        bare = used.removeprefix("Bearer ") if used else None
        if call.auth == "api_key" and self.keys is not None:
            self.keys.refresh(bare)
        elif call.auth in self.tokens:
            self.tokens[call.auth].slot.forget(bare)

    def _refresh(self, creds: ApiCredentials) -> RefreshedKeys:
        return self.send(refresh_call(creds))

    def _token(self, slot: TokenSlot) -> AccessToken:
        return self.send(token_call(slot.audience, slot.client.basic()))
