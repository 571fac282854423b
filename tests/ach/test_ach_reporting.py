"""ACH payments in Reporting's transactions (ruling R15): their fields, and `q` on them."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from tests.ach.helpers import ach_sale, originate, settle_ach
from tests.conftest import ADMIN, MerchantFactory
from tests.helpers import charge
from tests.oauth.support import bearer, make_client

API = "/ords/sprint/api/3p/v1/transactions"


async def items(
    client: httpx.AsyncClient, headers: dict[str, str], q: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    params = {"q": orjson.dumps(q).decode()} if q else {}
    answer = await client.get(API, headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["items"]
    return found


async def test_ach_payments_report_their_fields_and_filter_by_them(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="both")
    returned = await ach_sale(client, m, 2500, account_type="savings")
    kept = await ach_sale(client, m, 1000, account_number="86063002", entry_class="PPD")
    card = (await charge(client, m, amount=700)).json()["trans_id"]
    await originate(client, m)
    await settle_ach(client, m)
    answer = await client.post(
        f"/homerun/v1/merchants/{m.mid}/transactions/{returned}/ach-return",
        json={"return_code": "R02"},
        headers=ADMIN,
    )
    assert answer.status_code == 200, answer.text
    headers = await bearer(client, await make_client(client, m.mid))
    by_id = {item["trans_id"]: item for item in await items(client, headers)}
    ach = {
        k: by_id[returned][k]
        for k in (
            "payment_method",
            "account_type",
            "entry_class",
            "return_code",
            "return_reason",
            "settlement_status",
            "card_brand",
            "card_number",
            "expiration",
            "amount",
        )
    }
    assert ach == {
        "payment_method": "ach",
        "account_type": "savings",
        "entry_class": "WEB",
        "return_code": "R02",
        "return_reason": "Account closed",
        "settlement_status": "Returned",
        "card_brand": "ACH",
        "card_number": "****3057",
        "expiration": None,
        "amount": 25.0,
    }
    assert (by_id[kept]["settlement_status"], by_id[kept]["entry_class"]) == ("Settled", "PPD")
    assert by_id[kept]["return_code"] is None
    assert {k: by_id[card][k] for k in ("payment_method", "account_type", "return_code")} == {
        "payment_method": "card",
        "account_type": None,
        "return_code": None,
    }
    assert list(by_id[card]) == sorted(by_id[card])
    filtered = await items(client, headers, {"settlement_status": "Returned"})
    assert [i["trans_id"] for i in filtered] == [returned]
    filtered = await items(client, headers, {"return_code": "R02"})
    assert [i["trans_id"] for i in filtered] == [returned]
    filtered = await items(
        client, headers, {"payment_method": "ach", "$orderby": {"trans_id": "asc"}}
    )
    assert [i["trans_id"] for i in filtered] == [returned, kept]
    assert [i["trans_id"] for i in await items(client, headers, {"payment_method": "card"})] == [
        card
    ]
    assert "86063057" not in str(by_id)
