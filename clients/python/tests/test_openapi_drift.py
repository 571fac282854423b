"""The client's models against Homerun's committed openapi.json, so the two cannot drift:
every answer field the server documents is a model field of a compatible JSON type, every
model field is one the server documents, every request field is one the server takes, and
every path the client calls exists with that method."""

from __future__ import annotations

import json
import types
import typing
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import runpayments as rp
from pydantic import BaseModel
from runpayments import _calls
from runpayments._call import Call
from runpayments._paging import Page

OPENAPI = json.loads((Path(__file__).parents[3] / "openapi.json").read_text("utf-8"))
SCHEMAS: dict[str, Any] = OPENAPI["components"]["schemas"]

ANSWERS: list[tuple[type[BaseModel], list[str]]] = [
    (rp.Transaction, ["ChargeAnswer", "ReversalAnswer", "RefusalAnswer"]),
    (rp.Surcharge, ["SurchargeAnswer"]),
    (rp.HostedPage, ["HppAnswer"]),
    (rp.CreatedAccount, ["CreateAccountAnswer"]),
    (rp.Account, ["AccountAnswer"]),
    (rp.UpdatedAccount, ["UpdateAccountAnswer"]),
    (rp.DeletedAccount, ["DeleteAccountAnswer"]),
    (rp.CreatedPlan, ["CreatePlanAnswer"]),
    (rp.Plan, ["PlanAnswer"]),
    (rp.ScheduledPayment, ["ScheduledPaymentAnswer"]),
    (rp.CancelledPlan, ["CancelPlanAnswer"]),
    (rp.RefreshedKeys, ["RefreshAnswer"]),
    (rp.AccessToken, ["TokenAnswer"]),
    (rp.TransactionItem, ["TransactionItem"]),
    (rp.DepositItem, ["DepositItem"]),
    (rp.ChargebackItem, ["ChargebackItem"]),
    (rp.AdjustmentItem, ["AdjustmentItem"]),
    (rp.MerchantItem, ["MerchantItem"]),
    (rp.MerchantDetail, ["MerchantDetail"]),
    (rp.MerchantCreated, ["MerchantCreated"]),
    (rp.RepCode, ["RepCodeItem"]),
    (rp.Mcc, ["MccItem"]),
    (rp.Link, ["homerun__reporting__schemas__Link", "homerun__boarding__schemas__Link"]),
    (Page[rp.TransactionItem], ["TransactionsPage", "DepositsPage", "MerchantPage", "MccPage"]),
]

REQUESTS: list[tuple[type[BaseModel], str, str]] = [
    (rp.ChargeRequest, "post", "/api/v1/charge"),
    (rp.CaptureRequest, "post", "/api/v1/capture"),
    (rp.VoidOrRefundRequest, "post", "/api/v1/void-or-refund"),
    (rp.SurchargeRequest, "post", "/api/v1/surcharge"),
    (rp.HppRequest, "post", "/api/v1/hpp"),
    (rp.HppRequest, "put", "/api/v1/hpp/{hpp_client_id}"),
    (rp.CreateAccountRequest, "post", "/api/v1/vault_payment_accounts"),
    (rp.UpdateAccountRequest, "put", "/api/v1/vault_payment_accounts/{vault_id}"),
    (rp.CreatePlanRequest, "post", "/api/v1/billing_plans"),
    (rp.CreateMerchantRequest, "post", "/ords/relay/api/boarding/v1/merchants"),
]


