"""Passwords (argon2id), TOTP codes and recovery codes: the people package's cryptography.

Hashing a password costs tens of milliseconds of CPU and 64 MiB on purpose; callers run
it in a thread (`hash_password`, `password_matches` are async) so the event loop keeps
serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id, the library's (RFC 9106 low-memory) parameters
# Checked when the email is unknown, so that the answer takes as long as for a known one.
_DUMMY = _HASHER.hash("not a password of anyone")

PASSWORD_MIN = 12
PASSWORD_MAX = 256
RECOVERY_CODES = 10


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN:
        return f"must be at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"must be at most {PASSWORD_MAX} characters"
    return None


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_HASHER.hash, password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def password_matches(stored: str | None, password: str) -> bool:
    """False for a missing hash too, after the same work as a real check."""
    return await asyncio.to_thread(_verify, stored, password)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Homerun")


def totp_matches(secret: str, code: str, at_unix: float) -> bool:
    """The code of this 30 s step or the one before or after (clocks drift)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return False
    return pyotp.TOTP(secret).verify(code, for_time=int(at_unix), valid_window=1)


def new_recovery_codes() -> list[str]:
    """Ten codes like 'k3f9-2m7q-x8p4', each good once."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODES)
    ]


def normal_recovery_code(code: str) -> str:
    return code.strip().lower().replace(" ", "")


def new_token() -> str:
    """A session cookie, CSRF token or one-time link: 256 random bits."""
    return secrets.token_urlsafe(32)
