"""The OpenAPI document: committed, current, self-consistent; /docs served without a CDN."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from homerun.app import create_app
from homerun.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "openapi.json"


@functools.cache
def _document() -> dict[str, Any]:
    """Built once per run (the tests only read it)."""
    document: dict[str, Any] = create_app(Settings(database_url="sqlite:///unused.db")).openapi()
    return document


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_committed_openapi_json_is_current() -> None:
    document = _document()
    committed = json.loads(COMMITTED.read_text()) if COMMITTED.exists() else {}
    if json.dumps(document, indent=2, sort_keys=True) + "\n" == (
        COMMITTED.read_text() if COMMITTED.exists() else ""
    ):
        return
    changed = sorted(
        f"{section}: {key}"
        for section in ("paths", "components")
        for key in set(document.get(section, {})) | set(committed.get(section, {}))
        if document.get(section, {}).get(key) != committed.get(section, {}).get(key)
    )
    pytest.fail(
        "openapi.json is out of date with the code: run scripts/export-openapi and commit "
        f"the result. Differences under: {', '.join(changed) or 'the document header'}",
        pytrace=False,
    )


def test_every_reference_resolves_from_the_document_root() -> None:
    document = _document()
    for ref in set(_refs(document)):
        assert ref.startswith("#/"), ref
        node: Any = document
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
            node = node[part]


def test_operation_ids_are_unique() -> None:
    ids = [
        operation["operationId"]
        for item in _document()["paths"].values()
        for operation in item.values()
    ]
    assert len(ids) == len(set(ids))


def _property(document: dict[str, Any], path: str, field: str) -> dict[str, Any]:
    body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    schema: dict[str, Any] = body["schema"]["properties"][field]
    return schema


def _types(schema: dict[str, Any]) -> set[str]:
    branches = schema.get("anyOf", [schema])
    return {t for branch in branches for t in _types_of(branch)}


def _types_of(branch: dict[str, Any]) -> list[str]:
    if "anyOf" in branch:
        return sorted(_types(branch))
    kind = branch.get("type")
    return [kind] if isinstance(kind, str) else list(kind or [])


def test_request_bodies_show_the_wire_types() -> None:
    document = _document()
    for path in ("/api/v1/charge", "/api/v1/capture", "/api/v1/void-or-refund"):
        amount = _property(document, path, "amount")
        assert {"integer", "string"} <= _types(amount), path
        assert "number" not in _types(amount), "a fraction of a cent is never valid"
    branches = _property(document, "/api/v1/charge", "amount")["anyOf"]
    pattern = next(branch["pattern"] for branch in branches if "pattern" in branch)
    for good in ("10.00", "0.00", "1234", "12.5"):
        assert re.fullmatch(pattern, good), good
    for bad in ("10.001", "ten", "-1", "1.2.3"):
        assert not re.fullmatch(pattern, bad), bad
    capture = _property(document, "/api/v1/charge", "capture")
    assert _types(capture) == {"string", "boolean", "integer"}
    expiration = _property(document, "/api/v1/charge", "expiration")
    assert _types(expiration) == {"string", "null"}
    expiry = next(b for b in expiration["anyOf"] if b.get("type") == "string")
    for good in ("1229", "12/29", "12/2029", "202911", "2029-11"):
        assert re.fullmatch(expiry["pattern"], good), good
    assert not re.fullmatch(expiry["pattern"], "13/29")
    surcharge = _property(document, "/api/v1/surcharge", "amount")
    assert "string" in _types(surcharge)


def test_error_responses_are_the_r6_body() -> None:
    document = _document()
    for path, item in document["paths"].items():
        if not path.startswith(("/api/v1/", "/homerun/v1/")):
            continue
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)


def test_nullable_answer_fields_are_documented_as_nullable() -> None:
    schemas = _document()["components"]["schemas"]
    charge = schemas["ChargeAnswer"]["properties"]
    for name in ("auth_code", "batch_id", "settlement_status", "card_number", "custom_01"):
        assert "null" in _types(charge[name]), name
    assert charge["result"]["enum"] == ["A", "B", "C"]
    refusal = schemas["RefusalAnswer"]["properties"]
    for name in ("trans_id", "amount", "currency", "order_id"):
        assert "null" in _types(refusal[name]), name
    assert "null" in _types(schemas["SurchargeAnswer"]["properties"]["token"])


async def test_docs_are_served_without_any_external_url(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    assets = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert len(assets) >= 3
    for asset in assets:
        assert asset.startswith("/docs/assets/"), asset
        answer = await client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.content
    assert "url: '/openapi.json'" in html
    assert (await client.get("/openapi.json")).status_code == 200


async def test_redoc_is_not_served_from_a_cdn(client: httpx.AsyncClient) -> None:
    assert (await client.get("/redoc")).status_code == 404
    assert (await client.get("/docs/assets/no-such-file.js")).status_code == 404


# The decimal settings and amounts the server takes as strings ("3.00", "-25.00") or numbers,
# with wire strings the server accepts (tests/merchants, tests/settlement, tests/boarding).
DECIMAL_FIELDS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("/homerun/v1/merchants", "post"): {
        "surcharge_rate": ("3.00", "3", "2.5", "0"),
        "processing_rate": ("2.90", "3"),
        "processing_fixed_fee": ("0.30", "1"),
        "chargeback_fee": ("15.00",),
        "monthly_fee": ("9.95",),
    },
    ("/homerun/v1/merchants/{mid}", "patch"): {
        "surcharge_rate": ("1.25",),
        "processing_rate": ("2.90",),
        "processing_fixed_fee": ("0.30",),
        "chargeback_fee": ("15.00",),
        "monthly_fee": ("9.95",),
    },
    ("/homerun/v1/adjustments", "post"): {"amount": ("-25.00", "10.5", "7")},
    ("/homerun/v1/chargebacks", "post"): {"amount": ("25.00", "10")},
}


def _string_or_number(schema: dict[str, Any]) -> dict[str, Any]:
    """The {string with a pattern} | {number} choice, inside an optional field's anyOf."""
    for choice in schema.get("anyOf", []):
        if "anyOf" in choice:
            return _string_or_number(choice)
    types = sorted(choice.get("type", "") for choice in schema.get("anyOf", []))
    assert types == ["number", "string"], schema
    return schema


