"""Every endpoint as a function that returns a Call: the one place paths and bodies live.

Each takes the client's MID first (the surfaces pass it), whether or not its body needs it."""

from __future__ import annotations

from typing import TypeVar

from ._call import Call, parser
from .models import (
    Account,
    CancelledPlan,
    CaptureRequest,
    ChargeRequest,
    CreateAccountRequest,
    CreatedAccount,
    CreatedPlan,
    CreateMerchantRequest,
    CreatePlanRequest,
    DeletedAccount,
    HostedPage,
    HppRequest,
    MerchantCreated,
    MerchantDetail,
    Plan,
    Surcharge,
    SurchargeRequest,
    Transaction,
    UpdateAccountRequest,
    UpdatedAccount,
    VoidOrRefundRequest,
)
from .models._base import Request

R = TypeVar("R", bound=Request)
_TRANSACTION = parser(Transaction)


def _with(request: Request, key: str, value: str | None) -> dict[str, object]:
    body = request.wire()
    if body.get(key) is None and value is not None:
        body[key] = value
    return body


def _body(request: Request, mid: str | None) -> dict[str, object]:
    return _with(request, "mid", mid)


def charge(mid: str | None, request: ChargeRequest) -> Call[Transaction]:
    """Approved, declined or retry-later, all as a Transaction (never an exception)."""
    return Call("POST", "/api/v1/charge", _TRANSACTION, "api_key", _body(request, mid))


def capture(mid: str | None, request: CaptureRequest) -> Call[Transaction]:
    return Call("POST", "/api/v1/capture", _TRANSACTION, "api_key", _body(request, mid))


def void_or_refund(mid: str | None, request: VoidOrRefundRequest) -> Call[Transaction]:
    body = _body(request, mid)
    return Call("POST", "/api/v1/void-or-refund", _TRANSACTION, "api_key", body)


def surcharge(mid: str | None, request: SurchargeRequest) -> Call[Surcharge]:
    return Call("POST", "/api/v1/surcharge", parser(Surcharge), "api_key", _body(request, mid))


def create_hpp(mid: str | None, request: HppRequest) -> Call[HostedPage]:
    body = _with(request, "cc_mid", mid)
    return Call("POST", "/api/v1/hpp", parser(HostedPage), "api_key", body)


def update_hpp(mid: str | None, client_id: str, request: HppRequest) -> Call[HostedPage]:
    body = _with(request, "cc_mid", mid)
    return Call("PUT", f"/api/v1/hpp/{client_id}", parser(HostedPage), "api_key", body)


_VAULT = "/api/v1/vault_payment_accounts"


def create_account(mid: str | None, request: CreateAccountRequest) -> Call[CreatedAccount]:
    return Call("POST", _VAULT, parser(CreatedAccount), "api_key", _body(request, mid))


def get_account(_mid: str | None, vault_id: str | int) -> Call[Account]:
    return Call("GET", f"{_VAULT}/{vault_id}", parser(Account), "api_key")


def update_account(
    mid: str | None, vault_id: str | int, request: UpdateAccountRequest
) -> Call[UpdatedAccount]:
    body = _body(request, mid)
    return Call("PUT", f"{_VAULT}/{vault_id}", parser(UpdatedAccount), "api_key", body)


def delete_account(_mid: str | None, vault_id: str | int) -> Call[DeletedAccount]:
    return Call("DELETE", f"{_VAULT}/{vault_id}", parser(DeletedAccount), "api_key")


def create_plan(mid: str | None, request: CreatePlanRequest) -> Call[CreatedPlan]:
    body = _body(request, mid)
    return Call("POST", "/api/v1/billing_plans", parser(CreatedPlan), "api_key", body)


def get_plan(_mid: str | None, plan_id: int) -> Call[Plan]:
    return Call("GET", f"/api/v1/billing_plans/{plan_id}", parser(Plan), "api_key")


def cancel_plan(_mid: str | None, plan_id: int) -> Call[CancelledPlan]:
    return Call("DELETE", f"/api/v1/billing_plans/{plan_id}", parser(CancelledPlan), "api_key")


BOARDING = "/ords/relay/api/boarding/v1"
REPORTING = "/ords/sprint/api/3p/v1"


def create_merchant(_mid: str | None, request: CreateMerchantRequest) -> Call[MerchantCreated]:
    body = request.wire()
    return Call("POST", f"{BOARDING}/merchants", parser(MerchantCreated), "boarding", body)


def get_merchant(_mid: str | None, merchant_id: int) -> Call[MerchantDetail]:
    path = f"{BOARDING}/merchants/{merchant_id}"
    return Call("GET", path, parser(MerchantDetail), "boarding")
