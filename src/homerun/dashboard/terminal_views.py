"""The virtual terminal's page: the form (a card keyed into Homerun's card frame, or a saved
account), what the form was sent with when it had problems, and the last charge's result.

The page is the dashboard's only one with scripts: Runner.js and the terminal's own script,
both from Homerun itself, and Homerun's card frame. Its policy (`POLICY`) allows exactly
that; every other dashboard page keeps the policy with no frame at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from homerun.dashboard.guard import Viewer
from homerun.dashboard.terminal import CHARGE_PATH, PAGE
from homerun.dashboard.terminal_form import Entered, Problems, Source
from homerun.dashboard.views import _frame, _row, assets, templates
from homerun.kit.pages import page_policy
from homerun.payments.models import Transaction
from homerun.payments.state import PaymentMethod, Result
from homerun.vault.models import PaymentAccount
from homerun.vault.service import SAVINGS, is_bank

# Runner.js (any version string serves the same script) and the card frame it opens are
# Homerun's own: scripts and frames from this origin only; the page itself fetches nothing.
RUNNER_URL = "/javascripts/1.5.5/runner.js"
POLICY = page_policy(frames="'self'")


@dataclass(frozen=True, slots=True)
class Form:
    """One rendering of the form: how it pays, its one-time key, and what to show again."""

    entered: Entered
    form_key: str
    problems: Problems | None = None


def _account(account: PaymentAccount) -> dict[str, Any]:
    bank = is_bank(account)
    kind = ("Savings" if account.account_type == SAVINGS else "Checking") if bank else None
    brand = "Bank account" if bank else (account.brand or "Card").title()
    details = [("Account", f"{brand} ···· {account.last_four}")]
    if kind:
        details.append(("Type", f"{kind} (ACH)"))
    if account.expiry and not bank:
        details.append(("Expires", f"{account.expiry[:2]}/{account.expiry[2:]}"))
    if account.name:
        details.append(("Name", account.name))
    if account.nickname:
        details.append(("Nickname", account.nickname))
    details.append(("Vault ID", str(account.id)))
    return {"id": str(account.id), "bank": bank, "details": details}


def _result(txn: Transaction, zone: ZoneInfo) -> dict[str, Any]:
    row = _row(txn, zone)
    title = {Result.APPROVED: "Approved", Result.DECLINED: "Declined"}.get(
        txn.result, "Outcome not known yet"
    )
    card = row["card"] if txn.last_four else ""
    if txn.last_four and txn.payment_method is PaymentMethod.ACH:
        card = f"Bank account ···· {txn.last_four}"
    return {
        "ok": txn.result is Result.APPROVED,
        "title": title,
        "amount": row["amount"],
        "card": card,
        "status": row["status"],
        "resp": f"{txn.resp_text} ({txn.resp_code})",
        "auth_code": txn.auth_code,
        "href": row["href"],
        "id": row["id"],
    }


def page(
    viewer: Viewer,
    form: Form,
    zone: ZoneInfo,
    *,
    public_key: str | None = None,
    sandbox: bool = False,
    account: PaymentAccount | None = None,
    lookup_error: str | None = None,
    done: Transaction | None = None,
) -> str:
    problems = form.problems or Problems()
    card = form.entered.source is Source.CARD
    return templates.render(
        "terminal.html",
        title="Terminal",
        card=card,
        action=CHARGE_PATH,
        page_url=PAGE,
        entered=form.entered,
        form_key=form.form_key,
        errors=problems.fields,
        messages=problems.messages(),
        general=problems.general,
        public_key=public_key,
        sandbox=sandbox,
        account=_account(account) if account is not None else None,
        lookup_error=lookup_error,
        result=_result(done, zone) if done is not None else None,
        scripts=[RUNNER_URL, assets.url("terminal.js")] if card and public_key else [],
        **_frame(viewer, PAGE),
    )
