"""What the request in progress has learnt about itself, for its log line.

The request middleware opens a note per request; the request plumbing adds to it as
the facts become known (the merchant once its credential is checked, the trans_id once
a charge is written). Outside a request (the worker, the CLI) noting does nothing.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(slots=True)
class RequestNote:
    request_id: str
    mid: str | None = None
    trans_id: str | None = None


_current: ContextVar[RequestNote | None] = ContextVar("homerun_request_note", default=None)


def open_note(request_id: str) -> tuple[RequestNote, Token[RequestNote | None]]:
    """A new note for the current request, and the token that closes it."""
    note = RequestNote(request_id)
    return note, _current.set(note)


def close_note(token: Token[RequestNote | None]) -> None:
    _current.reset(token)


def note_merchant(mid: str) -> None:
    """The merchant whose credential the request carries."""
    note = _current.get()
    if note is not None:
        note.mid = mid


def note_trans_id(trans_id: int | str) -> None:
    """The transaction the request made or changed."""
    note = _current.get()
    if note is not None:
        note.trans_id = str(trans_id)
