"""The rules of hosted payment pages: create, edit, list, disable, and pay.

A payment on a page is a real charge on the page's MID through payments.service;
the page row is locked while it runs, so a single-use link is paid at most once. On a
MID that takes ACH the shopper may pay from a bank account instead of a card: the
account is tokenized and charged as an ACH sale by the same charge service.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ach.bank_accounts import AccountType, EntryClass, routing_problem
from homerun.config import Settings
from homerun.errors import NotFound, ValidationFailed
from homerun.hpp import repository
from homerun.hpp.models import HostedPage, HostedPagePayment
from homerun.hpp.schemas import (
    OPTION_INPUTS,
    HppCreate,
    HppEdit,
    HppFields,
    PaymentInput,
    dollars,
    money_text,
    normalize_client_id,
)
from homerun.hpp.state import PageStatus
from homerun.kit.cards import (
    CVV_LENGTH,
    CardNumberError,
    Expiry,
    ExpiryError,
    check_pan,
    parse_expiry,
)
from homerun.kit.db import writes
from homerun.kit.ids import new_hpp_client_id
from homerun.merchants.models import Merchant
from homerun.merchants.state import MerchantStatus
from homerun.observability.metrics import count_charge
from homerun.payments import service as payments
from homerun.payments.models import Transaction
from homerun.payments.row import AnyTransaction
from homerun.payments.schemas import ChargeRequest
from homerun.processors.simulator.ach_accounts import RiskDecision, behaviour_of
from homerun.runtime import Runtime
from homerun.tokenizer import bank_tokens
from homerun.tokenizer import service as tokenizer

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Inputs whose transaction column is short; the rest are stored as JSON.
INPUT_LIMITS = {"invoice_id": 64, "account_zip": 16}
_TEXT_FIELDS = ("name", "name_on_account")
_AMOUNT_FIELDS = ("amount", "min_amount", "max_amount")
_FLAG_FIELDS = ("lock_amount", "disable_after_payment")


def page_url(settings: Settings, client_id: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/payment?client_id={client_id}"


# ---------------------------------------------------------------- merchant side


async def create(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, body: HppCreate
) -> HostedPage:
    payments.require_own_mid(merchant, body.cc_mid)
    now = runtime.clock.now()
    page = HostedPage(
        client_id=new_hpp_client_id(),
        merchant_id=merchant.id,
        name=None,
        name_on_account=None,
        amount=None,
        min_amount=None,
        max_amount=None,
        lock_amount=False,
        disable_after_payment=False,
        options=[],
        status=PageStatus.ACTIVE,
        payment_count=0,
        created_at=now,
        updated_at=now,
    )
    _apply(page, body)
    _check(page)
    return await repository.add(session, page)


async def edit(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    client_id: str,
    body: HppEdit,
) -> HostedPage:
    page = await _own_page(session, merchant, client_id, lock=True)
    if body.cc_mid is not None and body.cc_mid != merchant.mid:
        raise ValidationFailed.field("cc_mid", "cannot be changed once the page exists")
    _apply(page, body)
    _check(page)
    page.updated_at = runtime.clock.now()
    await session.flush()
    return page


def _apply(page: HostedPage, body: HppFields) -> None:
    """Copy the fields the body sent; an explicit null resets a field to its default."""
    sent = body.sent()
    for name in (*_TEXT_FIELDS, *_AMOUNT_FIELDS):
        if name in sent:
            setattr(page, name, getattr(body, name) or None)
    for name in _FLAG_FIELDS:
        if name in sent:
            setattr(page, name, bool(getattr(body, name)))
    if "hpp_options" in sent:
        page.options = body.stored_options() or []


def _check(page: HostedPage) -> None:
    """The rules that span fields, checked on the page as it will be stored."""
    errors: dict[str, list[str]] = {}
    if page.lock_amount and page.amount is None:
        errors.setdefault("amount", []).append("is required when lock_amount is true")
    if not page.lock_amount:
        low, high = page.min_amount, page.max_amount
        if low is not None and high is not None and low > high:
            errors.setdefault("min_amount", []).append("must not be more than max_amount")
        elif page.amount is not None and (
            (low is not None and page.amount < low) or (high is not None and page.amount > high)
        ):
            errors.setdefault("amount", []).append("must be between min_amount and max_amount")
    for index, option in enumerate(page.options):
        if option["is_readonly"] and option["is_required"] and not option["value"]:
            errors.setdefault(f"hpp_options.{index}.value", []).append(
                "is required when the field is both read-only and required"
            )
    if errors:
        summary = "; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items())
        raise ValidationFailed(summary, errors)


async def _own_page(
    session: AsyncSession, merchant: Merchant, client_id: str, *, lock: bool = False
) -> HostedPage:
    canonical = normalize_client_id(client_id)
    page = (
        await repository.of_merchant(session, merchant.id, canonical, lock=lock)
        if canonical
        else None
    )
    if page is None:
        raise NotFound(f"hosted payment page {client_id} not found")
    return page


async def list_pages(
    session: AsyncSession, merchant: Merchant, *, status: str | None, limit: int, offset: int
) -> tuple[Sequence[HostedPage], int]:
    pages = await repository.list_for_merchant(
        session, merchant.id, status=status, limit=limit, offset=offset
    )
    return pages, await repository.count_of_merchant(session, merchant.id, status=status)


async def get_page(
    session: AsyncSession, merchant: Merchant, client_id: str
) -> tuple[HostedPage, Sequence[Transaction]]:
    page = await _own_page(session, merchant, client_id)
    paid = await repository.payments_of(session, page.id)
    return page, [txn for _, txn in paid]


async def set_active(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, client_id: str, active: bool
) -> HostedPage:
    page = await _own_page(session, merchant, client_id, lock=True)
    now = runtime.clock.now()
    if active and page.status is not PageStatus.ACTIVE:
        page.status, page.disabled_reason, page.disabled_at = PageStatus.ACTIVE, None, None
    elif not active and page.status is PageStatus.ACTIVE:
        _disable(page, "merchant", now)
    page.updated_at = now
    await session.flush()
    return page


def _disable(page: HostedPage, reason: str, now: datetime) -> None:
    page.status, page.disabled_reason, page.disabled_at = PageStatus.DISABLED, reason, now


# ---------------------------------------------------------------- shopper side


@dataclass(frozen=True, slots=True)
class Unavailable:
    """The link cannot take a payment: unknown, disabled, used up, or merchant off."""

    reason: str  # unknown | disabled | paid | merchant
    merchant_name: str | None = None


@dataclass(frozen=True, slots=True)
class OpenPage:
    page: HostedPage
    merchant: Merchant


@dataclass(frozen=True, slots=True)
class Invalid:
    page: HostedPage
    merchant: Merchant
    errors: dict[str, str]


@dataclass(frozen=True, slots=True)
class Declined:
    page: HostedPage
    merchant: Merchant
    txn: AnyTransaction


@dataclass(frozen=True, slots=True)
class Paid:
    page: HostedPage
    merchant: Merchant
    txn: AnyTransaction


Payment = Unavailable | Invalid | Declined | Paid


def new_attempt() -> str:
    """The one-time id of a rendered form, so that a resubmitted form pays only once."""
    return secrets.token_hex(16)


async def open_page(session: AsyncSession, client_id: str | None) -> Unavailable | OpenPage:
    canonical = normalize_client_id(client_id)
    found = await repository.public(session, canonical) if canonical else None
    if found is None:
        return Unavailable("unknown")
    page, merchant = found
    return _availability(page, merchant) or OpenPage(page, merchant)


def _availability(page: HostedPage, merchant: Merchant) -> Unavailable | None:
    if page.status is not PageStatus.ACTIVE:
        reason = "paid" if page.disabled_reason == "paid" else "disabled"
        return Unavailable(reason, merchant.name)
    if merchant.status != MerchantStatus.ACTIVE:
        return Unavailable("merchant", merchant.name)
    return None


def asks_for_zip(page: HostedPage, merchant: Merchant) -> bool:
    """A surcharge MID must know the cardholder's ZIP (spec §12.6): ask even unconfigured."""
    return merchant.surcharge_enabled and not any(o["name"] == "address" for o in page.options)


