"""The rows `homerun seed` writes, one builder per table: what realistic data looks like
(brands, declines, AVS/CVV, fees, chargeback reasons), apart from how much of it is written
and when (seed.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("America/New_York")
CARDS = (  # brand, weight, BIN
    ("VISA", 55, "411111"),
    ("MASTERCARD", 28, "545454"),
    ("AMEX", 10, "371449"),
    ("DISCOVER", 7, "601111"),
)
_DECLINES = (("05", "Do not honor"), ("51", "Insufficient funds"), ("54", "Expired card"))
_AVS = ("Y", "Y", "Y", "Y", "Z", "A", "N")
_CVV = ("M", "M", "M", "M", "M", "N", "P")
REASONS = (
    ("10.4", "Other Fraud - Card Absent Environment"),
    ("13.1", "Merchandise/Services Not Received"),
    ("13.3", "Not as Described or Defective Merchandise"),
    ("4837", "No Cardholder Authorization"),
    ("4853", "Cardholder Dispute"),
    ("F29", "Card Not Present"),
)
_FIRST = ("Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Ines", "Jon", "Kai", "Lena", "Mo")
LAST = ("Lovelace", "Nakamura", "Okafor", "Silva", "Novak", "Haddad", "Kowalski", "Reyes")
SHOPS = ("Coffee", "Books", "Garage", "Florist", "Bakery", "Outfitters", "Pharmacy", "Studio")
_CARD_WEIGHTS = [weight for _, weight, _ in CARDS]
FEE_BPS = 250
FEE_FIXED = 10
CHARGEBACK_FEE = 1500
MONTHLY_FEE = 995


@dataclass(frozen=True)
class ChargebackDates:
    opened: datetime
    decided: datetime  # the respond-by date, and the decision's once it has passed
    is_decided: bool
    lost: bool
    funding_id: str


def fee(gross: int) -> int:
    percent = (Decimal(gross) * FEE_BPS / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(percent) + FEE_FIXED


def next_business_day(day: date) -> date:
    nxt = day + timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += timedelta(days=1)
    return nxt


def cutoff_utc(day: date) -> datetime:
    return datetime.combine(day, time(22, 0), TZ).astimezone(UTC)


def local_utc(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), TZ).astimezone(UTC)


def merchant_row(pk: int, mid: str, name: str, now: datetime) -> dict[str, Any]:
    return {
        "id": pk,
        "mid": mid,
        "name": name,
        "currency": "USD",
        "surcharge_enabled": False,
        "surcharge_rate_bps": 0,
        "batch_cutoff": "22:00",
        "timezone": "America/New_York",
        "processor": "simulator",
        "status": "active",
        "created_at": now,
        "updated_at": now,
    }


def _outcome(rand: random.Random, amount: int, age_days: int) -> dict[str, Any]:
    """~5% declines with issuer codes, ~2% authorizations never captured (expired after 7
    days), ~1% $0 verifications; the rest captured sales."""
    roll = rand.random()
    out: dict[str, Any] = {
        "kind": "sale",
        "state": "captured",
        "result": "A",
        "resp_code": "00",
        "resp_text": "Approval",
        "amount_requested": amount,
        "amount_authorized": amount,
        "amount_captured": amount,
    }
    if roll < 0.05:
        out["resp_code"], out["resp_text"] = rand.choice(_DECLINES)
        out.update(state="declined", result="C", amount_authorized=0, amount_captured=0)
    elif roll < 0.07:
        out.update(kind="auth", amount_captured=0)
        out["state"] = "authorized" if age_days < 7 else "expired"
    elif roll < 0.08:
        out.update(kind="verify", state="verified")
        out.update(amount_requested=0, amount_authorized=0, amount_captured=0)
    return out


def _extras(rand: random.Random, pk: int) -> dict[str, Any]:
    """Custom fields and the cardholder, each on a share of the sales."""
    custom = {"custom_01": f"INV-{pk}"} if rand.random() < 0.3 else {}
    if rand.random() < 0.1:
        custom["custom_06"] = f"CUST-{rand.randrange(100_000)}"
    holder: dict[str, Any] = {}
    if rand.random() < 0.6:
        holder["name"] = f"{rand.choice(_FIRST)} {rand.choice(LAST)}"
        holder["account_zip"] = f"{rand.randrange(10_000, 99_999)}"
    return {"custom": custom, "holder": holder}


def sale_row(
    rand: random.Random, pk: int, merchant_id: int, day: date, at: datetime, today: date
) -> dict[str, Any]:
    # The draws keep one order, so that a plan's seed always gives the same data.
    brand, _, prefix = rand.choices(CARDS, weights=_CARD_WEIGHTS)[0]
    last_four = f"{rand.randrange(10_000):04d}"
    amount = min(int(rand.lognormvariate(7.8, 1.0)) + 100, 2_500_000)  # median ~ $25
    outcome = _outcome(rand, amount, (today - day).days)
    extras = _extras(rand, pk)
    expiration = f"{rand.randrange(1, 13):02d}{(day.year + rand.randrange(1, 5)) % 100:02d}"
    return {
        "id": pk,
        "merchant_id": merchant_id,
        **outcome,
        "parent_id": None,
        "currency": "USD",
        "amount_form": "cents",
        "amount_refunded": 0,
        "fee_rate_bps": 0,
        "fee_amount": 0,
        "fee_refunded": 0,
        "resp_proc": "SIM",
        "auth_code": f"{rand.randrange(16**6):06X}" if outcome["result"] == "A" else None,
        "avs_resp": rand.choice(_AVS) if extras["holder"] else "",
        "cvv_resp": rand.choice(_CVV),
        "processor_ref": None,
        "card_brand": brand,
        "card_funding": "credit" if rand.random() < 0.7 else "debit",
        "comm_card": rand.random() < 0.05,
        "bin": prefix,
        "last_four": last_four,
        "account_token": f"9{rand.randrange(10**10, 10**11)}{last_four}",
        "expiration": expiration,
        "order_id": f"HR{rand.getrandbits(64):016X}",
        "invoice_id": f"INV{pk}" if rand.random() < 0.2 else None,
        "user_identifier": None,
        "cof": None,
        "cof_sched": None,
        "cof_perm": None,
        "com_ind": "E",
        **extras,
        "extra": {},
        "batch_id": None,
        "settled_at": None,
        "authorization_expires_at": None,
        "chargeback_after_days": None,
        "chargeback_reason": None,
        "created_at": at,
        "updated_at": at,
    }


def refund_row(
    rand: random.Random, pk: int, parent: dict[str, Any], amount: int, at: datetime
) -> dict[str, Any]:
    return {
        **parent,
        "id": pk,
        "kind": "refund",
        "state": "captured",
        "parent_id": parent["id"],
        "amount_requested": amount,
        "amount_authorized": amount,
        "amount_captured": amount,
        "amount_refunded": 0,
        "auth_code": f"{rand.randrange(16**6):06X}",
        "avs_resp": "",
        "cvv_resp": "",
        "batch_id": None,
        "settled_at": None,
        "created_at": at,
        "updated_at": at,
    }


def chargeback_row(
    cb_pk: int, sale: dict[str, Any], amount: int, reason: tuple[str, str], dates: ChargebackDates
) -> dict[str, Any]:
    decided = dates.decided if dates.is_decided else None
    return {
        "id": cb_pk,
        "case_number": f"9{cb_pk:011d}",
        "merchant_id": sale["merchant_id"],
        "transaction_id": sale["id"],
        "batch_id": sale["batch_id"],
        "currency": "USD",
        "amount": amount,
        "fee_amount": CHARGEBACK_FEE,
        "reason_code": reason[0],
        "reason_text": reason[1],
        "card_brand": sale["card_brand"],
        "last_four": sale["last_four"],
        "state": ("lost" if dates.lost else "won") if dates.is_decided else "open",
        "source": "simulator",
        "opened_at": dates.opened,
        "respond_by": dates.decided,
        "decided_at": decided,
        "decided_by": "clock" if decided else None,
        "funding_master_id": dates.funding_id,
        "reversal_funding_master_id": None,
        "created_at": dates.opened,
        "updated_at": dates.opened,
    }


def fee_adjustment_row(
    pk: int, merchant_id: int, kind: str, amount: int, reason: str, reference: str, **more: Any
) -> dict[str, Any]:
    """A fee taken from a deposit: `more` gives adjustment_date, funding_master_id and, for a
    chargeback fee, chargeback_id."""
    return {
        "id": pk,
        "merchant_id": merchant_id,
        "currency": "USD",
        "amount": -amount,
        "adjustment_type": kind,
        "adjustment_reason": reason,
        "chargeback_id": more.pop("chargeback_id", None),
        "reference": reference,
        "created_by": "system",
        "created_at": more["adjustment_date"],
        **more,
    }
