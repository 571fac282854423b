"""OAuth helpers shared by the OAuth and Reporting tests: clients, tokens, headers."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import ADMIN

REPORTING_TOKEN = "/ords/sprint/oauth/token"
BOARDING_TOKEN = "/ords/relay/oauth/token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str
    audience: str
    mids: list[str]

    @property
    def basic(self) -> dict[str, str]:
        return basic(self.client_id, self.client_secret)


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def make_client(
    client: httpx.AsyncClient,
    *mids: str,
    audience: str = "reporting",
    name: str = "Test reporting client",
) -> OAuthClient:
    answer = await client.post(
        "/homerun/v1/oauth/clients",
        json={"audience": audience, "name": name, "mids": list(mids)},
        headers=ADMIN,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return OAuthClient(body["client_id"], body["client_secret"], audience, list(mids))


async def token_answer(
    client: httpx.AsyncClient, oauth: OAuthClient, path: str = REPORTING_TOKEN, **form: Any
) -> httpx.Response:
    data = {"grant_type": "client_credentials", **form}
    return await client.post(path, data=data, headers={**FORM, **oauth.basic})


async def access_token(client: httpx.AsyncClient, oauth: OAuthClient) -> str:
    path = REPORTING_TOKEN if oauth.audience == "reporting" else BOARDING_TOKEN
    answer = await token_answer(client, oauth, path)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


async def bearer(client: httpx.AsyncClient, oauth: OAuthClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {await access_token(client, oauth)}"}
