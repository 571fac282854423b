"""What delivery refuses and how it protects itself: schemes, addresses (SSRF),
redirects, long answers, slow receivers."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest

from homerun.runtime import Runtime
from homerun.webhooks.dispatcher import Dispatcher, deliver_due
from homerun.webhooks.transport import AddressPolicy, Refused, check_url, parse_url
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge
from tests.webhooks.receiver import Received, Receiver, Reply
from tests.webhooks.support import ENDPOINTS, Hooks, deliveries, with_settings

STRICT = AddressPolicy(allow_loopback=False, allow_private=False)


@pytest.mark.parametrize(
    ("address", "refusal"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("100.64.0.1", "a private address"),
        ("fd00::1", "a private address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("64:ff9b::a00:1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("0.0.0.0", "not a unicast address"),  # noqa: S104
        ("::", "not a unicast address"),
        ("224.0.0.1", "not a unicast address"),
        ("240.0.0.1", "not a unicast address"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_the_address_policy(address: str, refusal: str | None) -> None:
    assert STRICT.refusal(ipaddress.ip_address(address)) == refusal


def test_the_settings_open_loopback_and_private_ranges() -> None:
    loopback = AddressPolicy(allow_loopback=True)
    assert loopback.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert loopback.refusal(ipaddress.ip_address("10.0.0.1")) == "a private address"
    private = AddressPolicy(allow_private=True)
    assert private.refusal(ipaddress.ip_address("10.0.0.1")) is None
    assert private.refusal(ipaddress.ip_address("169.254.169.254")) is None
    assert private.refusal(ipaddress.ip_address("127.0.0.1")) == "a loopback address"
    unspecified = ipaddress.ip_address("0.0.0.0")  # noqa: S104
    assert private.refusal(unspecified) == "not a unicast address"


def test_urls_are_taken_apart_for_the_request_line() -> None:
    target = parse_url("https://Hooks.Example.com/in/bound?x=1#frag")
    assert (target.scheme, target.host, target.port, target.path, target.host_header) == (
        "https",
        "hooks.example.com",
        443,
        "/in/bound?x=1",
        "hooks.example.com",
    )
    target = parse_url("http://[::1]:8080")
    assert (target.host, target.port, target.path, target.host_header) == (
        "::1",
        8080,
        "/",
        "[::1]:8080",
    )
    for bad in (
        "ftp://example.com/",
        "file:///etc/passwd",
        "http://",
        "http://a b/",
        "http://é.com/",
    ):
        with pytest.raises(Refused):
            check_url(bad, STRICT)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.com/hook", "only http and https URLs are allowed"),
        ("gopher://example.com/", "only http and https URLs are allowed"),
        ("http://user:secret@example.com/", "the URL must not carry a user name or password"),
        ("http://10.0.0.7/hook", "10.0.0.7 is a private address; webhooks may not be posted there"),
        (
            "http://169.254.169.254/latest/meta-data",
            "169.254.169.254 is a link-local address; webhooks may not be posted there",
        ),
        ("http://[fd12::1]/", "fd12::1 is a private address; webhooks may not be posted there"),
        (
            "http://0.0.0.0:8080/",
            "0.0.0.0 is not a unicast address; webhooks may not be posted there",
        ),
        ("http://example.com:99999/", "the URL is malformed: Port out of range 0-65535"),
    ],
)
async def test_registration_refuses_what_may_not_be_posted_to(
    client: httpx.AsyncClient, merchant: MerchantAccess, url: str, problem: str
) -> None:
    answer = await client.post(ENDPOINTS, json={"mid": merchant.mid, "url": url}, headers=ADMIN)
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"] == {"url": [problem]}
    listed = await client.get(ENDPOINTS, params={"mid": merchant.mid}, headers=ADMIN)
    assert listed.json()["items"] == []


async def test_loopback_is_refused_when_not_allowed_even_through_a_name(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    # Registered while the sandbox allows loopback; a live-like worker refuses to post.
    by_name = await hooks.add(
        f"http://localhost:{receiver.port}{receiver.prefix}/n", mid=merchant.mid
    )
    by_address = await hooks.add(receiver.url("a"), mid=merchant.mid)
    await charge(client, merchant)
    await deliver_due(with_settings(runtime, webhook_allow_loopback=False))
    assert receiver.received == []
    [named] = await deliveries(client, endpoint_id=by_name["id"])
    [literal] = await deliveries(client, endpoint_id=by_address["id"])
    assert named["state"] == literal["state"] == "pending"
    assert named["attempts"] == literal["attempts"] == 1
    assert named["last_error"].startswith("refused: localhost resolves to ")
    assert named["last_error"].endswith(", a loopback address")
    assert literal["last_error"] == "refused: 127.0.0.1 resolves to 127.0.0.1, a loopback address"


async def test_redirects_are_not_followed_and_answers_are_cut_short(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_merchant: MerchantFactory,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    moved, chatty = await make_merchant(), await make_merchant()

    def answer(request: Received) -> Reply:
        if request.path.endswith("/moved"):
            return Reply(302, b"", {"Location": receiver.url("elsewhere")})
        return Reply(500, b"x" * 100_000)

    receiver.handler = answer
    redirected = await hooks.add(receiver.url("moved"), mid=moved.mid)
    long = await hooks.add(receiver.url("chatty"), mid=chatty.mid)
    await charge(client, moved)
    await charge(client, chatty)
    await deliver_due(runtime)
    assert receiver.on("elsewhere") == []
    [d] = await deliveries(client, endpoint_id=redirected["id"])
    assert (d["state"], d["last_status"], d["last_error"]) == (
        "pending",
        302,
        "the receiver answered HTTP 302",
    )
    [d] = await deliveries(client, endpoint_id=long["id"])
    assert d["last_status"] == 500, d["last_error"]
    assert d["last_response"] == "x" * runtime.settings.webhook_max_response_bytes + " [cut]"


async def test_a_receiver_slower_than_the_timeout_fails_the_attempt(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    receiver.handler = lambda _: Reply(200, delay=2.0)
    endpoint = await hooks.add(receiver.url(), mid=merchant.mid)
    await charge(client, merchant)
    await deliver_due(with_settings(runtime, webhook_timeout_seconds=0.3))
    [d] = await deliveries(client, endpoint_id=endpoint["id"])
    assert (d["state"], d["attempts"], d["last_status"]) == ("pending", 1, None)
    assert d["last_error"] == "no answer within 0.3 s"


async def test_a_stalled_receiver_does_not_hold_up_the_others(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_merchant: MerchantFactory,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    stalled_merchants = [await make_merchant() for _ in range(4)]
    quick_merchants = [await make_merchant() for _ in range(4)]
    release = asyncio.Event()

    def answer(request: Received) -> Reply:
        stalled = request.path.endswith("/stalled")
        return Reply(200, hold=release if stalled else None)

    receiver.handler = answer
    # One partner-like receiver URL for four merchants that never answers (until released).
    for m in stalled_merchants:
        await hooks.add(receiver.url("stalled"), mid=m.mid)
    stalled_endpoints = {e["id"] for e in await listed_endpoints(client, stalled_merchants)}
    for m in quick_merchants:
        await hooks.add(receiver.url("quick"), mid=m.mid)
    for m in stalled_merchants + quick_merchants:
        await charge(client, m)
        await charge(client, m)
    # Four slots; at most two for any one endpoint... and each stalled merchant has its own
    # endpoint here, so the cap that matters is the global one: the stalled ones take what
    # they can, the quick ones still get through as slots come back.
    narrow = with_settings(
        runtime, webhook_concurrency=6, webhook_endpoint_concurrency=2, webhook_poll_seconds=0.02
    )
    stop = asyncio.Event()
    dispatcher = Dispatcher(narrow, "narrow")
    running = asyncio.create_task(dispatcher.run(stop))
    try:
        await receiver.wait_for(8, seconds=30, path="quick")
        assert len(receiver.on("stalled")) == 4  # one per stalled lane, all still waiting
        assert sum(dispatcher.in_flight[e] for e in stalled_endpoints) == 4
    finally:
        release.set()
        stop.set()
        await asyncio.wait_for(running, timeout=30)


async def listed_endpoints(
    client: httpx.AsyncClient, merchants: list[MerchantAccess]
) -> list[dict[str, object]]:
    found = []
    for m in merchants:
        answer = await client.get(ENDPOINTS, params={"mid": m.mid}, headers=ADMIN)
        found.extend(answer.json()["items"])
    return found


async def test_one_slow_endpoint_takes_at_most_its_share_of_the_slots(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_merchant: MerchantFactory,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    """A partner endpoint (many merchants, many lanes) that stalls holds at most
    webhook_endpoint_concurrency slots; another endpoint's deliveries go through."""
    from tests.boarding.support import create_ok, make_partner

    partner = await make_partner(client)
    release = asyncio.Event()

    def answer(request: Received) -> Reply:
        stalled = request.path.endswith("/partner")
        return Reply(200, hold=release if stalled else None)

    receiver.handler = answer
    slow = await hooks.add(receiver.url("partner"), partner_id=partner.partner_id)
    quick_merchant = await make_merchant()
    await hooks.add(receiver.url("quick"), mid=quick_merchant.mid)
    for _ in range(6):
        await create_ok(client, partner)  # six applications: six lanes of merchant.new
    for _ in range(5):
        await charge(client, quick_merchant)
    narrow = with_settings(
        runtime, webhook_concurrency=4, webhook_endpoint_concurrency=2, webhook_poll_seconds=0.02
    )
    stop = asyncio.Event()
    dispatcher = Dispatcher(narrow, "narrow")
    running = asyncio.create_task(dispatcher.run(stop))
    try:
        await receiver.wait_for(5, seconds=30, path="quick")
        await asyncio.sleep(0.1)
        assert len(receiver.on("partner")) == 2
        assert dispatcher.in_flight[slow["id"]] == 2
    finally:
        release.set()
        await receiver.wait_for(6, seconds=30, path="partner")
        stop.set()
        await asyncio.wait_for(running, timeout=30)
