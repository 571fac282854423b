"""The surfaces of both clients, described once: each endpoint is one line naming its call
builder (`_calls`), each collection one line naming its item model.

A surface is generic in its shell: `Sync` sends a Call and returns the answer, `Async`
returns a coroutine of it. `Endpoint` and `Collection` are descriptors whose type follows
the shell, so `RunClient().payments.charge(...)` is a `Transaction` and
`AsyncRunClient().payments.charge(...)` an awaitable of one, from the same line below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

import httpx

from . import _calls
from ._aengine import AsyncEngine
from ._auth import KeyState, TokenSlot
from ._call import Auth, Call
from ._engine import SyncEngine
from ._http import Hosts
from ._paging import Page, next_offset, page_call
from ._setup import RUN_PAYMENTS_URL, OAuthClient, hosts_of, key_state_of, slots_of
from .credentials import CredentialStore
from .models import (
    AdjustmentItem,
    ChargebackItem,
    DepositItem,
    Mcc,
    MerchantItem,
    RepCode,
    TransactionItem,
)
from .query import Q
from .retries import RetryPolicy

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
P = ParamSpec("P")
Filter = Q | Mapping[str, object] | None


class _Owner(Protocol):
    mid: str | None


class Sync:
    """Sends on the calling thread; answers are values."""

    def __init__(self, engine: SyncEngine, owner: _Owner) -> None:
        self.engine, self._owner = engine, owner

    def call(self, build: Callable[[str | None], Call[T]]) -> T:
        return self.engine.send(build(self._owner.mid))

    def walk(self, fetch: Callable[[int], Call[Page[T]]]) -> Iterator[T]:
        offset: int | None = 0
        while offset is not None:
            page = self.engine.send(fetch(offset))
            yield from page.items
            offset = next_offset(page, offset)


class Async:
    """Sends on the event loop; answers are awaited."""

    def __init__(self, engine: AsyncEngine, owner: _Owner) -> None:
        self.engine, self._owner = engine, owner

    async def call(self, build: Callable[[str | None], Call[T]]) -> T:
        return await self.engine.send(build(self._owner.mid))

    async def walk(self, fetch: Callable[[int], Call[Page[T]]]) -> AsyncIterator[T]:
        offset: int | None = 0
        while offset is not None:
            page = await self.engine.send(fetch(offset))
            for item in page.items:
                yield item
            offset = next_offset(page, offset)


S = TypeVar("S", Sync, Async)
H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class Surface(Generic[S]):
    def __init__(self, shell: S) -> None:
        self._shell: S = shell


class Endpoint(Generic[P, T]):
    """A method of a surface: its arguments are those of the call builder after the MID."""

    def __init__(self, build: Callable[Concatenate[str | None, P], Call[T]]) -> None:
        self._build = build
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, surface: None, owner: type[Any]) -> Endpoint[P, T]: ...

    @overload
    def __get__(self, surface: Surface[Sync], owner: type[Any]) -> Callable[P, T]: ...

    @overload
    def __get__(
        self, surface: Surface[Async], owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...

    def __get__(self, surface: Surface[Any] | None, owner: type[Any]) -> Any:
        if surface is None:
            return self
        build, shell = self._build, surface._shell

        def method(*args: P.args, **kwargs: P.kwargs) -> Any:
            return shell.call(lambda mid: build(mid, *args, **kwargs))

        method.__name__, method.__doc__ = self._name, self.__doc__
        return method


class Walk(Protocol[T_co]):
    def __call__(self, q: Filter = None, *, page_size: int = 1000) -> Iterator[T_co]: ...


class AsyncWalk(Protocol[T_co]):
    def __call__(self, q: Filter = None, *, page_size: int = 1000) -> AsyncIterator[T_co]: ...


class Collections(Surface[S]):
    """ORDS collections (ruling R9), read page by page."""

    _audience: Auth = "reporting"
    _prefix = _calls.REPORTING

    def _page_call(
        self, name: str, kind: type[T], q: Filter, limit: int, offset: int
    ) -> Call[Page[T]]:
        return page_call(f"{self._prefix}/{name}", kind, self._audience, q, limit, offset)

    @overload
    def page(
        self: Collections[Sync],
        name: str,
        kind: type[T],
        q: Filter = None,
        *,
        limit: int = 25,
        offset: int = 0,
    ) -> Page[T]: ...

    @overload
    def page(
        self: Collections[Async],
        name: str,
        kind: type[T],
        q: Filter = None,
        *,
        limit: int = 25,
        offset: int = 0,
    ) -> Coroutine[Any, Any, Page[T]]: ...

    def page(
        self, name: str, kind: type[T], q: Filter = None, *, limit: int = 25, offset: int = 0
    ) -> Any:
        """One page of a collection, as the server sent it."""
        return self._shell.call(lambda _: self._page_call(name, kind, q, limit, offset))


class Collection(Generic[T]):
    """A collection of a surface, named by its attribute: each call walks every page
    (`page_size` items a request)."""

    def __init__(self, kind: type[T]) -> None:
        self._kind = kind

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, surface: None, owner: type[Any]) -> Collection[T]: ...

    @overload
    def __get__(self, surface: Collections[Sync], owner: type[Any]) -> Walk[T]: ...

    @overload
    def __get__(self, surface: Collections[Async], owner: type[Any]) -> AsyncWalk[T]: ...

    def __get__(self, surface: Collections[Any] | None, owner: type[Any]) -> Any:
        if surface is None:
            return self
        name, kind = self._name, self._kind

        def walk(q: Filter = None, *, page_size: int = 1000) -> Any:
            return surface._shell.walk(
                lambda offset: surface._page_call(name, kind, q, page_size, offset)
            )

        walk.__name__ = name
        return walk


class Payments(Surface[S]):
    charge = Endpoint(_calls.charge)
    capture = Endpoint(_calls.capture)
    void_or_refund = Endpoint(_calls.void_or_refund)
    surcharge = Endpoint(_calls.surcharge)


class HostedPages(Surface[S]):
    create = Endpoint(_calls.create_hpp)
    update = Endpoint(_calls.update_hpp)


class Vault(Surface[S]):
    create = Endpoint(_calls.create_account)
    get = Endpoint(_calls.get_account)
    update = Endpoint(_calls.update_account)
    delete = Endpoint(_calls.delete_account)


class BillingPlans(Surface[S]):
    create = Endpoint(_calls.create_plan)
    get = Endpoint(_calls.get_plan)
    cancel = Endpoint(_calls.cancel_plan)


class Reporting(Collections[S]):
    transactions = Collection(TransactionItem)
    deposits = Collection(DepositItem)
    chargebacks = Collection(ChargebackItem)
    adjustments = Collection(AdjustmentItem)


class Boarding(Collections[S]):
    _audience: Auth = "boarding"
    _prefix = _calls.BOARDING

    merchants = Collection(MerchantItem)
    create_merchant = Endpoint(_calls.create_merchant)
    get_merchant = Endpoint(_calls.get_merchant)
    rep_codes = Collection(RepCode)
    mcc = Collection(Mcc)


class Client(Generic[S, H]):
    """What both clients are: their arguments, and one attribute per surface.

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
        http_client: H | None = None,
    ) -> None:
        self.mid = mid
        keys = key_state_of(api_key, refresh_token, api_key_expires_at, credential_store)
        self._owns_http = http_client is None  # a caller's own client is the caller's to close
        self._http: H = http_client or self._new_http(httpx.Timeout(timeout, connect=10.0))
        parts = (hosts_of(base_url, ords_url), keys, slots_of(reporting, boarding))
        shell = self._shell_of(*parts, retry or RetryPolicy())
        self.payments: Payments[S] = Payments(shell)
        self.hpp: HostedPages[S] = HostedPages(shell)
        self.vault: Vault[S] = Vault(shell)
        self.billing_plans: BillingPlans[S] = BillingPlans(shell)
        self.reporting: Reporting[S] = Reporting(shell)
        self.boarding: Boarding[S] = Boarding(shell)

    def _new_http(self, timeout: httpx.Timeout) -> H:
        raise NotImplementedError

    def _shell_of(
        self, hosts: Hosts, keys: KeyState | None, slots: dict[str, TokenSlot], retry: RetryPolicy
    ) -> S:
        raise NotImplementedError
