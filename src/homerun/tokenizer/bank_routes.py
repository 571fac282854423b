"""The bank-account half of POST /homerun/v1/tokens (ruling R15): check what the payer
typed, ask account validation for its risk decision, and answer the R15 callback shape.
Nothing here echoes the account number."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ach.bank_accounts import account_number_problem, routing_problem
from homerun.errors import ValidationFailed
from homerun.merchants.models import Merchant
from homerun.processors.simulator.ach_accounts import RiskDecision, behaviour_of
from homerun.runtime import Runtime
from homerun.tokenizer import bank_tokens
from homerun.tokenizer.schemas import TokenizeRequest


def checked_account(body: TokenizeRequest) -> bank_tokens.BankAccount:
    """The bank account of an ACH-mode request, or a 400 naming the field at fault."""
    routing = (body.routing_number or "").replace(" ", "")
    problem = routing_problem(routing)
    if problem is not None:
        raise ValidationFailed.field("routing_number", problem)
    account = body.account_number.replace(" ", "").replace("-", "")
    problem = account_number_problem(account)
    if problem is not None:
        raise ValidationFailed.field("account_number", problem)
    repeated = body.repeated_account_number
    if repeated is not None and repeated.replace(" ", "").replace("-", "") != account:
        raise ValidationFailed.field("repeated_account_number", "does not match account_number")
    name = (body.name or "").strip()
    if not name:
        raise ValidationFailed.field("name", "is required for a bank account")
    return bank_tokens.BankAccount(routing, account, body.account_type, name, body.entry_class)


async def bank_account_token(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, body: TokenizeRequest
) -> dict[str, Any]:
    account = checked_account(body)
    # Account validation (iStream's risk_info): the simulator's documented test accounts.
    behaviour = behaviour_of(account.routing_number, account.account_number)
    token = ""
    if behaviour.decision is not RiskDecision.DECLINE:
        row = await bank_tokens.tokenize(session, runtime, merchant.id, account)
        token = row.token
    return {
        "account_token": token,
        "token": token,
        "expiry": "",
        "bank_account": {
            "routing_number": account.routing_number,
            "last4": account.account_number[-4:],
            "account_type": account.account_type.value,
            "name": account.holder_name,
            "entry_class": account.entry_class.value,
        },
        "risk_info": {"decision": behaviour.decision.value, "reason": behaviour.reason},
        "card_info": {},
    }
