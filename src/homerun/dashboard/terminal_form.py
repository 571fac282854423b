"""The virtual terminal's form, read into the request the payments service is asked.

The card itself is never here: the page keys it into Homerun's card frame (Runner.js), and
the form carries only the token the frame made. Every problem names its field in the words
of the page ("Amount: ..."), and no message repeats what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from homerun.dashboard.once import sound
from homerun.errors import HomerunError
from homerun.kit.money import AmountError, parse_dollars
from homerun.payments.schemas import ChargeRequest
from homerun.vault.service import parse_ref


class Source(StrEnum):
    CARD = "card"  # keyed into the card frame: the form carries its token
    SAVED = "saved"  # a vault payment account of the merchant (a card or a bank account)


# The form's fields and how the page names them; a service's problem with a request field
# (its R6 `errors` key) is shown on the form field that field came from.
LABELS = {
    "account_token": "Card",
    "vault_id": "Saved account",
    "amount": "Amount",
    "capture": "Capture",
    "order_id": "Order ID",
    "invoice_id": "Invoice ID",
    "form_key": "Form",
}
_FROM_REQUEST = {"vault_holder_id": "vault_id", "expiration": "account_token", "com_ind": "capture"}
_TEXT_LIMIT = 64  # the order_id and invoice_id columns
_TOKEN = re.compile(r"^[0-9]{12,19}$")  # a card or bank-account token (R11, R15)


@dataclass(frozen=True, slots=True)
class Entered:
    """What the form says, as typed (a page with problems shows it again)."""

    source: Source
    amount: str = ""
    capture: bool = True
    order_id: str = ""
    invoice_id: str = ""
    account_token: str = ""
    vault_id: str = ""
    form_key: str = ""


@dataclass(frozen=True, slots=True)
class Checked:
    """A form with no problem: the amount in minor units, and the request to make."""

    entered: Entered
    amount: int


@dataclass(frozen=True, slots=True)
class Problems:
    """Field -> what is wrong with it; `general` for what belongs to no one field."""

    fields: dict[str, str] = field(default_factory=dict)
    general: str | None = None

    def messages(self) -> list[tuple[str, str]]:
        """(field, "Label: problem."), in the form's order."""
        return [
            (name, f"{LABELS[name]}: {self.fields[name]}.")
            for name in LABELS
            if name in self.fields
        ]


def read(fields: dict[str, str]) -> Entered:
    source = Source.SAVED if fields.get("source") == Source.SAVED else Source.CARD
    return Entered(
        source=source,
        amount=fields.get("amount", "").strip()[:32],
        capture=fields.get("capture", "sale") != "auth",
        order_id=fields.get("order_id", "").strip()[:200],
        invoice_id=fields.get("invoice_id", "").strip()[:200],
        account_token=fields.get("account_token", "").strip()[:64] if source is Source.CARD else "",
        vault_id=fields.get("vault_id", "").strip()[:64] if source is Source.SAVED else "",
        form_key=fields.get("form_key", "")[:64],
    )


def _amount(typed: str) -> tuple[int | None, str | None]:
    if not typed:
        return None, "is required"
    try:
        minor = parse_dollars(typed.removeprefix("$").replace(",", ""))
    except AmountError as problem:
        return None, str(problem)
    if minor == 0:
        return None, "must be more than $0.00"
    return minor, None


def check(entered: Entered) -> Checked | Problems:
    problems: dict[str, str] = {}
    if not sound(entered.form_key):
        problems["form_key"] = "it had expired; open the terminal again"
    if entered.source is Source.CARD and not _TOKEN.match(entered.account_token):
        problems["account_token"] = "key in the card number and its expiry in the card form"  # noqa: S105 - a message
    if entered.source is Source.SAVED and parse_ref(entered.vault_id) is None:
        problems["vault_id"] = "enter the account's vault ID (a number or a uuid)"
    minor, trouble = _amount(entered.amount)
    if trouble is not None:
        problems["amount"] = trouble
    for name in ("order_id", "invoice_id"):
        if len(getattr(entered, name)) > _TEXT_LIMIT:
            problems[name] = f"must be at most {_TEXT_LIMIT} characters"
    if problems or minor is None:
        return Problems(problems)
    return Checked(entered, minor)


def charge_request(checked: Checked, mid: str, user_identifier: str) -> ChargeRequest:
    """What POST /api/v1/charge would be sent for this form (the amount in integer cents).
    check() has bounded every field the schema bounds, so the schema accepts it."""
    entered = checked.entered
    body: dict[str, object] = {
        "mid": mid,
        "amount": checked.amount,
        "capture": "Y" if entered.capture else "N",
        "user_identifier": user_identifier[:64],
    }
    if entered.source is Source.CARD:
        body["account_token"] = entered.account_token
    else:
        body["vault_id"] = entered.vault_id
    if entered.order_id:
        body["order_id"] = entered.order_id
    if entered.invoice_id:
        body["invoice_id"] = entered.invoice_id
    return ChargeRequest.model_validate(body)


def refused(problem: HomerunError) -> Problems:
    """A request-level refusal of the payments service (R6), on the field it names."""
    for name, texts in (problem.errors or {}).items():
        shown = _FROM_REQUEST.get(name, name)
        if shown in LABELS and texts:
            return Problems({shown: texts[0]})
    return Problems(general=problem.message)