async def pay(
    session: AsyncSession, runtime: Runtime, client_id: str | None, form: PaymentInput
) -> Payment:
    canonical = normalize_client_id(client_id)
    found = await repository.public(session, canonical, lock=True) if canonical else None
    if found is None:
        return Unavailable("unknown")
    page, merchant = found
    if form.attempt:
        earlier = await repository.payment_by_attempt(session, page.id, form.attempt)
        if earlier is not None:  # the same form sent again (a reload): same receipt
            return Paid(page, merchant, earlier[1])
    unavailable = _availability(page, merchant)
    if unavailable is not None:
        return unavailable

    errors = dict(form.errors)
    amount = _amount(page, merchant, form, errors)
    fields = _option_values(page, merchant, form, errors)
    if method_of(merchant, form) == "bank":
        bank = _bank(form, errors)
        if errors or amount is None or bank is None:
            return Invalid(page, merchant, errors)
        row = await bank_tokens.tokenize(session, runtime, merchant.id, bank)
        charge: dict[str, Any] = {"account_token": row.token, "name": bank.holder_name}
        problem_field = "account_number"
    else:
        card = _card(form, runtime.clock.now().date(), errors)
        if errors or amount is None or card is None:
            return Invalid(page, merchant, errors)
        pan, expiry, cvv = card
        token = await tokenizer.tokenize(session, runtime, merchant.id, pan, expiry)
        charge = {
            "account_token": token.token,
            "expiration": expiry.mmyy,
            "cvn": cvv,
            "com_ind": "E",
            "name": form.name or page.name_on_account or None,
        }
        problem_field = "card_number"
    request = ChargeRequest.model_validate(
        {"mid": merchant.mid, "amount": dollars(amount), "capture": True, **charge, **fields}
    )
    try:
        txn = await payments.charge(session, runtime, merchant, request)
    except ValidationFailed as fault:
        return Invalid(page, merchant, {problem_field: fault.message})
    await writes.flush(session)  # the answer and the payment row name the charge's id
    count_charge(txn.result, txn.resp_code, txn.card_brand)
    if txn.result != "A":
        return Declined(page, merchant, txn)

    now = runtime.clock.now()
    await repository.add_payment(
        session,
        HostedPagePayment(
            page_id=page.id,
            transaction_id=txn.id,
            attempt=form.attempt or new_attempt(),
            created_at=now,
        ),
    )
    page.payment_count += 1
    page.last_paid_at = now
    page.updated_at = now
    if page.disable_after_payment:
        _disable(page, "paid", now)
    await session.flush()
    return Paid(page, merchant, txn)


