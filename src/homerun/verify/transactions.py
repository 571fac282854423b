"""The transactions' promises (homerun.payments.state, docs/api-differences.md): nothing is
captured beyond what was authorized nor refunded beyond what was captured; a row's amounts
agree with its state; an original's refunded amount is the sum of its refund rows.

Card payments and ACH payments have lifecycles of their own (docs/ach.md): an ACH payment
is accepted with its amount, keeps it when voided, is in an ACH batch from origination on
(also once returned), and its refund credits are accepted, originated and settled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from sqlalchemy import ColumnElement, String, and_, case, func, literal, not_, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.money import to_dollars
from homerun.payments.models import Transaction
from homerun.payments.state import SETTLED_STATES, Kind, PaymentMethod, State
from homerun.verify.reader import rows
from homerun.verify.violation import Check, Scope, Violation

AMOUNTS = "transactions.amounts"
STATES = "transactions.states"
REFUNDS = "transactions.refunds"

T = Transaction
_NO_MONEY = (State.PENDING, State.UNKNOWN, State.DECLINED, State.EXPIRED, State.VERIFIED)
_ACH = T.payment_method == PaymentMethod.ACH.value
_CARD = T.payment_method != PaymentMethod.ACH.value
_ACH_ONLY = (State.ACCEPTED, State.ORIGINATED, State.RETURNED)
_CARD_ONLY = (State.AUTHORIZED, State.CAPTURED, State.VERIFIED, State.EXPIRED)
# States of an ACH payment that the bank has: it is in its ACH batch.
_ACH_BATCHED = (State.ORIGINATED, State.RETURNED, *SETTLED_STATES)

# (what is wrong, when): each a predicate over one row, so the database finds the rows.
_AMOUNT_RULES: Sequence[tuple[str, ColumnElement[bool]]] = (
    (
        "a negative amount",
        or_(
            T.amount_authorized < 0,
            T.amount_captured < 0,
            T.amount_refunded < 0,
            T.fee_amount < 0,
            T.fee_refunded < 0,
        ),
    ),
    ("captured more than authorized", T.amount_captured > T.amount_authorized),
    ("refunded more than captured", T.amount_refunded > T.amount_captured),
    ("refunded more surcharge than was charged", T.fee_refunded > T.fee_amount),
)

_STATE_RULES: Sequence[tuple[str, ColumnElement[bool]]] = (
    (
        "moved money in a state that moves none",
        and_(T.state.in_(_NO_MONEY), or_(T.amount_captured != 0, T.amount_refunded != 0)),
    ),
    (
        "in a state its payment method never has",
        or_(and_(_CARD, T.state.in_(_ACH_ONLY)), and_(_ACH, T.state.in_(_CARD_ONLY))),
    ),
    (
        # A voided ACH payment keeps the amount that was voided; a card void captures none.
        "authorized or voided yet captured or refunded",
        and_(
            T.state.in_((State.AUTHORIZED, State.VOIDED)),
            or_(and_(_CARD, T.amount_captured != 0), T.amount_refunded != 0),
        ),
    ),
    (
        "captured or settled with nothing captured",
        and_(T.state.in_((State.CAPTURED, *SETTLED_STATES)), T.amount_captured <= 0),
    ),
    (
        "refunded before it settled, or settled with a refund",
        and_(
            T.state.in_((State.CAPTURED, State.ACCEPTED, State.ORIGINATED, State.SETTLED)),
            T.amount_refunded != 0,
        ),
    ),
    (
        "partially_refunded, but the refunded amount is not part of the captured",
        and_(
            T.state == State.PARTIALLY_REFUNDED,
            or_(T.amount_refunded <= 0, T.amount_refunded >= T.amount_captured),
        ),
    ),
    (
        "refunded, but not all that was captured",
        and_(T.state == State.REFUNDED, T.amount_refunded != T.amount_captured),
    ),
    ("settled with no batch", and_(T.state.in_(SETTLED_STATES), T.batch_id.is_(None))),
    (
        "originated or returned with no batch",
        and_(_ACH, T.state.in_((State.ORIGINATED, State.RETURNED)), T.batch_id.is_(None)),
    ),
    (
        "in a batch but not settled",
        and_(
            T.state.not_in(SETTLED_STATES),
            T.batch_id.is_not(None),
            not_(and_(_ACH, T.state.in_(_ACH_BATCHED))),
        ),
    ),
    (
        "a refund with no original, or in a state a refund never has",
        and_(
            T.kind == Kind.REFUND,
            or_(
                T.parent_id.is_(None),
                and_(_CARD, T.state.not_in((State.CAPTURED, State.SETTLED))),
                and_(_ACH, T.state.not_in((State.ACCEPTED, State.ORIGINATED, State.SETTLED))),
                T.amount_refunded != 0,
            ),
        ),
    ),
)


async def _broken_rows(
    session: AsyncSession, check: str, rules: Sequence[tuple[str, ColumnElement[bool]]]
) -> AsyncIterator[Violation]:
    labels = [case((when, literal(what, String)), else_=null()) for what, when in rules]
    stmt = select(T.id, T.state, *labels).where(or_(*(when for _, when in rules)))
    async for row in rows(session, stmt):
        problems = "; ".join(label for label in row[2:] if label is not None)
        yield Violation(check, str(row[0]), f"{row[1]}: {problems}")


async def amounts_out_of_bounds(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    async for found in _broken_rows(session, AMOUNTS, _AMOUNT_RULES):
        yield found


async def states_against_amounts(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    async for found in _broken_rows(session, STATES, _STATE_RULES):
        yield found


async def refunds_off_their_rows(session: AsyncSession, _: Scope) -> AsyncIterator[Violation]:
    refund = T.__table__.alias("refund")
    children = (
        select(
            refund.c.parent_id.label("parent_id"),
            func.sum(refund.c.amount_captured).label("amount"),
            func.sum(refund.c.fee_amount).label("fee"),
        )
        .where(refund.c.kind == Kind.REFUND.value, refund.c.parent_id.is_not(None))
        .group_by(refund.c.parent_id)
        .subquery("children")
    )
    amount = func.coalesce(children.c.amount, 0)
    fee = func.coalesce(children.c.fee, 0)
    stmt = (
        select(T.id, T.amount_refunded, T.fee_refunded, amount, fee)
        .outerjoin(children, children.c.parent_id == T.id)
        .where(
            T.kind != Kind.REFUND,
            or_(T.amount_refunded != amount, T.fee_refunded != fee),
        )
    )
    async for trans_id, refunded, fee_refunded, rows_amount, rows_fee in rows(session, stmt):
        yield Violation(
            REFUNDS,
            str(trans_id),
            f"refunded {to_dollars(refunded)} + surcharge {to_dollars(fee_refunded)}, but its"
            f" refund rows come to {to_dollars(int(rows_amount))} +"
            f" {to_dollars(int(rows_fee))}",
        )


CHECKS = (
    Check(
        AMOUNTS,
        "per transaction: captured <= authorized, refunded <= captured, surcharge refunded"
        " <= surcharge charged, no amount negative",
        amounts_out_of_bounds,
    ),
    Check(
        STATES,
        "per transaction: its state agrees with its amounts and its batch (nothing captured"
        " while authorized or voided, refunded only once settled, settled only in a batch)",
        states_against_amounts,
    ),
    Check(
        REFUNDS,
        "per original: its refunded amount and surcharge are the sums of its refund rows",
        refunds_off_their_rows,
    ),
)
