"""Delivering webhooks from the worker: outbox -> deliveries -> attempts -> results.

Each worker runs one Dispatcher beside its job loops. A cycle is one short
transaction that
1. records the outcome of attempts that finished since the last cycle (fenced by the
   lease token, so a worker that lost its lease changes nothing),
2. fans out new outbox events when it is this worker's turn (fanout.py): one delivery
   row per (event, matching endpoint), made only after the transaction that wrote the
   event has committed (the outbox), and
3. claims due deliveries (FOR UPDATE SKIP LOCKED): numbers each attempt and leases it.
After the commit the claimed attempts are posted concurrently, outside any
transaction, up to `webhook_concurrency` at once and `webhook_endpoint_concurrency` per
endpoint. No two workers ever make the same attempt: an attempt's number is fixed
when it is leased, and a worker that dies leaves a lease that runs out, after which
the next attempt (a new number, the same webhook_id and idempotency key) is made.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun import __version__
from homerun.config import Mode, Settings
from homerun.observability.metrics import count_webhooks
from homerun.runtime import Runtime
from homerun.webhooks import repository, schedule, signing
from homerun.webhooks.fanout import FAN_OUT_BATCH, fan_out
from homerun.webhooks.transport import AddressPolicy, Client, DeliveryFailure

log = logging.getLogger("homerun.webhooks")

CLAIM_BATCH = 200
# How long a cycle waits for more attempts to finish once one has (see Dispatcher.linger).
LINGER_SECONDS = 0.01
SECRET_CONTEXT = b"webhook-secret"


def address_policy(settings: Settings) -> AddressPolicy:
    loopback = settings.webhook_allow_loopback
    if loopback is None:
        loopback = settings.mode is Mode.SANDBOX
    return AddressPolicy(allow_loopback=loopback, allow_private=settings.webhook_allow_private)


def new_client(settings: Settings) -> Client:
    return Client(
        timeout=settings.webhook_timeout_seconds,
        max_response_bytes=settings.webhook_max_response_bytes,
        policy=address_policy(settings),
        user_agent=f"Homerun-Webhooks/{__version__}",
        max_idle_per_host=settings.webhook_concurrency,  # endpoints may share a host
    )


def lease_seconds(settings: Settings) -> float:
    return max(float(settings.webhook_lease_seconds), settings.webhook_timeout_seconds + 5)


# ---- attempts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One leased attempt, ready to post."""

    due: repository.Due
    number: int
    token: str
    round_started_at: datetime
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt
    at: datetime
    status: int | None
    error: str | None
    response: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


@dataclass
class Tally:
    recorded: int = 0
    delivered: int = 0
    failed: int = 0
    fanned_out: int = 0
    claimed: int = 0
    claim_full: bool = False  # the claim took as many as it asked for


async def record(session: AsyncSession, runtime: Runtime, outcomes: Sequence[Outcome]) -> Tally:
    """Write what the attempts came to (fenced by each lease token)."""
    tally = Tally()
    delivered: list[dict[str, Any]] = []
    retries: list[dict[str, Any]] = []
    for outcome in outcomes:
        attempt = outcome.attempt
        common = {
            "b_id": attempt.due.id,
            "b_token": attempt.token,
            "b_at": outcome.at,
            "b_status": outcome.status,
            "b_response": outcome.response,
            "b_duration_ms": outcome.duration_ms,
        }
        if outcome.ok:
            delivered.append(common)
            continue
        made = attempt.number - attempt.due.round_first_attempt + 1
        upcoming = schedule.next_attempt(attempt.round_started_at, made)
        error = (outcome.error or f"the receiver answered HTTP {outcome.status}")[:500]
        if upcoming is not None:
            retries.append({**common, "b_next": upcoming, "b_error": error})
            continue
        await give_up(
            session,
            attempt.due,
            token=attempt.token,
            at=outcome.at,
            status=outcome.status,
            error=error,
            response=outcome.response,
            duration_ms=outcome.duration_ms,
        )
        tally.failed += 1
    await repository.mark_delivered(session, delivered)
    await repository.mark_retry(session, retries)
    tally.delivered = len(delivered)
    count_webhooks(
        len(delivered),
        len(retries),
        tally.failed,
        ((o.at - o.attempt.due.occurred_at).total_seconds() for o in outcomes if o.ok),
    )
    tally.recorded = len(outcomes)
    return tally


