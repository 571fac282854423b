"""The states of a session and the kinds of one-time link."""

from __future__ import annotations

from enum import StrEnum


class SessionStage(StrEnum):
    CODE_NEEDED = "code_needed"  # the password was right; the TOTP code is still to come
    SIGNED_IN = "signed_in"


class LinkPurpose(StrEnum):
    INVITE = "invite"
    RESET = "reset"
