"""What the shopper sees: the payment form, the receipt and the unavailable page.

Builds template contexts from service results and renders them; no rules live
here. Card numbers and security codes are never written back into a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from homerun.hpp.models import HostedPage
from homerun.hpp.schemas import PaymentInput, dollars, money_text
from homerun.hpp.service import INPUT_LIMITS, Unavailable, asks_for_zip, method_of
from homerun.hpp.state import PageStatus
from homerun.kit.pages import Assets, Templates
from homerun.merchants.models import Merchant
from homerun.payments.row import AnyTransaction

templates = Templates("homerun.hpp")
assets = Assets("homerun.hpp", "/homerun/v1/hpp/assets")
card_assets = Assets("homerun.tokenizer", "/homerun/v1/tokenizer/assets")


@dataclass
class Input:
    id: str
    label: str
    type: str = "text"
    autocomplete: str = "off"
    inputmode: str | None = None
    value: str = ""
    required: bool = False
    readonly: bool = False
    error: str | None = None
    hint: str | None = None
    maxlength: int = 200
    width: str = "full"  # full | short


@dataclass
class Group:
    legend: str
    inputs: list[Input] = field(default_factory=list)


_OPTION_INPUTS: dict[str, Any] = {
    "phone": lambda: Input("phone", "Phone number", "tel", "tel", "tel"),
    "email": lambda: Input("email", "Email address", "email", "email", "email"),
    "invoice_id": lambda: Input("invoice_id", "Invoice number", maxlength=64),
}

_UNAVAILABLE = {
    "unknown": (
        404,
        "Payment link not found",
        "This payment link does not exist. Check that the address is complete, "
        "or ask the business that sent it for a new link.",
    ),
    "disabled": (
        410,
        "This payment link is no longer active",
        "{merchant} has turned this payment link off. Contact them if you still need to pay.",
    ),
    "paid": (
        410,
        "This payment link has already been used",
        "It was a single-use link and a payment has already been made with it. "
        "Contact {merchant} if you need to pay again.",
    ),
    "merchant": (
        403,
        "Payments are not available",
        "{merchant} is not accepting payments right now. Please try again later.",
    ),
}


def _common() -> dict[str, Any]:
    return {
        "css_url": assets.url("hpp.css"),
        "js_urls": [card_assets.url("cards.js"), assets.url("hpp.js")],
    }


def title_of(page: HostedPage, merchant: Merchant) -> str:
    return page.name or f"Pay {merchant.name}"


def unavailable(result: Unavailable) -> tuple[int, str]:
    status, title, text = _UNAVAILABLE[result.reason]
    html = templates.render(
        "unavailable.html",
        title=title,
        message=text.format(merchant=result.merchant_name or "The business"),
        **_common(),
    )
    return status, html


def _option_groups(
    page: HostedPage, merchant: Merchant, typed: dict[str, str], errors: dict[str, str]
) -> list[Input | Group]:
    items: list[Input | Group] = []
    for option in page.options:
        name = option["name"]
        required, readonly = option["is_required"], bool(option["is_readonly"] and option["value"])
        if name == "address":
            group = Group("Billing address")
            for spec in (
                Input("address1", "Street address", autocomplete="address-line1"),
                Input("city", "City", autocomplete="address-level2"),
                Input("region", "State", autocomplete="address-level1", width="short"),
                Input("account_zip", "ZIP code", autocomplete="postal-code", width="short"),
            ):
                spec.required = required and spec.id != "region"
                group.inputs.append(spec)
            items.append(group)
            continue
        if name in _OPTION_INPUTS:
            spec = _OPTION_INPUTS[name]()
        else:
            number = int(name[-1])
            spec = Input(name, option.get("label") or f"Custom field {number}")
        spec.required, spec.readonly = required, readonly
        if option["value"]:
            spec.value = option["value"]
        items.append(spec)
    if asks_for_zip(page, merchant):
        items.append(
            Input(
                "account_zip",
                "Billing ZIP code",
                autocomplete="postal-code",
                required=True,
                width="short",
            )
        )
    for item in items:
        for spec in item.inputs if isinstance(item, Group) else [item]:
            if not spec.readonly and spec.id in typed:
                spec.value = typed[spec.id]
            spec.error = errors.get(spec.id)
            spec.maxlength = INPUT_LIMITS.get(spec.id, spec.maxlength)
    return items


def _amount_input(
    page: HostedPage, currency: str, typed: PaymentInput | None, errors: dict[str, str]
) -> Input:
    """The amount the payer types, when the page does not fix it."""
    low, high = max(page.min_amount or 0, 1), page.max_amount
    hint = (
        f"Between {money_text(low, currency)} and {money_text(high, currency)}"
        if high is not None
        else (f"At least {money_text(low, currency)}" if page.min_amount else None)
    )
    return Input(
        "amount",
        f"Amount ({currency})",
        inputmode="decimal",
        required=True,
        hint=hint,
        width="short",
        maxlength=20,
        error=errors.get("amount"),
        value=typed.amount_text
        if typed is not None
        else (dollars(page.amount) if page.amount else ""),
    )


def _card_inputs(name_value: str, errors: dict[str, str]) -> list[Input]:
    return [
        Input("name", "Name on card", autocomplete="cc-name", value=name_value),
        Input(
            "card_number",
            "Card number",
            autocomplete="cc-number",
            inputmode="numeric",
            required=True,
            maxlength=23,
            error=errors.get("card_number"),
        ),
        Input(
            "expiry",
            "Expiry date",
            autocomplete="cc-exp",
            inputmode="numeric",
            required=True,
            hint="MM/YY",
            maxlength=7,
            width="short",
            error=errors.get("expiry"),
        ),
        Input(
            "cvv",
            "Security code",
            autocomplete="cc-csc",
            inputmode="numeric",
            required=True,
            hint="3 digits on the back, 4 on the front for American Express",
            maxlength=4,
            width="short",
            error=errors.get("cvv"),
        ),
    ]


def _bank_inputs(typed: PaymentInput | None, errors: dict[str, str]) -> list[Input]:
    """The bank-account fields; the account number is never written back (as a card's)."""
    return [
        Input(
            "account_name",
            "Account holder's name",
            autocomplete="name",
            required=True,
            maxlength=100,
            value=typed.account_name if typed is not None else "",
            error=errors.get("account_name"),
        ),
        Input(
            "routing_number",
            "Routing number",
            inputmode="numeric",
            required=True,
            hint="9 digits, at the bottom left of a check",
            maxlength=11,
            width="short",
            value=typed.routing_number if typed is not None else "",
            error=errors.get("routing_number"),
        ),
        Input(
            "account_number",
            "Account number",
            inputmode="numeric",
            required=True,
            maxlength=21,
            error=errors.get("account_number"),
        ),
        Input(
            "repeated_account_number",
            "Account number again",
            inputmode="numeric",
            required=True,
            maxlength=21,
            error=errors.get("repeated_account_number"),
        ),
    ]


def _error_summary(items: list[Input | Group]) -> list[tuple[str, str | None]]:
    flat: list[Input] = []
    for item in items:
        flat.extend(item.inputs if isinstance(item, Group) else [item])
    return [(spec.id, spec.error) for spec in flat if spec.error]


def _surcharge_text(merchant: Merchant) -> str | None:
    if not (merchant.surcharge_enabled and merchant.surcharge_rate_bps):
        return None
    bps = merchant.surcharge_rate_bps
    return f"{bps // 100}.{bps % 100:02d}%"


def payment_form(
    page: HostedPage,
    merchant: Merchant,
    *,
    attempt: str,
    typed: PaymentInput | None = None,
    errors: dict[str, str] | None = None,
    decline: AnyTransaction | None = None,
    today: str,
) -> str:
    """The form; `today` ("YYYY-MM", the instance clock) lets the page check expiry."""
    errors = errors or {}
    currency = merchant.currency
    locked = page.lock_amount and page.amount is not None
    amount_input = None if locked else _amount_input(page, currency, typed, errors)
    details = _option_groups(page, merchant, typed.values if typed else {}, errors)
    name_value = typed.name if typed is not None else (page.name_on_account or "")
    accepts = merchant.accepts
    card = _card_inputs(name_value, errors) if accepts.cards else []
    bank = _bank_inputs(typed, errors) if accepts.ach else []
    order: list[Input | Group] = [amount_input] if amount_input else []
    summary = _error_summary([*order, *details, *card, *bank])
    if errors.get("account_type"):
        summary.append(("account_type-checking", errors["account_type"]))
    return templates.render(
        "payment.html",
        title=title_of(page, merchant),
        merchant_name=merchant.name,
        action=f"/payment?client_id={page.client_id}",
        attempt=attempt,
        locked_amount=money_text(page.amount, currency) if locked and page.amount else None,
        amount_input=amount_input,
        amount_min=max(page.min_amount or 0, 1),
        amount_max=page.max_amount or "",
        details=details,
        card=card,
        bank=bank,
        method=method_of(merchant, typed),
        offers_card=accepts.cards,
        offers_bank=accepts.ach,
        account_type=typed.account_type if typed is not None else "checking",
        account_type_error=errors.get("account_type"),
        summary=summary,
        decline=decline,
        surcharge=_surcharge_text(merchant),
        today=today,
        currency=currency,
        **_common(),
    )


def receipt(page: HostedPage, merchant: Merchant, txn: AnyTransaction) -> str:
    total = txn.amount_captured + txn.fee_amount
    return templates.render(
        "receipt.html",
        title="Payment received",
        merchant_name=merchant.name,
        page_title=title_of(page, merchant),
        amount=money_text(txn.amount_captured, txn.currency),
        fee=money_text(txn.fee_amount, txn.currency) if txn.fee_amount else None,
        total=money_text(total, txn.currency),
        trans_id=str(txn.id),
        auth_code=txn.auth_code,
        card=(
            f"Bank account ending {txn.last_four}"
            if txn.payment_method == "ach"
            else f"{(txn.card_brand or 'Card').title()} ending {txn.last_four}"
        ),
        paid_at=txn.created_at.strftime("%d %B %Y, %H:%M UTC"),
        order_id=txn.order_id,
        invoice_id=txn.invoice_id,
        used_up=page.status is not PageStatus.ACTIVE and page.disabled_reason == "paid",
        again_url=f"/payment?client_id={page.client_id}" if page.status == "active" else None,
        **_common(),
    )