async def give_up(
    session: AsyncSession,
    due: repository.Due,
    *,
    token: str | None,
    at: datetime,
    status: int | None,
    error: str,
    response: str | None,
    duration_ms: int | None,
) -> None:
    """Fail a delivery, and every delivery waiting behind it in its lane (they would
    otherwise each wait out a whole schedule behind a dead receiver); a re-send puts
    them all back in order."""
    changed = await repository.mark_failed(
        session,
        due.id,
        token=token,
        at=at,
        status=status,
        error=error,
        response=response,
        duration_ms=duration_ms,
    )
    if changed:
        await repository.fail_followers(
            session,
            endpoint_id=due.endpoint_id,
            lane=due.lane,
            occurred_at=due.occurred_at,
            event_id=due.event_id,
            now=at,
            reason=f"not sent: {due.webhook_id} before it, to the same endpoint, failed",
        )


class Dispatcher:
    """One worker's webhook delivery: cycles of record / fan out / claim, then posts."""

    def __init__(
        self, runtime: Runtime, name: str, client: Client | None = None, *, eager: bool = False
    ) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.name = name[:64]
        self.slots = settings.webhook_concurrency
        self.per_endpoint = settings.webhook_endpoint_concurrency
        self.lease = timedelta(seconds=lease_seconds(settings))
        self.client = client or new_client(settings)
        self.tasks: set[asyncio.Task[None]] = set()
        self.in_flight: dict[int, int] = defaultdict(int)
        self.finished: list[Outcome] = []
        self.wake = asyncio.Event()
        self.totals = Tally()
        self._secrets: dict[bytes, str] = {}
        # Fan out at once when eager, else at most once a poll interval while busy
        # (when idle every cycle is a poll interval apart anyway).
        self.eager = eager
        self._fan_out_at = 0.0
        self._claim_full = False

    # -- one cycle
    async def cycle(self) -> Tally:
        outcomes, self.finished = self.finished, []
        try:
            async with self.runtime.db.transaction() as session:
                tally = await record(session, self.runtime, outcomes)
                if self.eager or time.monotonic() >= self._fan_out_at:
                    tally.fanned_out = await fan_out(session, self.runtime)
                    busy = tally.fanned_out >= FAN_OUT_BATCH
                    pause = 0.0 if busy else self.runtime.settings.webhook_poll_seconds
                    self._fan_out_at = time.monotonic() + pause
                attempts = await self._claim(session)
        except BaseException:
            self.finished = outcomes + self.finished  # recorded next time
            raise
        tally.claimed = len(attempts)
        tally.claim_full = self._claim_full
        for attempt in attempts:
            self._start(attempt)
        self.totals.recorded += tally.recorded
        self.totals.delivered += tally.delivered
        self.totals.failed += tally.failed
        self.totals.fanned_out += tally.fanned_out
        self.totals.claimed += tally.claimed
        return tally

    async def _claim(self, session: AsyncSession) -> list[Attempt]:
        free = self.slots - len(self.tasks)
        self._claim_full = False
        if free <= 0:
            return []
        now = self.runtime.clock.now()
        full = [ep for ep, n in self.in_flight.items() if n >= self.per_endpoint]
        limit = min(free, CLAIM_BATCH)
        rows = await repository.claimable(session, now=now, limit=limit, skip_endpoints=full)
        self._claim_full = len(rows) == limit
        token = f"{self.name}/{secrets.token_hex(4)}"
        taken: dict[int, int] = defaultdict(int)
        attempts: list[Attempt] = []
        leases: list[int] = []
        for due in rows:
            made = due.attempts - due.round_first_attempt + 1
            if due.attempts >= due.round_first_attempt and made >= schedule.ATTEMPTS:
                # The last attempt of the round was leased by a worker that never came back.
                await give_up(
                    session,
                    due,
                    token=None,
                    at=now,
                    status=None,
                    error=f"no outcome recorded for attempt {due.attempts} (its worker stopped)",
                    response=None,
                    duration_ms=None,
                )
                continue
            if self.in_flight[due.endpoint_id] + taken[due.endpoint_id] >= self.per_endpoint:
                continue
            taken[due.endpoint_id] += 1
            number = due.attempts + 1
            started = due.round_started_at or now
            leases.append(due.id)
            attempts.append(self._attempt(due, number, token, started, now))
        await repository.lease(session, leases, token=token, now=now, until=now + self.lease)
        return attempts

    def _secret(self, sealed: bytes) -> str:
        secret = self._secrets.get(sealed)
        if secret is None:
            if len(self._secrets) > 10_000:
                self._secrets.clear()
            secret = self.runtime.sealer.open(sealed, SECRET_CONTEXT)
            self._secrets[sealed] = secret
        return secret

    def _attempt(
        self, due: repository.Due, number: int, token: str, started: datetime, now: datetime
    ) -> Attempt:
        body = signing.envelope(
            event_type=due.event_type,
            source_id=due.source_id,
            occurred_at=due.occurred_at,
            payload=due.payload,
            webhook_id=due.webhook_id,
            attempt=number,
            idempotency_key=due.idempotency_key,
        )
        headers = {
            "Content-Type": "application/json",
            signing.SIGNATURE_HEADER: signing.signature(self._secret(due.secret_sealed), body),
            signing.IDEMPOTENCY_HEADER: due.idempotency_key,
            "X-Webhook-Id": due.webhook_id,
            "X-Webhook-Event-Type": due.event_type,
            "X-Webhook-Attempt": str(number),
        }
        previous_until = due.previous_secret_expires_at
        if due.previous_secret_sealed is not None and previous_until and previous_until > now:
            headers[signing.PREVIOUS_SIGNATURE_HEADER] = signing.signature(
                self._secret(due.previous_secret_sealed), body
            )
        return Attempt(due, number, token, started, due.url, headers, body)

    # -- posting
    def _start(self, attempt: Attempt) -> None:
        self.in_flight[attempt.due.endpoint_id] += 1
        task = asyncio.create_task(self._post(attempt))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, attempt: Attempt) -> None:
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        response: str | None = None
        try:
            answer = await self.client.post(attempt.url, attempt.headers, attempt.body)
            status = answer.status
            response = answer.body.decode("utf-8", "replace").replace("\x00", "") or None
            if answer.truncated and response is not None:
                response += " [cut]"
        except DeliveryFailure as failure:
            error = str(failure)[:500]
        except asyncio.CancelledError:
            self.in_flight[attempt.due.endpoint_id] -= 1
            raise  # a stopping (or killed) worker records nothing: the lease runs out
        except Exception as problem:  # a fault of ours: count the attempt as failed
            log.exception("webhook %s attempt %d", attempt.due.webhook_id, attempt.number)
            error = f"internal error: {type(problem).__name__}"
        self.in_flight[attempt.due.endpoint_id] -= 1
        self.finished.append(
            Outcome(
                attempt,
                self.runtime.clock.now(),
                status,
                error,
                response,
                int((time.perf_counter() - started) * 1000),
            )
        )
        self.wake.set()

    # -- running
    async def run(self, stop: asyncio.Event) -> None:
        """Cycle until `stop`; then let attempts in flight finish and record them."""
        poll = self.runtime.settings.webhook_poll_seconds
        try:
            while not stop.is_set():
                self.wake.clear()
                try:
                    tally = await self.cycle()
                except Exception:
                    log.exception("webhook cycle failed; trying again after the poll interval")
                    await _wait(stop, self.wake, poll)
                    continue
                if tally.fanned_out >= FAN_OUT_BATCH or (
                    tally.claim_full and len(self.tasks) < self.slots
                ):
                    continue  # there may be more to take at once
                if self.finished or await _wait(stop, self.wake, poll):
                    await self.linger()
                else:
                    self._fan_out_at = 0.0  # a quiet poll interval: look for new events now
            await self.drain_in_flight()
        finally:
            await self.close()

    async def linger(self) -> None:
        """Give the attempts in flight a moment to finish, so that one cycle records (and
        refills) many of them rather than a cycle for each."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=LINGER_SECONDS)

    async def drain_in_flight(self) -> None:
        if self.tasks:
            await asyncio.wait(set(self.tasks))
        if self.finished:
            with contextlib.suppress(Exception):
                await self.cycle_record_only()

    async def cycle_record_only(self) -> None:
        outcomes, self.finished = self.finished, []
        try:
            async with self.runtime.db.transaction() as session:
                await record(session, self.runtime, outcomes)
        except BaseException:
            self.finished = outcomes + self.finished
            raise

    async def close(self, *, close_client: bool = True) -> None:
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        if close_client:
            await self.client.aclose()


async def _wait(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> bool:
    """Wait for `stop`, `wake` or `seconds`; True unless the time ran out."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        done, _ = await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    return bool(done)


async def deliver_due(
    runtime: Runtime, *, name: str = "deliver", client: Client | None = None
) -> Tally:
    """Fan out, post every due attempt and record the outcomes, until nothing is due or
    in flight (the sandbox's and the tests' way to run webhooks without a worker)."""
    dispatcher = Dispatcher(runtime, name, client, eager=True)
    try:
        while True:
            tally = await dispatcher.cycle()
            if dispatcher.tasks:
                await asyncio.wait(set(dispatcher.tasks), return_when=asyncio.FIRST_COMPLETED)
                await dispatcher.linger()
                continue
            if not (tally.recorded or tally.fanned_out or tally.claimed or dispatcher.finished):
                return dispatcher.totals
    finally:
        await dispatcher.close(close_client=client is None)
