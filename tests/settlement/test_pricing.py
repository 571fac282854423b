"""The merchant's pricing and funding settings in the admin API."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ADMIN, MerchantFactory

DEFAULTS = {
    "processing_rate": "2.90",
    "processing_rate_bps": 290,
    "processing_fixed_fee": "0.30",
    "funding_delay_days": 1,
    "chargeback_fee": "15.00",
    "monthly_fee": "9.95",
}


async def test_defaults_and_changes(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant()
    body = (await client.get(f"/homerun/v1/merchants/{m.mid}", headers=ADMIN)).json()
    assert {k: body[k] for k in DEFAULTS} == DEFAULTS
    changed = await client.patch(
        f"/homerun/v1/merchants/{m.mid}",
        json={
            "processing_rate": 3.5,
            "processing_fixed_fee": "0.05",
            "funding_delay_days": 0,
            "chargeback_fee": 20,
            "monthly_fee": "0",
        },
        headers=ADMIN,
    )
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in DEFAULTS} == {
        "processing_rate": "3.50",
        "processing_rate_bps": 350,
        "processing_fixed_fee": "0.05",
        "funding_delay_days": 0,
        "chargeback_fee": "20.00",
        "monthly_fee": "0.00",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("processing_rate", "10.01"),
        ("processing_rate", "-1"),
        ("processing_rate", "2.555"),
        ("processing_rate", "abc"),
        ("processing_rate", True),
        ("processing_fixed_fee", "-0.30"),
        ("processing_fixed_fee", "0.305"),
        ("processing_fixed_fee", "10000.01"),
        ("funding_delay_days", 11),
        ("funding_delay_days", -1),
        ("chargeback_fee", "x"),
        ("monthly_fee", [1]),
    ],
)
async def test_bad_settings_are_refused_and_named(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, field: str, value: object
) -> None:
    m = await make_merchant()
    answer = await client.patch(
        f"/homerun/v1/merchants/{m.mid}", json={field: value}, headers=ADMIN
    )
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == [field]
