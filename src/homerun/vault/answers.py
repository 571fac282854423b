"""Response bodies of the vault endpoints, in the shapes the Run docs show (spec 4.8-4.11).

A bank account (R15) answers in the same shapes: `account_type` 3 or 4, no card brand
id or expiry, and the bank's routing number and entry class; of its account number only
the last four are ever shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homerun.kit.cards import BRAND_IDS, expiry_from_mmyy
from homerun.tokenizer.models import AchToken
from homerun.vault.schemas import ACCOUNT_CUSTOM_FIELDS, DETAIL_FIELDS
from homerun.vault.service import AccountRef, Stored


def _expiration(mmyy: str | None) -> str | None:
    return expiry_from_mmyy(mmyy).yyyy_mm if mmyy else None


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _brand_id(stored: Stored) -> str | None:
    return None if isinstance(stored.token, AchToken) else str(BRAND_IDS[stored.account.brand])


def _bank(stored: Stored) -> dict[str, Any]:
    """What a bank account adds: routing number (a bank's public identifier) and entry
    class; nothing for a card."""
    bank = stored.token
    if not isinstance(bank, AchToken):
        return {}
    return {"routing_number": bank.routing_number, "entry_class": bank.entry_class.value}


def _customs(stored: Stored) -> dict[str, Any]:
    return {name: getattr(stored.account, name) for name in ACCOUNT_CUSTOM_FIELDS}


def created(stored: Stored, mid: str) -> dict[str, Any]:
    """Create Vault Payment Account: `uuid` and the integer `vault_id` (R8)."""
    a = stored.account
    return {
        "uuid": a.uuid,
        "vault_id": a.id,
        "vault_holder_id": stored.holder.uuid,
        "mid": mid,
        "name": a.name,
        "account_type": a.account_type,
        "is_default": a.is_default,
        "zipcode": a.account_zip,
        "address1": a.address1,
        "address2": a.address2,
        "city": a.city,
        "region": a.region,
        "country": a.country,
        "email": a.email,
        "phone": a.phone,
        **_customs(stored),
        "account_token": stored.token.token,
        "card_brand_id": _brand_id(stored),
        "last_four": a.last_four,
        "expiration": _expiration(a.expiry),
        "cof_perm": "Y" if a.cof_permission else "N",
        **_bank(stored),
    }


def account(stored: Stored, mid: str) -> dict[str, Any]:
    """Get Vault Payment Account: flags as "0"/"1", ids as strings, expiry as YYYY-MM."""
    a = stored.account
    body: dict[str, Any] = {
        "id": a.id,
        "vaults_id": f"vault_{a.id}",
        "uuid": a.uuid,
        "vault_holder_id": stored.holder.uuid,
        "mid": mid,
        "account_token": stored.token.token,
        "card_brand_id": _brand_id(stored),
        "vault_account_type_id": str(a.account_type),
        "card_brand": a.brand,
    }
    body.update({name: getattr(a, name) for name in DETAIL_FIELDS})
    body.update(
        last_four=a.last_four,
        expiration=_expiration(a.expiry),
        **_customs(stored),
        entry_class=None,
        ach_acct_type_id=a.ach_acct_type_id,
        cof_perm="Y" if a.cof_permission else "N",
        is_deleted="1" if a.is_deleted else "0",
        is_default="1" if a.is_default else "0",
        created=_time(a.created_at),
        updated=_time(a.updated_at),
    )
    body.update(_bank(stored))
    return body


def updated(stored: Stored, ref: AccountRef, identifier: str) -> dict[str, Any]:
    """Update Vault Account Details: the documented fields; vault_id as the path gave it."""
    a = stored.account
    vault_id: int | str = ref.id if ref.id is not None and identifier.isdigit() else identifier
    body: dict[str, Any] = {
        "vault_id": vault_id,
        "uuid": a.uuid,
        "vault_holder_id": stored.holder.uuid,
        "account_zip": a.account_zip,
        "is_default": "Y" if a.is_default else "N",
        "ach_acct_type_id": a.ach_acct_type_id,
    }
    for name in ("address1", "address2", "city", "region", "country", "email", "name", "phone"):
        body[name] = getattr(a, name)
    body.update(_customs(stored))
    body.update(
        nickname=a.nickname,
        last_four=a.last_four,
        expiration=_expiration(a.expiry),
        cof_perm="Y" if a.cof_permission else "N",
        **_bank(stored),
    )
    return body


def deleted(uuid: str, already: bool) -> dict[str, Any]:
    verb = "was already deleted" if already else "deleted successfully"
    return {"success": True, "message": f"Vault payment account {uuid} {verb}"}
