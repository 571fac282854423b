"""The payment link form: what a merchant types, as the body hpp's own API takes, and hpp's
validation errors put back on the form's fields.

No rule lives here: the body is validated by hpp's wire models (`HppCreate`, `HppEdit`) and
the page by `hpp.service`, exactly as for `POST /api/v1/hpp` and `PUT /api/v1/hpp/{id}`.
This module only translates: form inputs to the body, error keys (`amount`,
`hpp_options.2.label`) to the inputs that hold them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from homerun.errors import ValidationFailed
from homerun.hpp.models import HostedPage
from homerun.hpp.schemas import OPTION_NAMES, HppCreate, HppEdit
from homerun.kit.money import to_dollars
from homerun.kit.web import NUL_PROBLEM, validation_failed

Body = TypeVar("Body", HppCreate, HppEdit)

TEXTS = ("name", "name_on_account", "amount", "min_amount", "max_amount")
FLAGS = ("lock_amount", "disable_after_payment")
CUSTOMS = tuple(name for name in OPTION_NAMES if name.startswith("custom_"))
OPTION_LABELS = {
    "address": "Billing address",
    "phone": "Phone",
    "email": "Email",
    "invoice_id": "Invoice number",
    **{name: f"Custom field {name[-1]}" for name in CUSTOMS},
}
ASK = {"": "Not asked", "optional": "Optional", "required": "Required"}
LABELS = {
    "name": "Description",
    "name_on_account": "Payer's name",
    "amount": "Amount",
    "lock_amount": "Fixed amount",
    "min_amount": "Smallest amount",
    "max_amount": "Largest amount",
    "disable_after_payment": "Single use",
    **{f"opt_{name}": label for name, label in OPTION_LABELS.items()},
    **{f"label_{name}": f"{OPTION_LABELS[name]} label" for name in CUSTOMS},
}
# Longer than any field may be, so that hpp's own limit answers, yet nothing large is kept.
_KEEP = 400


@dataclass
class LinkForm:
    """A form as typed (by input name), and what is wrong with it."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # input name -> message
    problem: str | None = None  # a refusal that names no input

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(input name, its label, the message), in the form's order."""
        return [(name, LABELS[name], self.errors[name]) for name in LABELS if name in self.errors]

    def asked(self, option: str) -> str:
        return self.values.get(f"opt_{option}", "")


def blank() -> LinkForm:
    return LinkForm()


def of_page(page: HostedPage) -> LinkForm:
    """The form filled in with a page as it is stored."""
    values = {name: getattr(page, name) or "" for name in ("name", "name_on_account")}
    for name in ("amount", "min_amount", "max_amount"):
        minor = getattr(page, name)
        values[name] = "" if minor is None else to_dollars(minor)
    for name in FLAGS:
        values[name] = "on" if getattr(page, name) else ""
    for option in page.options:
        values[f"opt_{option['name']}"] = "required" if option["is_required"] else "optional"
        if option["name"] in CUSTOMS:
            values[f"label_{option['name']}"] = option.get("label") or ""
    return LinkForm(values)


def read(fields: dict[str, str]) -> LinkForm:
    """The form as posted: known inputs only, trimmed."""
    names = (*TEXTS, *FLAGS, *(f"opt_{n}" for n in OPTION_NAMES), *(f"label_{n}" for n in CUSTOMS))
    values = {name: fields.get(name, "").strip()[:_KEEP] for name in names}
    # PostgreSQL keeps no NUL in text: refused here, before it reaches the database.
    errors = {name: NUL_PROBLEM for name, value in values.items() if "\x00" in value}
    for name in errors:
        values[name] = values[name].replace("\x00", "")
    for name in FLAGS:
        values[name] = "on" if values[name] else ""
    for name in OPTION_NAMES:
        if values[f"opt_{name}"] not in ASK:
            values[f"opt_{name}"] = ""
    return LinkForm(values, errors)


def _dollars(text: str) -> str | None:
    """What the API takes: "1,250.00" and "$12" typed as people write them; empty is none."""
    cleaned = text.removeprefix("$").replace(",", "").strip()
    return cleaned or None


def _options(form: LinkForm, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The fields the page asks for: kept in their stored order, new ones after. A preset
    value and read-only flag set through the API are kept as they are."""
    stored = {o["name"]: o for o in existing}
    order = [o["name"] for o in existing] + [n for n in OPTION_NAMES if n not in stored]
    options = []
    for name in order:
        ask = form.asked(name)
        if not ask:
            continue
        kept = stored.get(name, {})
        label = form.values.get(f"label_{name}") if name in CUSTOMS else kept.get("label")
        options.append(
            {
                "name": name,
                "value": kept.get("value"),
                "is_readonly": bool(kept.get("is_readonly")),
                "is_required": ask == "required",
                "label": label or None,
            }
        )
    return options


def body(
    model: type[Body], form: LinkForm, existing: list[dict[str, Any]], **extra: str
) -> Body | None:
    """hpp's body for the form (every field, so that an emptied one is reset), or None
    with the form's errors set."""
    if form.errors:
        return None
    values = form.values
    data: dict[str, Any] = {
        "name": values.get("name") or None,
        "name_on_account": values.get("name_on_account") or None,
        **{name: _dollars(values.get(name, "")) for name in ("amount", "min_amount", "max_amount")},
        **{name: values.get(name) == "on" for name in FLAGS},
        "hpp_options": _options(form, existing),
        **extra,
    }
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        take_errors(form, validation_failed(problem), data["hpp_options"])
        return None


def take_errors(form: LinkForm, fault: ValidationFailed, options: list[dict[str, Any]]) -> None:
    """hpp's errors on the inputs that hold them; the rest as the form's problem."""
    unplaced: list[str] = []
    for key, messages in (fault.errors or {}).items():
        name = _input_of(key, options)
        if name is None:
            unplaced.append(f"{key}: {', '.join(messages)}")
        else:
            form.errors.setdefault(name, ", ".join(messages))
    if unplaced or not fault.errors:
        form.problem = "; ".join(unplaced) or fault.message


def _input_of(key: str, options: list[dict[str, Any]]) -> str | None:
    if key in LABELS:
        return key
    parts = key.split(".")
    if parts[0] != "hpp_options" or len(parts) < 2 or not parts[1].isdigit():
        return None
    index = int(parts[1])
    if index >= len(options):
        return None
    option = options[index]["name"]
    if parts[2:3] == ["label"] and option in CUSTOMS:
        return f"label_{option}"
    return f"opt_{option}"
