"""The ledger invariant, property-style: for every merchant, at every clock time,

    captured - refunded - charged back + reversed - fees + adjustments
        = deposited + pending (booked, not yet paid) + pending settlement (not yet batched)

to the cent. Each side is computed from a different place: the left from the source
tables (transactions, chargebacks, batches, adjustments), `deposited` from the
deposits, `pending` from the ledger's merchant_payable balance. A seeded random
generator scripts a few days of charges, auths, captures, voids, refunds,
chargebacks, decisions, manual adjustments, ACH payments (with the simulator's accounts
that the bank returns or changes), their voids, refund credits, returns and changes by
the admin action, admin origination and settlement, and clock jumps across merchants with
different pricing, zones, cut-offs, funding delays, surcharges and ACH return fees; the
invariant and the balance of every journal are checked after every step.

An ACH payment or refund credit counts once its ACH batch is a settlement batch (the bank
settled it), whatever its state since: a return is taken back by its adjustments.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import and_, case, exists, func, or_, select

from homerun.ledger import service as ledger
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.runtime import Runtime
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit
from tests.ach.helpers import ach_token
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge, post
from tests.settlement.support import advance_until, go_to_next, now, rekey
from tests.verify.support import assert_books_verify

SEEDS = [int(s) for s in os.environ.get("HOMERUN_LEDGER_SEEDS", "7,2026").split(",")]
CARDS = ["4111111111111111", "5555555555554444", "4000000000000259", "5105105105105100"]
ZONES = ["UTC", "America/New_York", "Asia/Tokyo", "America/Los_Angeles"]
# The simulator's accounts: settles; R01 and R03 two banking days after settlement; C01.
ACH_ACCOUNTS = ["86063057", "86063101", "86063201", "86063057", "86063002"]
BANK_CODES = ["R01", "R02", "R03", "R10", "C01", "C05"]


@dataclass
class Shop:
    access: MerchantAccess
    sales: list[str] = field(default_factory=list)
    auths: list[str] = field(default_factory=list)
    chargebacks: list[int] = field(default_factory=list)
    ach_tokens: list[str] = field(default_factory=list)
    ach_sales: list[str] = field(default_factory=list)


async def truth(runtime: Runtime, mid: str) -> dict[str, int]:
    """Every term of the invariant, from the tables that are not the ledger."""
    async with runtime.db.transaction() as session:
        merchant_id = await session.scalar(select(Merchant.id).where(Merchant.mid == mid))
        gross = Transaction.amount_captured + Transaction.fee_amount
        is_refund = Transaction.kind == "refund"
        card_counted = and_(
            Transaction.payment_method == "card",
            Transaction.state.in_(["captured", "settled", "partially_refunded", "refunded"]),
        )
        ach_counted = and_(
            Transaction.payment_method == "ach",
            exists().where(Batch.batch_id == Transaction.batch_id),
        )
        counted = or_(card_counted, ach_counted)
        captured, refunded, open_net = (
            await session.execute(
                select(
                    func.coalesce(func.sum(case((is_refund, 0), else_=gross)), 0),
                    func.coalesce(func.sum(case((is_refund, gross), else_=0)), 0),
                    func.coalesce(
                        func.sum(
                            case(
                                (Transaction.state != "captured", 0),
                                (is_refund, -gross),
                                else_=gross,
                            )
                        ),
                        0,
                    ),
                ).where(Transaction.merchant_id == merchant_id, counted)
            )
        ).one()
        charged_back, reversed_ = (
            await session.execute(
                select(
                    func.coalesce(func.sum(Chargeback.amount), 0),
                    func.coalesce(
                        func.sum(case((Chargeback.state == "won", Chargeback.amount), else_=0)), 0
                    ),
                ).where(Chargeback.merchant_id == merchant_id)
            )
        ).one()
        fees = await session.scalar(
            select(func.coalesce(func.sum(Batch.processing_fee), 0)).where(
                Batch.merchant_id == merchant_id
            )
        )
        adjustments = await session.scalar(
            select(func.coalesce(func.sum(Adjustment.amount), 0)).where(
                Adjustment.merchant_id == merchant_id
            )
        )
        deposited = await session.scalar(
            select(func.coalesce(func.sum(Deposit.amount), 0)).where(
                Deposit.merchant_id == merchant_id
            )
        )
        assert merchant_id is not None
        position = await ledger.position(session, merchant_id)
        unbalanced = await ledger.unbalanced_journals(session, merchant_id)
    assert unbalanced == []
    return {
        "captured": int(captured),
        "refunded": int(refunded),
        "charged_back": int(charged_back),
        "reversed": int(reversed_),
        "fees": int(fees or 0),
        "adjustments": int(adjustments or 0),
        "deposited": int(deposited or 0),
        "pending": position.pending,
        "pending_settlement": int(open_net),
        "ledger_deposited": position.deposited,
    }


async def check(runtime: Runtime, shops: list[Shop], step: str) -> None:
    for shop in shops:
        t = await truth(runtime, shop.access.mid)
        left = (
            t["captured"]
            - t["refunded"]
            - t["charged_back"]
            + t["reversed"]
            - t["fees"]
            + t["adjustments"]
        )
        right = t["deposited"] + t["pending"] + t["pending_settlement"]
        assert left == right, (step, shop.access.mid, t)
        assert t["ledger_deposited"] == t["deposited"], (step, t)


async def random_merchant(make_merchant: MerchantFactory, rng: random.Random) -> Shop:
    surcharge = rng.random() < 0.4
    settings: dict[str, Any] = {
        "timezone": rng.choice(ZONES),
        "batch_cutoff": f"{rng.randrange(24):02d}:{rng.choice([0, 30]):02d}",
        "processing_rate": f"{rng.randrange(0, 400) / 100:.2f}",
        "processing_fixed_fee": f"{rng.randrange(0, 50) / 100:.2f}",
        "funding_delay_days": rng.randrange(0, 3),
        "chargeback_fee": f"{rng.randrange(0, 3000) / 100:.2f}",
        "monthly_fee": f"{rng.randrange(0, 2000) / 100:.2f}",
        "surcharge_enabled": surcharge,
        "surcharge_rate": "3.00" if surcharge else "0",
        "accepts": "both",
        "ach_return_fee": f"{rng.randrange(0, 1000) / 100:.2f}",
    }
    return Shop(await make_merchant(**settings))


async def ach_step(client: httpx.AsyncClient, shop: Shop, rng: random.Random) -> str:
    """One random ACH operation; refusals are fine (they move no money)."""
    m = shop.access
    roll = rng.random()
    if roll < 0.4 or not shop.ach_sales:
        if len(shop.ach_tokens) < 3:
            account = rng.choice(ACH_ACCOUNTS)
            shop.ach_tokens.append(await ach_token(client, m, account_number=account))
        answer = await charge(
            client,
            m,
            amount=rng.randrange(100, 50_000),
            account_token=rng.choice(shop.ach_tokens),
            expiration=None,
        )
        assert answer.status_code == 200, answer.text
        shop.ach_sales.append(answer.json()["trans_id"])
        return "ach charge"
    if roll < 0.65:
        amount = rng.choice([None, None, rng.randrange(1, 20_000)])
        path = rng.choice(["/api/v1/void-or-refund", "/api/v1/refund", "/api/v1/void"])
        await post(client, m, path, trans_id=rng.choice(shop.ach_sales), amount=amount)
        return "ach reverse"
    if roll < 0.8:
        answer = await client.post(
            f"/homerun/v1/merchants/{m.mid}/transactions/{rng.choice(shop.ach_sales)}/ach-return",
            json={"return_code": rng.choice(BANK_CODES)},
            headers=ADMIN,
        )
        assert answer.status_code in (200, 409), answer.text
        return "ach return"
    action = rng.choice(["originate", "settle"])
    answer = await client.post(f"/homerun/v1/merchants/{m.mid}/ach/{action}", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return f"ach {action}"


async def step(client: httpx.AsyncClient, shop: Shop, rng: random.Random) -> str:
    """One random operation; refusals are fine (they move no money)."""
    m = shop.access
    roll = rng.random()
    if roll < 0.35 or not (shop.sales or shop.auths):
        capture = rng.random() < 0.75
        answer = await charge(
            client,
            m,
            amount=rng.randrange(100, 50_000),
            account_token=rng.choice(CARDS),
            cvn=rng.choice(["123", None]),
            account_zip="19106",
            capture="Y" if capture else "N",
        )
        body = answer.json()
        if body.get("result") == "A":
            (shop.sales if capture else shop.auths).append(body["trans_id"])
        return "charge"
    if roll < 0.45 and shop.auths:
        trans_id = rng.choice(shop.auths)
        amount = rng.choice([None, rng.randrange(1, 30_000)])
        answer = await post(client, m, "/api/v1/capture", trans_id=trans_id, amount=amount)
        if answer.json().get("result") == "A":
            shop.auths.remove(trans_id)
            shop.sales.append(trans_id)
        return "capture"
    if roll < 0.75:
        trans_id = rng.choice(shop.sales or shop.auths)
        amount = rng.choice([None, None, rng.randrange(1, 20_000)])
        path = rng.choice(["/api/v1/void-or-refund", "/api/v1/refund", "/api/v1/void"])
        await post(client, m, path, trans_id=trans_id, amount=amount)
        return "reverse"
    if roll < 0.85 and shop.sales:
        answer = await client.post(
            "/homerun/v1/chargebacks",
            json={
                "mid": m.mid,
                "trans_id": rng.choice(shop.sales),
                "amount": rng.choice([None, f"{rng.randrange(1, 100)}.00"]),
            },
            headers=ADMIN,
        )
        assert answer.status_code in (201, 400, 409), answer.text
        if answer.status_code == 201:
            shop.chargebacks.append(answer.json()["chargeback_id"])
        return "chargeback"
    if roll < 0.92 and shop.chargebacks:
        verdict = rng.choice(["win", "lose"])
        answer = await client.post(
            f"/homerun/v1/chargebacks/{rng.choice(shop.chargebacks)}/{verdict}", headers=ADMIN
        )
        assert answer.status_code in (200, 409), answer.text
        return "decide"
    amount = rng.randrange(-5000, 5000) or 1
    answer = await client.post(
        "/homerun/v1/adjustments",
        json={
            "mid": m.mid,
            "amount": f"{amount / 100:.2f}",
            "adjustment_type": rng.choice(["manual", "equipment", "credit"]),
            "adjustment_reason": "random scripted day",
        },
        headers=ADMIN,
    )
    assert answer.status_code == 201, answer.text
    return "adjust"


@pytest.mark.parametrize("seed", SEEDS)
async def test_invariant_holds_at_every_step_of_a_random_scripted_day(
    client: httpx.AsyncClient, runtime: Runtime, make_merchant: MerchantFactory, seed: int
) -> None:
    rng = random.Random(seed)
    await go_to_next(client, rng.randrange(7), rng.randrange(24))
    shops = [await random_merchant(make_merchant, rng) for _ in range(3)]
    for n in range(90):
        if rng.random() < 0.15:
            later = await now(client) + timedelta(minutes=rng.randrange(30, 36 * 60))
            await advance_until(client, later)
            for shop in shops:
                shop.access = await rekey(client, shop.access)
            await check(runtime, shops, f"{n}: advance")
            await assert_books_verify(runtime)
            continue
        shop = rng.choice(shops)
        if rng.random() < 0.3:
            done = await ach_step(client, shop, rng)
        else:
            done = await step(client, shop, rng)
        await check(runtime, shops, f"{n}: {done}")
    # Long enough for every chargeback to be decided and everything to be funded.
    await advance_until(client, await now(client) + timedelta(days=40))
    await check(runtime, shops, "the end")
    for shop in shops:
        t = await truth(runtime, shop.access.mid)
        assert (t["pending"], t["pending_settlement"]) == (0, 0), t
    # And every invariant `homerun verify` checks holds over the whole database.
    await assert_books_verify(runtime)
    # The day moved ACH money both ways: booked ACH batches, credits and returns.
    async with runtime.db.transaction() as session:
        mids = [shop.access.mid for shop in shops]
        mine = select(Merchant.id).where(Merchant.mid.in_(mids))
        ach_batches, credits = (
            await session.execute(
                select(func.count(), func.coalesce(func.sum(Batch.refund_count), 0)).where(
                    Batch.merchant_id.in_(mine), Batch.batch_id.like("ACH%")
                )
            )
        ).one()
        returns = await session.scalar(
            select(func.count()).where(
                Adjustment.merchant_id.in_(mine), Adjustment.adjustment_type == "ACH_RETURN"
            )
        )
    assert (ach_batches > 0, credits > 0, (returns or 0) > 0) == (True, True, True), (
        ach_batches,
        credits,
        returns,
    )
