"""Authenticated encryption (AES-256-GCM) and the master-key ring.

Two layers, as in any envelope scheme:
- a *data key* (one per merchant, one for the instance's own secrets) encrypts the data;
- a *master key* (from settings) only wraps data keys. Rotating the master key re-wraps
  the few data-key rows and never touches the data they encrypt.

Each ciphertext starts with a one-byte format version. A wrapped data key records the
id of the master key that wrapped it, so that old and new master keys can both be in
service while a rotation runs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"
_NONCE_BYTES = 12
_KEY_ID_LABEL = b"homerun master key id"


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def decode_key(text: str) -> bytes:
    key = base64.urlsafe_b64decode(text.strip().encode())
    if len(key) != 32:
        raise ValueError("a Homerun key must be 32 bytes, base64-encoded")
    return key


def key_id(key: bytes) -> str:
    """A short public name of a key (HMAC of a label): tells keys apart, reveals nothing."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def _seal_bytes(aead: AESGCM, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return _VERSION + nonce + aead.encrypt(nonce, plaintext, context)


def _open_bytes(aead: AESGCM, sealed: bytes, context: bytes) -> bytes:
    if sealed[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    nonce = sealed[1 : 1 + _NONCE_BYTES]
    return aead.decrypt(nonce, sealed[1 + _NONCE_BYTES :], context)


class Sealer:
    """Seals and opens small secrets under one 256-bit key.

    `fallback` keys only open (tried in turn when the main key does not): values
    sealed under an earlier key stay readable.
    """

    def __init__(self, key: bytes, fallback: Iterable[bytes] = ()) -> None:
        self._aead = AESGCM(key)
        self._fallback = [AESGCM(k) for k in fallback if k != key]

    def seal(self, plaintext: str, context: bytes = b"") -> bytes:
        return _seal_bytes(self._aead, plaintext.encode(), context)

    def open(self, sealed: bytes, context: bytes = b"") -> str:
        try:
            return _open_bytes(self._aead, sealed, context).decode()
        except InvalidTag:
            for aead in self._fallback:
                try:
                    return _open_bytes(aead, sealed, context).decode()
                except InvalidTag:
                    continue
            raise


class UnknownMasterKey(LookupError):
    """A data key was wrapped by a master key this process was not given."""


class MasterKeyring:
    """The current master key (wraps) plus earlier ones (unwrap only, during a rotation)."""

    def __init__(self, current: bytes, previous: Iterable[bytes] = ()) -> None:
        self.current_id = key_id(current)
        self._keys = {self.current_id: AESGCM(current)}
        for key in previous:
            self._keys.setdefault(key_id(key), AESGCM(key))

    @property
    def ids(self) -> list[str]:
        return list(self._keys)

    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        """(id of the master key used, the wrapped data key)."""
        return self.current_id, _seal_bytes(self._keys[self.current_id], data_key, context)

    def unwrap(self, master_key_id: str, wrapped: bytes, context: bytes) -> bytes:
        aead = self._keys.get(master_key_id)
        if aead is None:
            raise UnknownMasterKey(
                f"data key wrapped by master key {master_key_id}, which this process was not "
                "given (HOMERUN_MASTER_KEY / HOMERUN_PREVIOUS_MASTER_KEYS)"
            )
        return _open_bytes(aead, wrapped, context)


class DataCipher:
    """Encrypts and decrypts under one data key (card numbers)."""

    def __init__(self, data_key: bytes) -> None:
        self._aead = AESGCM(data_key)

    def encrypt(self, plaintext: str, context: bytes) -> bytes:
        return _seal_bytes(self._aead, plaintext.encode(), context)

    def decrypt(self, sealed: bytes, context: bytes) -> str:
        return _open_bytes(self._aead, sealed, context).decode()


@dataclass
class DataKeyCache:
    """Unwrapped data keys a process holds: by row id, and the current one per scope."""

    by_id: dict[int, DataCipher] = field(default_factory=dict)
    current: dict[str, tuple[int, DataCipher]] = field(default_factory=dict)
