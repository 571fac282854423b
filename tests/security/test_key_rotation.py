"""Per-merchant data keys under a master key, and `homerun keys rotate`.

Rotation re-wraps the data keys under the new master key and never rewrites a card
row; while it runs, old and new master keys both open everything.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidTag
from pydantic import SecretStr
from sqlalchemy import select

from homerun.keys.models import DataKey
from homerun.kit.crypto import UnknownMasterKey, decode_key, encode_key, key_id, new_key
from homerun.runtime import Runtime
from homerun.startup import open_runtime
from homerun.tokenizer.models import CardToken
from homerun.tokenizer.service import fingerprint, open_card
from tests.commands import homerun
from tests.conftest import MerchantAccess
from tests.isolated import (
    isolated_app,
    isolated_database,
    migrate,
    new_merchant,
    settings_for,
)
from tests.vault.support import created, tokenize

PAN = "4111111111111111"


async def keys_cli(url: str, *args: str, **env: str) -> tuple[int, Any, str]:
    code, text, err = await homerun(url, "keys", *args, **env)
    return code, (json.loads(text) if text.strip().startswith("{") else text), err


async def rows(
    runtime: Runtime,
) -> tuple[dict[int, tuple[int, bytes]], dict[str, tuple[str, bytes]]]:
    """Card rows (id -> data key, ciphertext) and data keys (scope -> master id, wrapped)."""
    async with runtime.db.transaction() as session:
        cards = {
            c.id: (c.data_key_id, c.pan_ciphertext)
            for c in (await session.scalars(select(CardToken))).all()
        }
        keys = {
            k.scope: (k.master_key_id, k.wrapped_key)
            for k in (await session.scalars(select(DataKey))).all()
        }
    return cards, keys


async def charge(client: httpx.AsyncClient, m: MerchantAccess, **fields: Any) -> dict[str, Any]:
    answer = await client.post(
        "/api/v1/charge", json={"mid": m.mid, "amount": 500, **fields}, headers=m.headers
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_rotation_rewraps_data_keys_only_and_both_keys_work_meanwhile() -> None:
    old, new = encode_key(new_key()), encode_key(new_key())
    async with isolated_database("homerun_keys") as database:
        url = database.url
        await migrate(url)

        # Before: everything under the old master key, one data key per merchant.
        async with isolated_app(settings_for(url, master_key=SecretStr(old))) as (rt, client):
            one, two = await new_merchant(client), await new_merchant(client)
            token_one, token_two = (
                await tokenize(client, one, PAN),
                await tokenize(client, two, PAN),
            )
            assert token_one != token_two
            account = await created(client, one, account_token=token_one)
            keyed = {**one.headers, "Idempotency-Key": "before-rotation"}
            first = await client.post(
                "/api/v1/charge",
                json={"mid": one.mid, "amount": 700, "account_token": token_one},
                headers=keyed,
            )
            assert first.status_code == 200, first.text
            cards, keys = await rows(rt)
            async with rt.db.transaction() as session:
                tokens = (await session.scalars(select(CardToken))).all()
                merchant_ids = {t.merchant_id for t in tokens}
                prints = {t.fingerprint for t in tokens}
            for t in tokens:
                assert t.fingerprint == fingerprint(rt, t.merchant_id, PAN)
        assert len(merchant_ids) == 2 and len(prints) == 2  # per merchant, never shared
        assert set(keys) == {"instance", *(f"merchant:{m}" for m in merchant_ids)}
        assert {master for master, _ in keys.values()} == {key_id(decode_key(old))}
        assert len({data_key for data_key, _ in cards.values()}) == 2

        # During: the new key is current, the old one still opens what it wrapped.
        during = settings_for(url, master_key=SecretStr(new), previous_master_keys=SecretStr(old))
        async with isolated_app(during) as (rt, client):
            assert (await charge(client, one, account_token=token_one))["result"] == "A"
            replay = await client.post(
                "/api/v1/charge",
                json={"mid": one.mid, "amount": 700, "account_token": token_one},
                headers=keyed,
            )
            assert replay.json() == first.json()
            assert replay.headers["Idempotent-Replayed"] == "true"
            code, report, err = await keys_cli(
                url, "rotate", HOMERUN_MASTER_KEY=new, HOMERUN_PREVIOUS_MASTER_KEYS=old
            )
            assert code == 0, err
            assert report == {
                "master_key_id": key_id(decode_key(new)),
                "rewrapped": 3,
                "unreadable": [],
            }
            # This node keeps serving through the rotation.
            assert (await charge(client, two, account_token=token_two))["result"] == "A"
        code, status, err = await keys_cli(url, "status", HOMERUN_MASTER_KEY=new)
        assert code == 0, err
        assert status["rotation_complete"] is True
        assert status["data_keys_by_master_key"] == {key_id(decode_key(new)): 3}

        # After: card rows untouched, data keys re-wrapped.
        async with isolated_app(settings_for(url, master_key=SecretStr(new))) as (rt, client):
            cards_after, keys_after = await rows(rt)
            assert cards_after == cards
            assert set(keys_after) == set(keys)
            for scope, (master, wrapped) in keys_after.items():
                assert master == key_id(decode_key(new)) and wrapped != keys[scope][1]
            # The old key is no longer needed: everything opens under the new one alone.
            assert (await charge(client, two, account_token=token_two))["result"] == "A"
            vaulted = await charge(client, one, vault_id=account["uuid"])
            assert (vaulted["result"], vaulted["card_number"]) == ("A", "**** **** **** 1111")
            again = await client.post(
                "/api/v1/charge",
                json={"mid": one.mid, "amount": 700, "account_token": token_one},
                headers=keyed,
            )
            assert again.json() == first.json()
        code, report, err = await keys_cli(url, "rotate", HOMERUN_MASTER_KEY=new)
        assert (code, report["rewrapped"]) == (0, 0), err

        # ... and the old key alone opens nothing any more.
        with pytest.raises(UnknownMasterKey):
            await open_runtime(settings_for(url, master_key=SecretStr(old)))
        code, _, err = await keys_cli(url, "rotate", HOMERUN_MASTER_KEY=old)
        assert code == 1 and "HOMERUN_PREVIOUS_MASTER_KEYS" in err


async def test_a_card_row_opens_only_for_its_own_merchant() -> None:
    """The ciphertext is bound to its merchant: moved to another, it does not open."""
    async with isolated_database("homerun_bound") as database:
        await migrate(database.url)
        async with isolated_app(settings_for(database.url)) as (runtime, client):
            one, two = await new_merchant(client), await new_merchant(client)
            await tokenize(client, one, PAN)
            await tokenize(client, two, "5555555555554444")
            async with runtime.db.transaction() as session:
                first, second = (
                    await session.scalars(select(CardToken).order_by(CardToken.id))
                ).all()
                assert (await open_card(session, runtime, first)).pan == PAN
                moved = CardToken(
                    merchant_id=second.merchant_id,
                    data_key_id=first.data_key_id,
                    pan_ciphertext=first.pan_ciphertext,
                )
                with pytest.raises(InvalidTag):
                    await open_card(session, runtime, moved)
                stolen_key = CardToken(
                    merchant_id=first.merchant_id,
                    data_key_id=second.data_key_id,
                    pan_ciphertext=first.pan_ciphertext,
                )
                with pytest.raises(InvalidTag):
                    await open_card(session, runtime, stolen_key)
