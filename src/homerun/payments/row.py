"""A transaction row written by a Core statement: a new charge, on the hot path.

The same fields as the mapped Transaction (a test keeps them equal), as a plain object.
Building a mapped instance and reading it back for the insert costs ~480 Python calls
(the ORM's attribute events), more than the insert itself; a charge's row is written
exactly once, complete, so it needs none of them. Code that reads a transaction takes
either (`AnyTransaction`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homerun.ach.bank_accounts import AccountType
from homerun.payments.models import Transaction
from homerun.payments.state import Kind, PaymentMethod, Result, State


@dataclass(slots=True)
class NewTransaction:
    merchant_id: int
    kind: Kind
    state: State
    currency: str
    amount_form: str
    amount_requested: int
    result: Result
    resp_code: str
    resp_text: str
    resp_proc: str
    order_id: str
    created_at: datetime
    updated_at: datetime
    amount_authorized: int = 0
    amount_captured: int = 0
    amount_refunded: int = 0
    fee_rate_bps: int = 0
    fee_amount: int = 0
    fee_refunded: int = 0
    auth_code: str | None = None
    avs_resp: str = ""
    cvv_resp: str = ""
    processor_ref: str | None = None
    card_brand: str | None = None
    card_funding: str | None = None
    comm_card: bool = False
    bin: str | None = None
    last_four: str | None = None
    account_token: str | None = None
    expiration: str | None = None
    invoice_id: str | None = None
    user_identifier: str | None = None
    cof: str | None = None
    cof_sched: str | None = None
    cof_perm: str | None = None
    com_ind: str | None = None
    vault_id: str | None = None
    vault_holder_id: str | None = None
    vaulted: bool = False
    holder: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    batch_id: str | None = None
    settled_at: datetime | None = None
    authorization_expires_at: datetime | None = None
    chargeback_after_days: int | None = None
    chargeback_reason: str | None = None
    parent_id: int | None = None
    payment_method: PaymentMethod = PaymentMethod.CARD
    ach_account_type: AccountType | None = None
    ach_routing_number: str | None = None
    ach_entry_class: str | None = None
    ach_return_code: str | None = None
    ach_return_reason: str | None = None
    ach_change_code: str | None = None
    ach_originated_at: datetime | None = None
    ach_planned_return: str | None = None
    ach_return_after_days: int | None = None
    id: int = 0  # 0 until its insert has run (ids start at 1)


AnyTransaction = Transaction | NewTransaction
