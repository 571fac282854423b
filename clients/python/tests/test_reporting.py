"""Reporting against Homerun's seeded history: every page walked, `q` built by Q, the OAuth
token asked once and cached, and the errors of a bad filter or a bad client."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
import runpayments as rp
from live_homerun import LiveHomerun, Seeded
from runpayments.query import Q, gt, in_, like

from conftest import FAST


@pytest.fixture(scope="module")
def seeded(homerun: LiveHomerun) -> Seeded:
    return homerun.seeded()


class TokenCount:
    def __init__(self) -> None:
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> None:
        self.tokens += request.url.path.endswith("/oauth/token")


@pytest.fixture
def counted() -> TokenCount:
    return TokenCount()


@pytest.fixture
def reporting(homerun: LiveHomerun, seeded: Seeded, counted: TokenCount) -> Iterator[rp.RunClient]:
    http = httpx.Client(event_hooks={"request": [counted]})
    with rp.RunClient(
        homerun.base_url,
        reporting=(seeded.client_id, seeded.client_secret),
        retry=FAST,
        http_client=http,
    ) as client:
        yield client


def test_every_seeded_transaction_in_pages_of_2500(
    reporting: rp.RunClient, seeded: Seeded, counted: TokenCount
) -> None:
    items = list(reporting.reporting.transactions(page_size=2500))
    assert len(items) == seeded.transactions
    assert len({item.trans_id for item in items}) == seeded.transactions
    assert {item.mid for item in items} == {seeded.mid}
    assert all(isinstance(item.amount, Decimal) for item in items)
    assert counted.tokens == 1  # one token for all five pages


def test_the_other_three_collections(reporting: rp.RunClient, seeded: Seeded) -> None:
    assert len(list(reporting.reporting.deposits())) == seeded.deposits
    assert len(list(reporting.reporting.chargebacks())) == seeded.chargebacks
    assert len(list(reporting.reporting.adjustments())) == seeded.adjustments


def test_q_filters_and_orders(reporting: rp.RunClient, seeded: Seeded) -> None:
    declined = list(
        reporting.reporting.transactions(Q(result="C", trans_type=in_(["sale", "auth"])))
    )
    assert len(declined) == seeded.declines
    assert {d.result for d in declined} == {"C"}
    big = list(
        reporting.reporting.transactions(Q(amount=gt(Decimal("500"))).order_by(amount="desc"))
    )
    assert big and all(item.amount is not None and item.amount > 500 for item in big)
    amounts = [item.amount for item in big]
    assert amounts == sorted(amounts, reverse=True)  # type: ignore[type-var]
    nothing = list(reporting.reporting.transactions(Q(order_id=like("no-such-order-%"))))
    assert nothing == []


def test_one_page_as_the_server_sent_it(reporting: rp.RunClient) -> None:
    page = reporting.reporting.page("transactions", rp.TransactionItem, limit=3, offset=2)
    assert (page.limit, page.offset, page.count, page.has_more) == (3, 2, 3, True)
    assert [link.rel for link in page.links] == ["self", "first", "next", "prev"]


def test_a_bad_filter_names_the_field(reporting: rp.RunClient) -> None:
    with pytest.raises(rp.InvalidRequestError) as raised:
        list(reporting.reporting.transactions(Q(no_such_field=1)))
    assert raised.value.status == 400
    assert list(raised.value.errors) == ["q.no_such_field"]


def test_a_wrong_client_secret_is_an_authentication_error(
    homerun: LiveHomerun, seeded: Seeded
) -> None:
    with (
        rp.RunClient(
            homerun.base_url, reporting=(seeded.client_id, "not-the-secret"), retry=FAST
        ) as client,
        pytest.raises(rp.AuthenticationError) as raised,
    ):
        list(client.reporting.deposits())
    assert (raised.value.status, raised.value.code) == (401, "invalid_client")


def test_a_refused_token_is_asked_for_again(reporting: rp.RunClient, counted: TokenCount) -> None:
    assert len(list(reporting.reporting.adjustments(page_size=5))) > 0
    reporting._engine.tokens["reporting"].slot.token = "hr_at_forged.token"  # as if revoked
    assert len(list(reporting.reporting.adjustments(page_size=5))) > 0
    assert counted.tokens == 2


async def test_the_async_walk(homerun: LiveHomerun, seeded: Seeded) -> None:
    async with rp.AsyncRunClient(
        homerun.base_url, reporting=(seeded.client_id, seeded.client_secret), retry=FAST
    ) as client:
        declined = [
            item.result
            async for item in client.reporting.transactions(Q(result="C"), page_size=100)
        ]
    assert declined == ["C"] * seeded.declines