@pytest.mark.parametrize("route", sorted(DECIMAL_FIELDS))
def test_decimal_fields_are_documented_as_the_server_takes_them(route: tuple[str, str]) -> None:
    path, method = route
    body = _document()["paths"][path][method]["requestBody"]["content"]["application/json"]
    properties = body["schema"]["properties"]
    for field, accepted in DECIMAL_FIELDS[route].items():
        schema = _string_or_number(properties[field])
        [string] = [choice for choice in schema["anyOf"] if choice["type"] == "string"]
        for text in (*accepted, *schema["examples"]):
            assert re.fullmatch(string["pattern"], text), (path, field, text)
        assert "integer" not in json.dumps(properties[field]), (path, field)


@pytest.mark.parametrize(
    ("path", "method", "status", "model"),
    [
        ("/homerun/v1/boarding/partners", "post", "201", "PartnerOut"),
        ("/homerun/v1/boarding/partners/{partner_id}", "patch", "200", "PartnerOut"),
        ("/homerun/v1/boarding/partners/{partner_id}/clients", "post", "201", "PartnerClientOut"),
        (
            "/homerun/v1/boarding/merchants/{merchant_id}/actions/{action}",
            "post",
            "200",
            "AdminMerchantDetail",
        ),
    ],
)
def test_boarding_admin_answers_have_their_shape(
    path: str, method: str, status: str, model: str
) -> None:
    answer = _document()["paths"][path][method]["responses"][status]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{model}"
    }
