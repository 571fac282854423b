"""Runner.js and its card frame as served (the browser behaviour is in tests/browser)."""

from __future__ import annotations

import re

import httpx
import pytest

from homerun.runtime import Runtime
from tests.conftest import MerchantAccess

FRAME = "/homerun/v1/tokenizer/frame"


@pytest.mark.parametrize("version", ["1.5.5", "latest", "2.0.0-beta", "v1"])
async def test_runner_js_is_served_for_any_version(client: httpx.AsyncClient, version: str) -> None:
    answer = await client.get(f"/javascripts/{version}/runner.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["access-control-allow-origin"] == "*"
    script = answer.text
    assert "global.Runner = Runner" in script
    for method in ("init", "onLoaded", "tokenize"):
        assert f"Runner.prototype.{method} = function" in script
    assert FRAME in script


async def test_runner_js_answers_not_modified_to_its_etag(client: httpx.AsyncClient) -> None:
    first = await client.get("/javascripts/latest/runner.js")
    again = await client.get(
        "/javascripts/1.5.5/runner.js", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""


async def test_the_frame_can_be_embedded_anywhere_but_loads_only_homeruns_code(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    answer = await client.get(FRAME, params={"origin": "https://shop.example", "channel": "abc"})
    assert answer.status_code == 200
    assert "x-frame-options" not in answer.headers
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors *" in policy
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "default-src 'none'" in policy
    html = answer.text
    assert 'data-origin="https://shop.example"' in html and 'data-channel="abc"' in html
    year = runtime.clock.now().year
    assert f'<option value="{year}">' in html and f'<option value="{year + 20}">' in html
    assert f'<option value="{year - 1}">' not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    for label in ('for="card-number"', 'for="expiry-month"', 'for="expiry-year"', 'for="cvv"'):
        assert label in html
    assert 'autocomplete="cc-number"' in html and 'autocomplete="cc-csc"' in html


@pytest.mark.parametrize(
    "origin",
    [
        "",
        "null",
        "javascript:alert(1)",
        'https://x.example"><script>alert(1)</script>',
        "https://x.example/path",
        "file:///tmp/page.html",
    ],
)
async def test_the_frame_refuses_an_origin_it_cannot_answer(
    client: httpx.AsyncClient, origin: str
) -> None:
    answer = await client.get(FRAME, params={"origin": origin, "channel": "abc"})
    assert answer.status_code == 200
    assert 'data-origin=""' in answer.text
    assert "<script>alert" not in answer.text
    assert "served over http or https" in answer.text


async def test_the_frame_needs_a_channel(client: httpx.AsyncClient) -> None:
    answer = await client.get(FRAME, params={"origin": "https://shop.example", "channel": "<b>"})
    assert answer.status_code == 200 and 'data-channel=""' in answer.text
    assert "must be opened by Runner.js" in answer.text


@pytest.mark.parametrize("name", ["cards.js", "frame.js", "frame.css", "runner.js"])
async def test_frame_assets_are_self_contained(client: httpx.AsyncClient, name: str) -> None:
    answer = await client.get(f"/homerun/v1/tokenizer/assets/{name}")
    assert answer.status_code == 200
    assert "http://" not in answer.text and "https://" not in answer.text
    assert "@import" not in answer.text and "url(" not in answer.text


@pytest.mark.parametrize("name", ["nothing.js", "..%2Ftemplates%2Fframe.html", ".hidden"])
async def test_unknown_assets_are_404(client: httpx.AsyncClient, name: str) -> None:
    answer = await client.get(f"/homerun/v1/tokenizer/assets/{name}")
    assert answer.status_code == 404


async def test_frame_html_references_only_versioned_local_assets(
    client: httpx.AsyncClient,
) -> None:
    html = (await client.get(FRAME, params={"origin": "http://127.0.0.1:9", "channel": "c"})).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets[0] == "data:,"  # no favicon request
    assets = assets[1:]
    assert len(assets) == 3
    assert all(
        re.fullmatch(r"/homerun/v1/tokenizer/assets/[a-z]+\.(js|css)\?v=[0-9a-f]+", a)
        for a in assets
    )


async def test_a_null_expiry_tokenizes_the_number_alone(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """Runner.js with useExpiry off sends `expiry: null`."""
    answer = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": "5555555555554444", "expiry": None, "cvv": "123"},
        headers={"Authorization": f"Bearer {merchant.public_key}"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["expiry"] == "" and body["card_info"]["last_four"] == "4444"