def _amount(
    page: HostedPage, merchant: Merchant, form: PaymentInput, errors: dict[str, str]
) -> int | None:
    if page.lock_amount and page.amount is not None:
        return page.amount
    if "amount" in errors:
        return None
    if form.amount is None:
        errors["amount"] = "Enter the amount to pay"
        return None
    low = max(page.min_amount or 0, 1)
    high = page.max_amount
    if form.amount < low or (high is not None and form.amount > high):
        currency = merchant.currency
        if high is not None:
            errors["amount"] = (
                f"Enter an amount between {money_text(low, currency)} "
                f"and {money_text(high, currency)}"
            )
        else:
            errors["amount"] = f"Enter an amount of at least {money_text(low, currency)}"
        return None
    return form.amount


def _option_values(
    page: HostedPage, merchant: Merchant, form: PaymentInput, errors: dict[str, str]
) -> dict[str, Any]:
    """The charge fields the page collects: presets for read-only fields, typed otherwise."""
    fields: dict[str, Any] = {}
    for option in page.options:
        name = option["name"]
        inputs = OPTION_INPUTS[name]
        if option["is_readonly"] and option["value"]:
            fields[inputs[0]] = option["value"]
            continue
        for input_name in inputs:
            value = form.values.get(input_name)
            if value:
                fields[input_name] = value
        required = inputs if name != "address" else ("address1", "city", "account_zip")
        if option["is_required"]:
            for input_name in required:
                if input_name not in fields:
                    errors[input_name] = f"Enter {_DESCRIPTIONS[input_name]}"
    if asks_for_zip(page, merchant):
        if form.values.get("account_zip"):
            fields["account_zip"] = form.values["account_zip"]
        else:
            errors["account_zip"] = "Enter the billing ZIP code"
    for input_name, limit in INPUT_LIMITS.items():
        if len(fields.get(input_name) or "") > limit:
            errors[input_name] = f"Use at most {limit} characters"
    email = fields.get("email")
    if email and not _EMAIL.match(email):
        errors["email"] = "Enter an email address such as name@example.com"
    phone = fields.get("phone")
    if phone and not 7 <= sum(c.isdigit() for c in phone) <= 15:
        errors["phone"] = "Enter a phone number of 7 to 15 digits"
    return fields


