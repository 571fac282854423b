"""Bearer tokens on the protected Reporting endpoints (RFC 6750 §3), and secret rotation."""

from __future__ import annotations

import base64

import httpx
import orjson
import pytest

from tests.conftest import ADMIN, MerchantAccess
from tests.oauth.support import (
    BOARDING_TOKEN,
    REPORTING_TOKEN,
    OAuthClient,
    access_token,
    basic,
    make_client,
    token_answer,
)

TRANSACTIONS = "/ords/sprint/api/3p/v1/transactions"


@pytest.fixture
async def reporting(client: httpx.AsyncClient, merchant: MerchantAccess) -> OAuthClient:
    return await make_client(client, merchant.mid)


def assert_invalid_token(answer: httpx.Response, mentions: str) -> None:
    assert answer.status_code == 401, answer.text
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="homerun"')
    assert 'error="invalid_token"' in challenge
    body = answer.json()
    assert body["code"] == "invalid_token"
    assert mentions in body["message"]
    assert body["error"] == body["message"] == body["error_description"]


async def test_a_valid_token_opens_the_endpoint(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    token = await access_token(client, reporting)
    answer = await client.get(TRANSACTIONS, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"] == []


async def test_the_scheme_name_is_case_insensitive(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    token = await access_token(client, reporting)
    answer = await client.get(TRANSACTIONS, headers={"Authorization": f"bearer {token}"})
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz"])
async def test_missing_token(client: httpx.AsyncClient, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    answer = await client.get(TRANSACTIONS, headers=headers)
    assert answer.status_code == 401
    # RFC 6750 §3.1: a request without credentials gets a challenge and no error code.
    challenge = answer.headers["www-authenticate"]
    assert challenge == 'Bearer realm="homerun"'
    assert "error=" not in challenge
    assert answer.json()["code"] == "missing_token"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "hr_at_",
        "hr_at_abc",
        "hr_at_a.b.c",
        "hr_at_ÿÿÿ.ÿÿÿ",
        "eyJhbGciOiJIUzI1NiJ9.e30.",
    ],
)
async def test_malformed_token(client: httpx.AsyncClient, token: str) -> None:
    answer = await client.get(
        TRANSACTIONS, headers={"Authorization": f"Bearer {token}".encode("latin-1")}
    )
    assert_invalid_token(answer, "access token")


async def test_tampered_token(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    token = await access_token(client, reporting)
    payload, signature = token.removeprefix("hr_at_").split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["e"] += 86400  # live a day longer
    forged = base64.urlsafe_b64encode(orjson.dumps(claims)).rstrip(b"=").decode()
    answer = await client.get(
        TRANSACTIONS, headers={"Authorization": f"Bearer hr_at_{forged}.{signature}"}
    )
    assert_invalid_token(answer, "not valid")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    answer = await client.get(
        TRANSACTIONS, headers={"Authorization": f"Bearer hr_at_{payload}.{flipped}"}
    )
    assert_invalid_token(answer, "not valid")


async def test_expired_token(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    token = await access_token(client, reporting)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get(TRANSACTIONS, headers=headers)).status_code == 200
    moved = await client.post("/homerun/v1/clock/advance", json={"seconds": 3601}, headers=ADMIN)
    assert moved.status_code == 200, moved.text
    assert_invalid_token(await client.get(TRANSACTIONS, headers=headers), "expired")
    # A new token works again.
    fresh = await access_token(client, reporting)
    answer = await client.get(TRANSACTIONS, headers={"Authorization": f"Bearer {fresh}"})
    assert answer.status_code == 200


async def test_boarding_token_does_not_open_reporting(client: httpx.AsyncClient) -> None:
    boarding = await make_client(client, audience="boarding", name="Boarding")
    token = await access_token(client, boarding)
    answer = await client.get(TRANSACTIONS, headers={"Authorization": f"Bearer {token}"})
    assert_invalid_token(answer, "reporting")


async def test_revoked_client_tokens_stop_working(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    token = await access_token(client, reporting)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get(TRANSACTIONS, headers=headers)).status_code == 200
    revoked = await client.delete(f"/homerun/v1/oauth/clients/{reporting.client_id}", headers=ADMIN)
    assert revoked.status_code == 200
    assert_invalid_token(await client.get(TRANSACTIONS, headers=headers), "revoked")


# ----------------------------------------------------------------------------- rotation


async def test_rotation_keeps_the_old_secret_for_the_overlap(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    rotated = await client.post(
        f"/homerun/v1/oauth/clients/{reporting.client_id}/rotate",
        json={"overlap_seconds": 600},
        headers=ADMIN,
    )
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["client_id"] == reporting.client_id
    assert body["old_secrets_expire_in"] == 600
    new_secret = body["client_secret"]
    assert new_secret != reporting.client_secret
    renewed = OAuthClient(reporting.client_id, new_secret, "reporting", reporting.mids)

    assert (await token_answer(client, reporting)).status_code == 200
    assert (await token_answer(client, renewed)).status_code == 200
    token_before = await access_token(client, reporting)

    await client.post("/homerun/v1/clock/advance", json={"seconds": 601}, headers=ADMIN)
    old = await token_answer(client, reporting)
    assert old.status_code == 401 and old.json()["error"] == "invalid_client"
    assert (await token_answer(client, renewed)).status_code == 200
    # Tokens issued with the old secret live out their hour.
    answer = await client.get(TRANSACTIONS, headers={"Authorization": f"Bearer {token_before}"})
    assert answer.status_code == 200


async def test_rotation_without_overlap_retires_the_old_secret_at_once(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    rotated = await client.post(
        f"/homerun/v1/oauth/clients/{reporting.client_id}/rotate",
        json={"overlap_seconds": 0},
        headers=ADMIN,
    )
    assert rotated.status_code == 200, rotated.text
    assert (await token_answer(client, reporting)).status_code == 401
    new = basic(reporting.client_id, rotated.json()["client_secret"])
    answer = await client.post(
        REPORTING_TOKEN, data={"grant_type": "client_credentials"}, headers=new
    )
    assert answer.status_code == 200


async def test_two_rotations_keep_only_the_newest_secret_after_the_overlap(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    path = f"/homerun/v1/oauth/clients/{reporting.client_id}/rotate"
    second = (await client.post(path, json={"overlap_seconds": 300}, headers=ADMIN)).json()
    third = (await client.post(path, json={"overlap_seconds": 300}, headers=ADMIN)).json()
    await client.post("/homerun/v1/clock/advance", json={"seconds": 301}, headers=ADMIN)
    for secret, status in (
        (reporting.client_secret, 401),
        (second["client_secret"], 401),
        (third["client_secret"], 200),
    ):
        answer = await client.post(
            REPORTING_TOKEN,
            data={"grant_type": "client_credentials"},
            headers=basic(reporting.client_id, secret),
        )
        assert answer.status_code == status, secret


# ----------------------------------------------------------------------------- admin


async def test_admin_lists_clients_without_secrets(
    client: httpx.AsyncClient, reporting: OAuthClient, merchant: MerchantAccess
) -> None:
    answer = await client.get("/homerun/v1/oauth/clients", headers=ADMIN)
    assert answer.status_code == 200
    mine = [c for c in answer.json()["items"] if c["client_id"] == reporting.client_id]
    assert len(mine) == 1
    assert mine[0]["mids"] == [merchant.mid] and mine[0]["audience"] == "reporting"
    assert "client_secret" not in mine[0]
    assert reporting.client_secret not in answer.text


async def test_admin_refuses_unknown_merchants_and_audiences(client: httpx.AsyncClient) -> None:
    for body in (
        {"audience": "reporting", "name": "x", "mids": ["999999999999"]},
        {"audience": "payments", "name": "x", "mids": []},
        {"audience": "reporting", "name": "", "mids": []},
    ):
        answer = await client.post("/homerun/v1/oauth/clients", json=body, headers=ADMIN)
        assert answer.status_code == 400, answer.text


async def test_admin_binds_a_repeated_mid_once(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await client.post(
        "/homerun/v1/oauth/clients",
        json={"audience": "reporting", "name": "x", "mids": [merchant.mid, merchant.mid]},
        headers=ADMIN,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["mids"] == [merchant.mid]


async def test_admin_needs_the_admin_token(client: httpx.AsyncClient) -> None:
    answer = await client.get("/homerun/v1/oauth/clients")
    assert answer.status_code == 401
    unknown = await client.post(
        "/homerun/v1/oauth/clients/rep_nobody/rotate", json={}, headers=ADMIN
    )
    assert unknown.status_code == 404
    gone = await client.delete("/homerun/v1/oauth/clients/rep_nobody", headers=ADMIN)
    assert gone.status_code == 404


async def test_boarding_endpoint_token_is_boarding(client: httpx.AsyncClient) -> None:
    boarding = await make_client(client, audience="boarding", name="B")
    answer = await token_answer(client, boarding, BOARDING_TOKEN)
    assert answer.status_code == 200


# ----------------------------------------------------------------------------- token-info

TOKEN_INFO = "/homerun/v1/oauth/token-info"


async def test_token_info_names_the_client_of_either_audience(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    boarding = await make_client(client, audience="boarding", name="B")
    for oauth in (reporting, boarding):
        token = await access_token(client, oauth)
        answer = await client.get(TOKEN_INFO, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["client_id"] == oauth.client_id and body["audience"] == oauth.audience
        assert 3590 <= body["expires_in"] <= 3600
        assert answer.headers["cache-control"] == "no-store"


async def test_token_info_refuses_what_the_reporting_api_refuses(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    missing = await client.get(TOKEN_INFO)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="homerun"'
    assert_invalid_token(
        await client.get(TOKEN_INFO, headers={"Authorization": "Bearer hr_at_x.y"}), "not valid"
    )
    token = await access_token(client, reporting)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get(TOKEN_INFO, headers=headers)).status_code == 200
    await client.delete(f"/homerun/v1/oauth/clients/{reporting.client_id}", headers=ADMIN)
    assert_invalid_token(await client.get(TOKEN_INFO, headers=headers), "revoked")


async def test_token_info_refuses_an_expired_token(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    token = await access_token(client, reporting)
    await client.post("/homerun/v1/clock/advance", json={"seconds": 3600}, headers=ADMIN)
    answer = await client.get(TOKEN_INFO, headers={"Authorization": f"Bearer {token}"})
    assert_invalid_token(answer, "expired")
