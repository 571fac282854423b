"""One-time form keys: a dashboard form that creates something does it once, however often
it is posted (a double click, a reload of the POST, a second tab).

Every rendering of such a form carries a new key (`new_form_key`, the hidden input
`form_key`). Its POST uses the key as an Idempotency-Key, kept by the idempotency package as
the API's keys are, in a scope of the user's own:

1. `claim`: the key is reserved in a short transaction of its own. A post of a form whose
   work is done is answered with that work's result (`Done`); one whose first post is still
   under way waits for it; the key with other fields is `Reused`.
2. `create_once`: the work runs in a unit of work of its own, and the form's answer (a 303 to
   where its result is shown) is kept under the key in the same transaction, so both commit
   or neither. A refusal rolls all of it back and frees the key, so the corrected form can be
   posted again; so does any failure, which then goes on to the caller.

Each step opens its own transaction, never one inside another: on SQLite a unit of work
waits for the one before it to end (kit.db.engine), so a route calls these outside any
transaction of its own.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.errors import Conflict, Unprocessable
from homerun.idempotency import service as idempotent
from homerun.kit.db.writes import before_commit
from homerun.runtime import Runtime

FIELD = "form_key"
# Said on a form posted without a sound key (opened before keys were, or tampered with):
# nothing was made, and the form shown again carries a new key.
EXPIRED = "this form had expired; check it and send it again"
_KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")
# How long a second post of a form waits for the first one's work to finish: a double
# click's second request must show the first's result, not an error.
_WAIT_STEP_SECONDS = 0.1
_WAIT_STEPS = 100

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
R = TypeVar("R")


def new_form_key() -> str:
    """A one-time key for one rendering of a form (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def sound(key: str) -> bool:
    """Whether `key` is one `new_form_key` could have made."""
    return bool(_KEY.match(key))


def posted_key(fields: Mapping[str, str]) -> str | None:
    """The form's key as posted; None when it is missing or malformed."""
    key = fields.get(FIELD, "")
    return key if sound(key) else None


@dataclass(frozen=True, slots=True)
class Done:
    """The form's work was done (now, or by an earlier post of the same form)."""

    location: str  # where its result is shown


class Busy:
    """The same form's first post is still under way (it did not finish in time)."""


class Reused:
    """The form's key was used before with other fields."""


@dataclass(frozen=True, slots=True)
class Made(Generic[T_co]):
    """What a form's work made, and where its result is shown."""

    done: Done
    made: T_co


def conflict(claimed: Busy | Reused, what: str, where: str, again: str = "trying again") -> str:
    """What a form that was not posted once is told (`what` it makes, `where` it is listed)."""
    if isinstance(claimed, Busy):
        return (
            f"this form's {what} is still being made: look for it under {where} in a minute "
            f"before {again}"
        )
    return (
        f"this form was already used for a different {what}: check {where}, then use this new form"
    )


def sentence(clause: str) -> str:
    """A message above as a sentence of its own, for a page that shows it alone."""
    return clause[:1].upper() + clause[1:] + "."


def _scope(user_id: int) -> str:
    return f"dashboard:{user_id}"


async def claim(
    runtime: Runtime, user_id: int, key: str, path: str, body: bytes
) -> Done | Busy | Reused | None:
    """Reserve the form's key for this post; None when the work is this post's to do.

    The post is known by its path and body: the same key with other fields is `Reused`.
    """
    fingerprint = idempotent.request_fingerprint(runtime, "POST", path, body)
    for _ in range(_WAIT_STEPS):
        try:
            kept = await idempotent.reserve(runtime, _scope(user_id), key, fingerprint)
        except Unprocessable:
            return Reused()
        except Conflict:
            await asyncio.sleep(_WAIT_STEP_SECONDS)
            continue
        if kept is None:
            return None
        return Done(kept.headers["location"])
    return Busy()


class _Refused(Exception):
    """Ends the work's unit of work with a rollback; carries the refusal out of it."""

    def __init__(self, refusal: object) -> None:
        super().__init__()
        self.refusal = refusal


async def create_once(
    runtime: Runtime,
    user_id: int,
    key: str,
    create: Callable[[AsyncSession], Awaitable[Made[T] | R]],
) -> Made[T] | R:
    """The work of a claimed form: `create` answers `Made` or its refusal (anything else).

    `create` runs in a unit of work of its own that also keeps the form's answer under its
    key. A refusal rolls the unit back and frees the key; so does any exception, re-raised.
    """
    scope = _scope(user_id)
    kept: list[idempotent.Answer] = []

    async def keep_answer(session: AsyncSession) -> None:
        if kept:
            await idempotent.finish(runtime, session, scope, key, kept[0])

    try:
        async with runtime.db.transaction() as session:
            # Stated before the work, so that the work and its kept answer are one
            # transaction (kit.db.writes).
            before_commit(session, keep_answer)
            outcome = await create(session)
            if not isinstance(outcome, Made):
                raise _Refused(outcome)
            kept.append(idempotent.Answer(303, b"", {"location": outcome.done.location}))
    except _Refused as refused:
        await idempotent.release(runtime, scope, key)
        return cast(R, refused.refusal)  # what `create` answered
    except BaseException:
        await idempotent.release(runtime, scope, key)
        raise
    return outcome


async def post(
    runtime: Runtime,
    user_id: int,
    key: str,
    path: str,
    body: bytes,
    create: Callable[[AsyncSession], Awaitable[Made[object] | R]],
) -> Done | Busy | Reused | R:
    """A form's post, start to end: `claim`, then `create_once` when the work is its to do.
    `Done` whether this post made it or an earlier one did."""
    claimed = await claim(runtime, user_id, key, path, body)
    if claimed is not None:
        return claimed
    made: Made[object] | R = await create_once(runtime, user_id, key, create)
    return made.done if isinstance(made, Made) else made
