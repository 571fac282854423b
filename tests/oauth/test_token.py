"""The token endpoints, golden cases of RFC 6749 §4.4 (client credentials) and §5.2 (errors)."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.conftest import ADMIN, MerchantAccess
from tests.oauth.support import (
    BOARDING_TOKEN,
    FORM,
    REPORTING_TOKEN,
    OAuthClient,
    basic,
    make_client,
    token_answer,
)

GRANT = "grant_type=client_credentials"


@pytest.fixture
async def reporting(client: httpx.AsyncClient, merchant: MerchantAccess) -> OAuthClient:
    return await make_client(client, merchant.mid)


@pytest.fixture
async def boarding(client: httpx.AsyncClient) -> OAuthClient:
    return await make_client(client, audience="boarding", name="Test boarding client")


def assert_no_store(answer: httpx.Response) -> None:
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["pragma"] == "no-cache"


def assert_error(answer: httpx.Response, status: int, error: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str) and body["error_description"]
    assert set(body) <= {"error", "error_description", "error_uri"}
    assert_no_store(answer)


def assert_invalid_client(answer: httpx.Response) -> None:
    assert_error(answer, 401, "invalid_client")
    assert answer.headers["www-authenticate"].startswith("Basic realm=")


# ----------------------------------------------------------------------------- success


@pytest.mark.parametrize("path", [REPORTING_TOKEN, "/oauth/token"])
async def test_client_secret_basic(
    client: httpx.AsyncClient, reporting: OAuthClient, path: str
) -> None:
    answer = await client.post(path, content=GRANT, headers={**FORM, **reporting.basic})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert isinstance(body["access_token"], str) and len(body["access_token"]) > 40
    assert answer.headers["content-type"].startswith("application/json")
    assert_no_store(answer)


async def test_client_secret_post(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    answer = await client.post(
        REPORTING_TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": reporting.client_id,
            "client_secret": reporting.client_secret,
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "Bearer"
    assert_no_store(answer)


async def test_basic_credentials_are_form_urlencoded_before_base64(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    # RFC 6749 §2.3.1: the id and secret are form-urlencoded, so '-' may arrive as '%2D'.
    encoded_secret = reporting.client_secret.replace("-", "%2D").replace("_", "%5F")
    raw = base64.b64encode(f"{reporting.client_id}:{encoded_secret}".encode()).decode()
    answer = await client.post(
        REPORTING_TOKEN, content=GRANT, headers={**FORM, "Authorization": f"Basic {raw}"}
    )
    assert answer.status_code == 200, answer.text


async def test_content_type_with_charset(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        **reporting.basic,
    }
    answer = await client.post(REPORTING_TOKEN, content=GRANT, headers=headers)
    assert answer.status_code == 200, answer.text


async def test_client_id_in_body_beside_basic_is_tolerated(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    answer = await token_answer(client, reporting, client_id=reporting.client_id)
    assert answer.status_code == 200, answer.text


async def test_scope_naming_the_audience_is_granted_and_echoed(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    answer = await token_answer(client, reporting, scope="reporting")
    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"] == "reporting"


async def test_boarding_client_gets_a_token_at_the_relay_endpoint(
    client: httpx.AsyncClient, boarding: OAuthClient
) -> None:
    answer = await token_answer(client, boarding, BOARDING_TOKEN)
    assert answer.status_code == 200, answer.text
    assert answer.json()["expires_in"] == 3600


async def test_each_token_is_new(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    first = (await token_answer(client, reporting)).json()["access_token"]
    await client.post("/homerun/v1/clock/advance", json={"seconds": 1}, headers=ADMIN)
    second = (await token_answer(client, reporting)).json()["access_token"]
    assert first != second


# ----------------------------------------------------------------------------- invalid_request


async def test_missing_grant_type(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    answer = await client.post(REPORTING_TOKEN, content="", headers={**FORM, **reporting.basic})
    assert_error(answer, 400, "invalid_request")
    assert "grant_type" in answer.json()["error_description"]


async def test_empty_grant_type(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    answer = await client.post(
        REPORTING_TOKEN, content="grant_type=", headers={**FORM, **reporting.basic}
    )
    assert_error(answer, 400, "invalid_request")


async def test_repeated_parameter(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    answer = await client.post(
        REPORTING_TOKEN,
        content=f"{GRANT}&{GRANT}",
        headers={**FORM, **reporting.basic},
    )
    assert_error(answer, 400, "invalid_request")
    assert "grant_type" in answer.json()["error_description"]


async def test_two_authentication_methods(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    answer = await token_answer(
        client,
        reporting,
        client_id=reporting.client_id,
        client_secret=reporting.client_secret,
    )
    assert_error(answer, 400, "invalid_request")


async def test_client_id_in_body_naming_another_client(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    answer = await token_answer(client, reporting, client_id="rep_somebody_else")
    assert_error(answer, 400, "invalid_request")


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x", None]
)
async def test_wrong_content_type(
    client: httpx.AsyncClient, reporting: OAuthClient, content_type: str | None
) -> None:
    headers = dict(reporting.basic)
    if content_type:
        headers["Content-Type"] = content_type
    body = '{"grant_type":"client_credentials"}' if content_type == "application/json" else GRANT
    answer = await client.post(REPORTING_TOKEN, content=body, headers=headers)
    assert_error(answer, 400, "invalid_request")
    assert "Content-Type" in answer.json()["error_description"]


# ----------------------------------------------------------------------------- invalid_client


async def test_no_client_authentication(client: httpx.AsyncClient) -> None:
    answer = await client.post(REPORTING_TOKEN, content=GRANT, headers=FORM)
    assert_invalid_client(answer)


async def test_unknown_client(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        REPORTING_TOKEN, content=GRANT, headers={**FORM, **basic("rep_nobody", "secret")}
    )
    assert_invalid_client(answer)


async def test_wrong_secret(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    answer = await client.post(
        REPORTING_TOKEN,
        content=GRANT,
        headers={**FORM, **basic(reporting.client_id, reporting.client_secret + "x")},
    )
    assert_invalid_client(answer)
    assert reporting.client_secret not in answer.text


async def test_wrong_secret_posted_in_the_body(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    answer = await client.post(
        REPORTING_TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": reporting.client_id,
            "client_secret": "not-the-secret",
        },
    )
    assert_invalid_client(answer)


async def test_secret_without_client_id_in_the_body(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        REPORTING_TOKEN, data={"grant_type": "client_credentials", "client_secret": "s"}
    )
    assert_invalid_client(answer)


@pytest.mark.parametrize(
    "header", ["Basic !!!not-base64!!!", "Basic " + base64.b64encode(b"no-colon").decode()]
)
async def test_malformed_basic_credentials(client: httpx.AsyncClient, header: str) -> None:
    answer = await client.post(
        REPORTING_TOKEN, content=GRANT, headers={**FORM, "Authorization": header}
    )
    assert_invalid_client(answer)


async def test_revoked_client(client: httpx.AsyncClient, reporting: OAuthClient) -> None:
    assert (await token_answer(client, reporting)).status_code == 200
    revoked = await client.delete(f"/homerun/v1/oauth/clients/{reporting.client_id}", headers=ADMIN)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert_invalid_client(await token_answer(client, reporting))


async def test_reporting_client_at_the_boarding_endpoint(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    assert_invalid_client(await token_answer(client, reporting, BOARDING_TOKEN))


async def test_boarding_client_at_the_reporting_endpoint(
    client: httpx.AsyncClient, boarding: OAuthClient
) -> None:
    assert_invalid_client(await token_answer(client, boarding, REPORTING_TOKEN))
    assert_invalid_client(await token_answer(client, boarding, "/oauth/token"))


# ----------------------------------------------------------------------------- grant and scope


@pytest.mark.parametrize(
    "grant", ["password", "authorization_code", "refresh_token", "CLIENT_CREDENTIALS"]
)
async def test_unsupported_grant_type(
    client: httpx.AsyncClient, reporting: OAuthClient, grant: str
) -> None:
    answer = await client.post(REPORTING_TOKEN, data={"grant_type": grant}, headers=reporting.basic)
    assert_error(answer, 400, "unsupported_grant_type")


@pytest.mark.parametrize("scope", ["boarding", "reporting admin", "*"])
async def test_invalid_scope(client: httpx.AsyncClient, reporting: OAuthClient, scope: str) -> None:
    assert_error(await token_answer(client, reporting, scope=scope), 400, "invalid_scope")


async def test_get_is_not_a_token_request(client: httpx.AsyncClient) -> None:
    answer = await client.get(REPORTING_TOKEN)
    assert answer.status_code == 405


async def test_no_error_echoes_the_secret(
    client: httpx.AsyncClient, reporting: OAuthClient
) -> None:
    answers = [
        await token_answer(client, reporting, scope="boarding"),
        await token_answer(client, reporting, BOARDING_TOKEN),
        await client.post(
            REPORTING_TOKEN,
            content=f"{GRANT}&client_secret={reporting.client_secret}",
            headers={**FORM, **reporting.basic},
        ),
    ]
    for answer in answers:
        assert answer.status_code in (400, 401)
        assert reporting.client_secret not in answer.text
