"""Payments API credentials and where the caller keeps them.

A refresh token is single-use: once the server rotates it, the old one is gone. So the
client writes ahead: before it asks for a refresh it saves the Idempotency-Key it will use
(`pending_refresh`), and it saves the new pair before it uses either. If the process dies
between the server's answer and the save, the next process finds `pending_refresh`, asks
again with the same key and the old refresh token, and the server replays the same answer
(ruling R12): the new refresh token is never lost.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class ApiCredentials:
    api_key: str = field(repr=False)  # secrets stay out of logs and tracebacks
    refresh_token: str = field(repr=False)
    api_key_expires_at: int | None = None  # Unix seconds; None: unknown, refresh on a 401
    pending_refresh: str | None = None  # Idempotency-Key of a refresh not yet saved

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        if self.api_key_expires_at is None:
            return False
        return self.api_key_expires_at - seconds <= (time.time() if now is None else now)

    def with_pending_refresh(self) -> ApiCredentials:
        """These credentials, marked with the key of the refresh about to be sent."""
        return replace(self, pending_refresh=self.pending_refresh or uuid.uuid4().hex)


class CredentialStore(Protocol):
    """Where credentials live between processes. `save` must be durable when it returns."""

    def load(self) -> ApiCredentials | None: ...

    def save(self, credentials: ApiCredentials) -> None: ...


class MemoryStore:
    """Credentials in this process only (tests, short scripts)."""

    def __init__(self, credentials: ApiCredentials | None = None) -> None:
        self._credentials = credentials
        self._lock = threading.Lock()

    def load(self) -> ApiCredentials | None:
        with self._lock:
            return self._credentials

    def save(self, credentials: ApiCredentials) -> None:
        with self._lock:
            self._credentials = credentials


class FileStore:
    """Credentials in a JSON file (mode 0600), replaced atomically and fsynced on save."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> ApiCredentials | None:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        return ApiCredentials(**data)

    def save(self, credentials: ApiCredentials) -> None:
        folder = self.path.parent
        handle, temp = tempfile.mkstemp(prefix=".runpayments-", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(asdict(credentials), out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself must survive a crash too
        finally:
            os.close(directory)
