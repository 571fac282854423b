"""The constructor arguments both clients take, turned into hosts and credential state."""

from __future__ import annotations

from typing import TypeAlias

from ._auth import ClientCredentials, KeyState, TokenSlot
from ._http import Hosts
from .credentials import ApiCredentials, CredentialStore, MemoryStore

RUN_PAYMENTS_URL = "https://javelin.runpayments.io"
RUN_ORDS_URL = "https://apps.runpayments.io"

OAuthClient: TypeAlias = ClientCredentials | tuple[str, str]


def hosts_of(base_url: str, ords_url: str | None) -> Hosts:
    if ords_url is None:
        # Homerun serves every surface on one host; Run serves ORDS on its own.
        ords_url = RUN_ORDS_URL if base_url.rstrip("/") == RUN_PAYMENTS_URL else base_url
    return Hosts(base_url, ords_url)


def key_state_of(
    api_key: str | None,
    refresh_token: str | None,
    api_key_expires_at: int | None,
    store: CredentialStore | None,
) -> KeyState | None:
    initial = None
    if api_key is not None or refresh_token is not None:
        if api_key is None or refresh_token is None:
            raise ValueError("api_key and refresh_token go together")
        initial = ApiCredentials(api_key, refresh_token, api_key_expires_at)
    if initial is None and store is None:
        return None
    return KeyState(store if store is not None else MemoryStore(), initial)


def slots_of(reporting: OAuthClient | None, boarding: OAuthClient | None) -> dict[str, TokenSlot]:
    slots = {}
    for audience, client in (("reporting", reporting), ("boarding", boarding)):
        if client is not None:
            made = client if isinstance(client, ClientCredentials) else ClientCredentials(*client)
            slots[audience] = TokenSlot(made, audience)
    return slots
