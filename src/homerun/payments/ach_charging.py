"""A charge of a bank account (ruling R15): always a sale, accepted for origination.

Nothing is known at the moment of an ACH charge: the payment is accepted (result "A",
settlement_status "Pending") and its money moves when it is originated in the merchant's
batch and settles; the payer's bank may return it days later (docs/ach.md). The row goes
through the ACH lifecycle table (state.ACH_TRANSITIONS) and the same write path as a card
charge (repository.insert_new). Surcharges never apply.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ach.bank_accounts import EntryClass
from homerun.errors import HomerunError, ValidationFailed
from homerun.merchants.models import Merchant
from homerun.payments import events, repository
from homerun.payments.card_source import from_vault, vault_details
from homerun.payments.row import NewTransaction
from homerun.payments.schemas import ChargeRequest
from homerun.payments.state import Event, Kind, PaymentMethod, Result, apply_ach
from homerun.processors.registry import processor_for
from homerun.processors.simulator.ach_accounts import behaviour_of
from homerun.runtime import Runtime
from homerun.tokenizer import bank_tokens
from homerun.tokenizer.models import AchToken
from homerun.vault import service as vault

ACH_BRAND = "ACH"
ACCEPTED_CODE, ACCEPTED_TEXT = "00", "Accepted"


class AchNotTaken(HomerunError):
    """An ACH charge on a MID that does not take ACH. Run answers it with a bare 400
    (spec §4.2, ruling R15), and so does the charge route; any other caller of the
    charge gets the R6 body this carries."""

    status_code = 400
    code = "ach_not_accepted"

    def __init__(self) -> None:
        super().__init__("this merchant does not take ACH payments")


def refuse_card_on_ach_only() -> ValidationFailed:
    return ValidationFailed.field(
        "account_token", "this merchant takes bank accounts (ACH) only: send an ACH token"
    )


async def charge_bank_account(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    txn: NewTransaction,
    bank: AchToken,
    *,
    on_file: vault.BankChargeAccount | None = None,
) -> NewTransaction:
    """An ACH sale of a bank token, or of a vaulted bank account (`on_file`, debited as
    the account's checking or savings type); vault:"Y" on a token stores the account."""
    if not merchant.accepts.ach:
        raise AchNotTaken
    if "capture" in request.model_fields_set and not request.capture:
        raise ValidationFailed.field(
            "capture", 'must be "Y" (or absent) for a bank account: an ACH payment is a sale'
        )
    if txn.amount_requested == 0:
        raise ValidationFailed.field("amount", "must be more than 0 for a bank account")
    entry_class = bank.entry_class
    if request.com_ind:
        if request.com_ind.upper() not in set(EntryClass):
            raise ValidationFailed.field(
                "com_ind", "for a bank account must be WEB, PPD, CCD or TEL"
            )
        entry_class = EntryClass(request.com_ind.upper())
    txn.payment_method = PaymentMethod.ACH
    txn.kind = Kind.SALE
    txn.card_brand = ACH_BRAND
    txn.last_four = bank.last_four
    txn.account_token = bank.token
    txn.ach_account_type = bank.account_type
    txn.ach_routing_number = bank.routing_number
    txn.ach_entry_class = entry_class.value
    txn.com_ind = request.com_ind.upper() if request.com_ind else None
    if on_file is not None:
        from_vault(txn, on_file.account, on_file.holder)
        txn.ach_account_type = vault.bank_account_type(on_file.account)
    txn.holder = {"name": bank.holder_name, **txn.holder}
    txn.resp_proc = processor_for(merchant.processor).name
    # What the payer's bank will send back, days after settlement (the simulator's test
    # accounts: docs/testing.md): kept on the row for the ACH cut-off job, as a card's
    # chargeback is.
    account = behaviour_of(
        bank.routing_number, await bank_tokens.account_number(session, runtime, bank)
    )
    txn.ach_planned_return = account.return_code
    txn.ach_return_after_days = account.return_after_days
    txn.state = apply_ach(txn.state, Event.ACCEPT)
    txn.result, txn.resp_code, txn.resp_text = Result.APPROVED, ACCEPTED_CODE, ACCEPTED_TEXT
    txn.amount_authorized = txn.amount_captured = txn.amount_requested
    await _vault(session, runtime, merchant, request, txn, bank, on_file)
    event = events.new_transaction_outcome(txn, merchant.mid, txn.created_at)
    await repository.insert_new(session, txn, event)
    return txn


async def _vault(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    request: ChargeRequest,
    txn: NewTransaction,
    bank: AchToken,
    on_file: vault.BankChargeAccount | None,
) -> None:
    """As for cards: a payer-initiated charge of a vaulted account with cof_perm "Y"
    records the consent; vault:"Y" on a token stores the bank account (joining the
    holder vault_holder_id names, or a new one)."""
    if on_file is not None:
        if request.cof_perm and txn.cof != "M":
            await vault.grant_permission(session, on_file.account)
        return
    if not request.vault:
        return
    holder = None
    if request.vault_holder_id:
        holder = await vault.holder_for(session, merchant, request.vault_holder_id)
        if holder is None:
            raise ValidationFailed.field(
                "vault_holder_id", "names no vault holder of this merchant"
            )
    stored = await vault.store_bank_from_charge(
        session,
        runtime,
        merchant,
        bank,
        holder=holder,
        details=vault_details(txn),
        cof_permission=bool(request.cof_perm),
    )
    txn.vault_id, txn.vault_holder_id = stored.account.uuid, stored.holder.uuid
    txn.vaulted = True