def json_types(annotation: Any) -> set[str]:
    """The JSON types a field of this annotation reads."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return json_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(json_types(arg) for arg in typing.get_args(annotation)))
    if annotation is type(None):
        return {"null"}
    if annotation is Decimal:
        return {"number", "integer", "string"}
    if origin is list:
        return {"array"}
    if origin is dict or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return {"object"}
    if isinstance(annotation, type) and issubclass(annotation, Enum | str):
        return {"string"}
    return {bool: {"boolean"}, int: {"integer"}}[annotation]


def schema_types(schema: dict[str, Any]) -> set[str]:
    if "anyOf" in schema:
        return set().union(*(schema_types(option) for option in schema["anyOf"]))
    if "$ref" in schema:
        return {"object"}
    return {schema["type"]} if "type" in schema else set()


def wire_fields(model: type[BaseModel]) -> dict[str, Any]:
    return {field.alias or name: field.annotation for name, field in model.model_fields.items()}


@pytest.mark.parametrize(("model", "names"), ANSWERS, ids=[m.__name__ for m, _ in ANSWERS])
def test_answer_models_match_the_servers_schemas(model: type[BaseModel], names: list[str]) -> None:
    fields = wire_fields(model)
    documented: set[str] = set()
    for name in names:
        for prop, schema in SCHEMAS[name]["properties"].items():
            documented.add(prop)
            assert prop in fields, f"{model.__name__} lacks {name}.{prop}"
            offered = schema_types(schema)
            assert offered <= json_types(fields[prop]), f"{model.__name__}.{prop}: {offered}"
    assert set(fields) == documented, f"{model.__name__} has undocumented fields"


@pytest.mark.parametrize(
    ("model", "method", "path"), REQUESTS, ids=[f"{m} {p}" for _, m, p in REQUESTS]
)
def test_request_models_send_only_fields_the_server_takes(
    model: type[BaseModel], method: str, path: str
) -> None:
    body = OPENAPI["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    taken = (SCHEMAS[body["$ref"].split("/")[-1]] if "$ref" in body else body)["properties"]
    for name, annotation in wire_fields(model).items():
        assert name in taken, f"{model.__name__}.{name} is not taken by {method} {path}"
        assert schema_types(taken[name]) & json_types(annotation)


CALLS: list[Call[Any]] = [
    _calls.charge("1", rp.ChargeRequest(amount=Decimal(1))),
    _calls.capture("1", rp.CaptureRequest(trans_id="1")),
    _calls.void_or_refund("1", rp.VoidOrRefundRequest(trans_id="1")),
    _calls.surcharge("1", rp.SurchargeRequest(account_token="1", postal="1")),
    _calls.create_hpp("1", rp.HppRequest()),
    _calls.update_hpp("1", "{hpp_client_id}", rp.HppRequest()),
    _calls.create_account("1", rp.CreateAccountRequest(account_token="1")),
    _calls.get_account("1", "{vault_id}"),
    _calls.update_account("1", "{vault_id}", rp.UpdateAccountRequest()),
    _calls.delete_account("1", "{vault_id}"),
    _calls.create_plan(
        "1",
        rp.CreatePlanRequest(name="", payment_account_uuid="", amount=Decimal(1), rrule_pattern=""),
    ),
    _calls.get_plan("1", "{plan_id}"),  # type: ignore[arg-type]
    _calls.cancel_plan("1", "{plan_id}"),  # type: ignore[arg-type]
    _calls.create_merchant(
        "1",
        rp.CreateMerchantRequest(
            platform="",
            rep_code="",
            dba_name="",
            signer_first_name="",
            signer_last_name="",
            signer_email="",
        ),
    ),
    _calls.get_merchant("1", "{merchant_id}"),  # type: ignore[arg-type]
]
COLLECTIONS = [
    f"{_calls.REPORTING}/{name}"
    for name in ("transactions", "deposits", "chargebacks", "adjustments")
] + [f"{_calls.BOARDING}/{name}" for name in ("merchants", "rep_codes", "mcc")]


def test_every_path_the_client_calls_is_served() -> None:
    for call in CALLS:
        assert call.method.lower() in OPENAPI["paths"][call.path], f"{call.method} {call.path}"
    for path in [
        *COLLECTIONS,
        "/api/v1/api_keys/refresh",
        "/ords/sprint/oauth/token",
        "/ords/relay/oauth/token",
    ]:
        assert path in OPENAPI["paths"], path
