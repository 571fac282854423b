"""The new-application form: its fields in groups, the Boarding API request they make, and
the API's field errors put back next to the inputs that caused them.

The form is a flat list of inputs; the Boarding API's request nests the business address
(addresses[0]) and the bank account. Nothing is checked here: the request goes through the
API's own schema and service, so the form takes exactly what the API takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homerun.boarding.choices import ACCOUNT_TYPES, OWNERSHIP_TYPES, PLATFORMS

# Inputs never written back into a re-shown form: the bank account number stays with its
# owner's browser once sent.
NOT_ECHOED = frozenset({"account_number"})
SUBMIT = "submit"  # the button that sends the application for signature at once


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    label: str
    required: bool = False
    kind: str = "text"  # text, email, tel, select, textarea
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 150


def _named(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((value, value.replace("_", " ").capitalize()) for value in values)


_BUSINESS = (
    Input("dba_name", "Business name (DBA)", required=True),
    Input("legal_name", "Legal name"),
    Input("tax_id", "Tax ID (EIN or SSN)", hint="12-3456789 or 123-45-6789", max_length=12),
    Input("ownership_type", "Ownership", kind="select", choices=_named(OWNERSHIP_TYPES)),
    Input(
        "mcc_code", "Merchant category code (MCC)", hint="Four digits, such as 5812", max_length=4
    ),
    Input("years_in_business", "Years in business", max_length=3),
    Input("website", "Website", hint="https://www.example.com", max_length=250),
    Input("phone", "Business phone", kind="tel", hint="555-123-4567", max_length=12),
)
_ADDRESS = (
    Input("address1", "Street address", max_length=100),
    Input("city", "City", max_length=50),
    Input("state", "State", hint="Two letters, such as PA", max_length=2),
    Input("zip", "ZIP code", max_length=10),
)
_SIGNER = (
    Input("signer_first_name", "First name", required=True, max_length=100),
    Input("signer_last_name", "Last name", required=True, max_length=100),
    Input("signer_email", "Email", required=True, kind="email"),
    Input("signer_title", "Title", hint="Owner, CEO", max_length=100),
    Input("signer_phone", "Phone", kind="tel", hint="555-987-6543", max_length=12),
    Input("signer_dob", "Date of birth", hint="mm/dd/yyyy", max_length=10),
)
_PROCESSING = (
    Input(
        "annual_volume", "Annual card volume ($)", hint="Dollars, such as 1200000", max_length=16
    ),
    Input("average_ticket", "Average sale ($)", max_length=16),
    Input("highest_ticket", "Highest sale ($)", max_length=16),
)
_BANK = (
    Input("routing_number", "Routing number", hint="9 digits", max_length=9),
    Input("account_number", "Account number", hint="4 to 17 digits", max_length=17),
    Input("account_type", "Account type", kind="select", choices=_named(ACCOUNT_TYPES)),
)
_ADDRESS_NAMES = tuple(i.name for i in _ADDRESS)
_BANK_NAMES = tuple(i.name for i in _BANK)


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    title: str
    inputs: tuple[Input, ...]


def groups(rep_codes: list[tuple[str, str]]) -> list[Group]:
    """The form's fieldsets; the rep codes are the viewer's (code, label) choices."""
    boarding = (
        Input("rep_code", "Rep code", required=True, kind="select", choices=tuple(rep_codes)),
        Input("platform", "Platform", required=True, kind="select", choices=_named(PLATFORMS)),
    )
    return [
        Group("boarding", "Rep code and platform", boarding),
        Group("business", "Business", _BUSINESS),
        Group("address", "Business address", _ADDRESS),
        Group("signer", "Signer", _SIGNER),
        Group("processing", "Processing", _PROCESSING),
        Group("bank", "Bank account for deposits", _BANK),
    ]


FIELD_NAMES = frozenset(i.name for group in groups([]) for i in group.inputs)


def request_of(fields: dict[str, str]) -> dict[str, Any]:
    """The Boarding API request the form's fields make; empty inputs are left out."""
    given = {name: fields.get(name, "").strip() for name in FIELD_NAMES}
    body: dict[str, Any] = {
        name: value
        for name, value in given.items()
        if value and name not in _ADDRESS_NAMES and name not in _BANK_NAMES
    }
    if any(given[name] for name in _ADDRESS_NAMES):
        body["addresses"] = [
            {"type": "business", **{name: given[name] for name in _ADDRESS_NAMES if given[name]}}
        ]
    if given["routing_number"] or given["account_number"]:
        body["bank_account"] = {name: given[name] for name in _BANK_NAMES if given[name]}
    body["auto_send_for_signature"] = fields.get("send", "") == SUBMIT
    return body


def field_of(api_field: str) -> str:
    """The form input an API error names: addresses.0.zip -> zip, bank_account.x -> x."""
    parts = api_field.split(".")
    if parts[0] == "addresses":
        tail = [p for p in parts[1:] if not p.isdigit()]
        return tail[0] if tail and tail[0] in _ADDRESS_NAMES else "address1"
    if parts[0] == "bank_account":
        return parts[1] if len(parts) > 1 and parts[1] in _BANK_NAMES else "routing_number"
    return parts[0] if parts[0] in FIELD_NAMES else ""


def form_errors(api_errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The API's errors by form input; those no input names go under "" (the page's top)."""
    found: dict[str, list[str]] = {}
    for api_field, problems in api_errors.items():
        found.setdefault(field_of(api_field), []).extend(problems)
    return found
