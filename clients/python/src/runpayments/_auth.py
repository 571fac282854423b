"""Credential state shared by the engines: the api_key pair and the OAuth token caches.

One refresh at a time: a threading.Lock (sync) or an asyncio.Lock (async) is held for the
whole refresh, and a caller that waited for it finds the key already replaced and uses the
new one instead of refreshing again. Refreshing is a flow (`_flow`) that either engine drives.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from ._flow import Flow, Io, Lock
from ._http import refresh_call, token_call
from .credentials import ApiCredentials, CredentialStore
from .models import AccessToken, RefreshedKeys

REFRESH_MARGIN = 300.0  # seconds before api_key expiry at which it is refreshed
TOKEN_MARGIN = 60.0  # seconds before an OAuth token's expiry at which a new one is asked


class KeyState:
    """The current api_key pair, read from the store first (it may be newer than the
    constructor's), and how to take a refresh answer in (store first, then use)."""

    def __init__(self, store: CredentialStore, initial: ApiCredentials | None) -> None:
        self.store = store
        loaded = store.load()
        if loaded is None and initial is not None:
            store.save(initial)
            loaded = initial
        self.current = loaded

    def needs_refresh(self, creds: ApiCredentials) -> bool:
        return creds.pending_refresh is not None or creds.expires_within(REFRESH_MARGIN)

    def current_needs_refresh(self) -> bool:
        return self.current is not None and self.needs_refresh(self.current)

    def stale(self, used: str | None) -> bool:
        """Whether the key a refused request used is still the current one."""
        return self.current is not None and (used is None or self.current.api_key == used)

    def reload(self) -> bool:
        """Take a newer pair another process saved (it spent the refresh token we hold)."""
        loaded = self.store.load()
        if loaded is None or self.current is None or loaded == self.current:
            return False
        if loaded.refresh_token == self.current.refresh_token:
            return False
        self.current = loaded
        return True

    def begin(self) -> ApiCredentials:
        """Write ahead the Idempotency-Key of the refresh about to be sent."""
        assert self.current is not None
        marked = self.current.with_pending_refresh()
        if marked != self.current:
            self.store.save(marked)
            self.current = marked
        return marked

    def adopt(self, answer: RefreshedKeys) -> ApiCredentials:
        fresh = ApiCredentials(answer.api_key, answer.refresh_token, answer.api_key_expires_at)
        self.store.save(fresh)  # durable before the new pair is used anywhere
        self.current = fresh
        return fresh


class Keys:
    """The api_key of every call, refreshed under `lock` (one refresh at a time)."""

    def __init__(self, state: KeyState, lock: Lock) -> None:
        self.state, self._lock = state, lock

    def api_key(self, io: Io) -> Flow[str | None]:
        creds = self.state.current
        if creds is not None and self.state.needs_refresh(creds):
            creds = yield from self.refresh(io, creds.api_key)
        return creds.api_key if creds is not None else None

    def refresh(self, io: Io, used: str | None) -> Flow[ApiCredentials | None]:
        yield self._lock.acquire()
        try:
            if self.state.reload() and not self.state.current_needs_refresh():
                return self.state.current
            if self.state.stale(used) or self.state.current_needs_refresh():
                answer: RefreshedKeys = yield io.send(refresh_call(self.state.begin()))
                return self.state.adopt(answer)
            return self.state.current
        finally:
            self._lock.release()


@dataclass(frozen=True)
class ClientCredentials:
    """An OAuth 2.0 client (RFC 6749 §4.4) for Reporting or Boarding."""

    client_id: str
    client_secret: str = field(repr=False)

    def basic(self) -> str:
        # RFC 6749 §2.3.1: form-urlencode id and secret before base64.
        pair = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
        return "Basic " + base64.b64encode(pair.encode()).decode()


class TokenSlot:
    """One cached access token, good until TOKEN_MARGIN seconds before expires_in runs out."""

    def __init__(self, client: ClientCredentials, audience: str) -> None:
        self.client, self.audience = client, audience
        self.token: str | None = None
        self.good_until = 0.0

    def valid(self) -> str | None:
        return self.token if self.token and time.monotonic() < self.good_until else None

    def keep(self, answer: AccessToken, asked_at: float) -> str:
        self.token = answer.access_token
        self.good_until = asked_at + max(answer.expires_in - TOKEN_MARGIN, 0)
        return answer.access_token

    def forget(self, used: str | None) -> None:
        if used is None or used == self.token:
            self.token = None


class Tokens:
    """A slot's access token, asked for under `lock` (one request at a time)."""

    def __init__(self, slot: TokenSlot, lock: Lock) -> None:
        self.slot, self._lock = slot, lock

    def get(self, io: Io) -> Flow[str]:
        yield self._lock.acquire()
        try:
            token = self.slot.valid()
            if token is None:
                asked_at = time.monotonic()
                answer: AccessToken = yield io.send(
                    token_call(self.slot.audience, self.slot.client.basic())
                )
                token = self.slot.keep(answer, asked_at)
            return token
        finally:
            self._lock.release()