_DESCRIPTIONS = {
    "address1": "the street address",
    "city": "the city",
    "region": "the state",
    "account_zip": "the ZIP code",
    "phone": "a phone number",
    "email": "an email address",
    "invoice_id": "the invoice number",
    **{f"custom_0{n}": "this field" for n in range(1, 6)},
}


def method_of(merchant: Merchant, form: PaymentInput | None) -> str:
    """How the shopper pays: "bank" when the MID takes ACH and the shopper chose a bank
    account (or the MID takes nothing else), else "card"."""
    if not merchant.accepts.cards:
        return "bank"
    if merchant.accepts.ach and form is not None and form.method == "bank":
        return "bank"
    return "card"


def _bank(form: PaymentInput, errors: dict[str, str]) -> bank_tokens.BankAccount | None:
    """The bank account when its fields are well formed (the ABA checksum, 4 to 17
    digits typed the same twice, a holder's name) and the bank would take it; errors
    otherwise. The account number is never written back into a page."""
    routing, account = form.routing_number, form.account_number
    if not routing:
        errors["routing_number"] = "Enter the routing number"
    elif routing_problem(routing) is not None:
        errors["routing_number"] = "Enter a valid 9-digit routing number"
    if not account:
        errors["account_number"] = "Enter the account number"
    elif not (account.isascii() and account.isdigit() and 4 <= len(account) <= 17):
        errors["account_number"] = "Enter an account number of 4 to 17 digits"
    if not form.repeated_account_number:
        errors["repeated_account_number"] = "Enter the account number again"
    elif form.repeated_account_number != account:
        errors["repeated_account_number"] = "The account numbers do not match"
    if form.account_type not in ("checking", "savings"):
        errors["account_type"] = "Choose checking or savings"
    name = form.account_name
    if not name:
        errors["account_name"] = "Enter the account holder's name"
    elif len(name) > 100:
        errors["account_name"] = "Use at most 100 characters"
    if any(key in errors for key in _BANK_INPUTS):
        return None
    # Account validation, as Runner.js's tokenization asks it (the simulator's accounts).
    if behaviour_of(routing, account).decision is RiskDecision.DECLINE:
        errors["account_number"] = "This bank account cannot be used: pay another way"
        return None
    return bank_tokens.BankAccount(
        routing, account, AccountType(form.account_type), name, EntryClass.WEB
    )


_BANK_INPUTS = (
    "routing_number",
    "account_number",
    "repeated_account_number",
    "account_type",
    "account_name",
)


def _card(
    form: PaymentInput, today: date, errors: dict[str, str]
) -> tuple[str, Expiry, str] | None:
    """(pan, expiry, cvv) when the card fields are well formed; errors otherwise."""
    brand: str | None = None
    if not form.card_number:
        errors["card_number"] = "Enter the card number"
    else:
        try:
            brand = check_pan(form.card_number)
        except CardNumberError:
            errors["card_number"] = "Enter a valid card number"
    expiry: Expiry | None = None
    if not form.expiry:
        errors["expiry"] = "Enter the expiry date"
    else:
        try:
            expiry = parse_expiry(form.expiry)
        except ExpiryError:
            errors["expiry"] = "Enter the expiry date as MM/YY"
        if expiry is not None and expiry.has_passed(today):
            errors["expiry"] = "The card has expired"
            expiry = None
    wanted = CVV_LENGTH.get(brand or "", 3)
    if not form.cvv:
        errors["cvv"] = "Enter the security code"
    elif not form.cvv.isdigit() or (brand is not None and len(form.cvv) != wanted):
        errors["cvv"] = f"Enter the {wanted}-digit security code"
    if brand is None or expiry is None or "cvv" in errors:
        return None
    return form.card_number, expiry, form.cvv
