"""The synchronous client: `RunClient(base_url, ...)` with one attribute per surface."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TypeVar

import httpx

from . import _calls
from ._call import Auth, Call
from ._engine import SyncEngine
from ._paging import Page, page_call
from ._setup import RUN_PAYMENTS_URL, OAuthClient, hosts_of, key_state_of, slots_of
from .credentials import CredentialStore
from .models import (
    Account,
    AdjustmentItem,
    CancelledPlan,
    CaptureRequest,
    ChargebackItem,
    ChargeRequest,
    CreateAccountRequest,
    CreatedAccount,
    CreatedPlan,
    CreateMerchantRequest,
    CreatePlanRequest,
    DeletedAccount,
    DepositItem,
    HostedPage,
    HppRequest,
    Mcc,
    MerchantCreated,
    MerchantDetail,
    MerchantItem,
    Plan,
    RepCode,
    Surcharge,
    SurchargeRequest,
    Transaction,
    TransactionItem,
    UpdateAccountRequest,
    UpdatedAccount,
    VoidOrRefundRequest,
)
from .query import Q
from .retries import RetryPolicy

T = TypeVar("T")
Filter = Q | Mapping[str, object] | None


class _Surface:
    def __init__(self, client: RunClient) -> None:
        self._client = client

    def _send(self, call: Call[T]) -> T:
        return self._client._engine.send(call)

    @property
    def _mid(self) -> str | None:
        return self._client.mid


class Payments(_Surface):
    def charge(self, request: ChargeRequest) -> Transaction:
        """Approved, declined or retry-later, all as a Transaction (never an exception)."""
        return self._send(_calls.charge(request, self._mid))

    def capture(self, request: CaptureRequest) -> Transaction:
        return self._send(_calls.capture(request, self._mid))

    def void_or_refund(self, request: VoidOrRefundRequest) -> Transaction:
        return self._send(_calls.void_or_refund(request, self._mid))

    def surcharge(self, request: SurchargeRequest) -> Surcharge:
        return self._send(_calls.surcharge(request, self._mid))


class HostedPages(_Surface):
    def create(self, request: HppRequest) -> HostedPage:
        return self._send(_calls.create_hpp(request, self._mid))

    def update(self, client_id: str, request: HppRequest) -> HostedPage:
        return self._send(_calls.update_hpp(client_id, request, self._mid))


class Vault(_Surface):
    def create(self, request: CreateAccountRequest) -> CreatedAccount:
        return self._send(_calls.create_account(request, self._mid))

    def get(self, vault_id: str | int) -> Account:
        return self._send(_calls.get_account(vault_id))

    def update(self, vault_id: str | int, request: UpdateAccountRequest) -> UpdatedAccount:
        return self._send(_calls.update_account(vault_id, request, self._mid))

    def delete(self, vault_id: str | int) -> DeletedAccount:
        return self._send(_calls.delete_account(vault_id))


class BillingPlans(_Surface):
    def create(self, request: CreatePlanRequest) -> CreatedPlan:
        return self._send(_calls.create_plan(request, self._mid))

    def get(self, plan_id: int) -> Plan:
        return self._send(_calls.get_plan(plan_id))

    def cancel(self, plan_id: int) -> CancelledPlan:
        return self._send(_calls.cancel_plan(plan_id))


class _Collections(_Surface):
    _audience: Auth = "reporting"
    _prefix = _calls.REPORTING

    def page(
        self, name: str, kind: type[T], q: Filter = None, *, limit: int = 25, offset: int = 0
    ) -> Page[T]:
        """One page of a collection, as the server sent it."""
        return self._send(
            page_call(f"{self._prefix}/{name}", kind, self._audience, q, limit, offset)
        )

    def _walk(self, name: str, kind: type[T], q: Filter, page_size: int) -> Iterator[T]:
        offset = 0
        while True:
            page = self.page(name, kind, q, limit=page_size, offset=offset)
            yield from page.items
            if not page.has_more or not page.items:
                return
            offset += len(page.items)


class Reporting(_Collections):
    """Reporting collections; each method walks every page (`page_size` items a request)."""

    def transactions(self, q: Filter = None, *, page_size: int = 1000) -> Iterator[TransactionItem]:
        return self._walk("transactions", TransactionItem, q, page_size)

    def deposits(self, q: Filter = None, *, page_size: int = 1000) -> Iterator[DepositItem]:
        return self._walk("deposits", DepositItem, q, page_size)

    def chargebacks(self, q: Filter = None, *, page_size: int = 1000) -> Iterator[ChargebackItem]:
        return self._walk("chargebacks", ChargebackItem, q, page_size)

    def adjustments(self, q: Filter = None, *, page_size: int = 1000) -> Iterator[AdjustmentItem]:
        return self._walk("adjustments", AdjustmentItem, q, page_size)


class Boarding(_Collections):
    _audience: Auth = "boarding"
    _prefix = _calls.BOARDING

    def merchants(self, q: Filter = None, *, page_size: int = 1000) -> Iterator[MerchantItem]:
        return self._walk("merchants", MerchantItem, q, page_size)

    def create_merchant(self, request: CreateMerchantRequest) -> MerchantCreated:
        return self._send(_calls.create_merchant(request))

    def get_merchant(self, merchant_id: int) -> MerchantDetail:
        return self._send(_calls.get_merchant(merchant_id))

    def rep_codes(self, q: Filter = None, *, page_size: int = 1000) -> Iterator[RepCode]:
        return self._walk("rep_codes", RepCode, q, page_size)

    def mcc(self, q: Filter = None, *, page_size: int = 1000) -> Iterator[Mcc]:
        return self._walk("mcc", Mcc, q, page_size)


class RunClient:
    """A Run Payments (or Homerun) client. Thread-safe; close it, or use it as a context.

    Payments API calls need `api_key` and `refresh_token` (or a `credential_store` that
    holds them); Reporting and Boarding need their OAuth clients as (client_id, secret).
    """

    def __init__(
        self,
        base_url: str = RUN_PAYMENTS_URL,
        *,
        mid: str | None = None,
        api_key: str | None = None,
        refresh_token: str | None = None,
        api_key_expires_at: int | None = None,
        credential_store: CredentialStore | None = None,
        reporting: OAuthClient | None = None,
        boarding: OAuthClient | None = None,
        ords_url: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.mid = mid
        keys = key_state_of(api_key, refresh_token, api_key_expires_at, credential_store)
        self._owns_http = http_client is None  # a caller's own client is the caller's to close
        self._http = http_client or httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))
        self._engine = SyncEngine(
            hosts_of(base_url, ords_url),
            self._http,
            keys,
            slots_of(reporting, boarding),
            retry or RetryPolicy(),
        )
        self.payments = Payments(self)
        self.hpp = HostedPages(self)
        self.vault = Vault(self)
        self.billing_plans = BillingPlans(self)
        self.reporting = Reporting(self)
        self.boarding = Boarding(self)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> RunClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
