"""The delivery HTTP client on its own: uvloop (what `homerun serve` runs), keep-alive."""

from __future__ import annotations

import asyncio

import uvloop

from homerun.webhooks.transport import AddressPolicy, Client, DeliveryFailure
from tests.webhooks.receiver import Receiver, Reply


def client() -> Client:
    return Client(
        timeout=5,
        max_response_bytes=16,
        policy=AddressPolicy(allow_loopback=True),
        user_agent="test",
    )


def test_the_client_posts_on_uvloop() -> None:
    async def main() -> list[tuple[int, bytes, bool]]:
        receiver = await Receiver(lambda _: Reply(201, b"created")).start()
        posting = client()
        try:
            answers = [await posting.post(receiver.url(), {"X-A": "1"}, b"{}") for _ in range(3)]
        finally:
            await posting.aclose()
            await receiver.stop()
        assert [r.headers["x-a"] for r in receiver.received] == ["1"] * 3
        assert len({id(c) for c in receiver.connections}) <= 1
        return [(a.status, a.body, a.truncated) for a in answers]

    assert uvloop.run(main()) == [(201, b"created", False)] * 3


async def test_keep_alive_reuses_one_connection_and_long_answers_close_it() -> None:
    seen: list[int] = []
    receiver = Receiver()

    def answer(_: object) -> Reply:
        seen.append(len(receiver.connections))
        return Reply(200, b"x" * (20 if len(seen) == 3 else 2))

    receiver.handler = answer
    await receiver.start()
    posting = client()
    try:
        first = await posting.post(receiver.url(), {}, b"{}")
        second = await posting.post(receiver.url(), {}, b"{}")
        third = await posting.post(receiver.url(), {}, b"{}")
        assert (first.body, second.body) == (b"xx", b"xx")
        assert (third.body, third.truncated) == (b"x" * 16, True)
        assert seen == [1, 1, 1]  # one connection for all three
        await asyncio.sleep(0.05)
        assert len(receiver.connections) == 0  # the cut-short answer closed it
        fourth = await posting.post(receiver.url(), {}, b"{}")
        assert fourth.status == 200
    finally:
        await posting.aclose()
        await receiver.stop()


async def test_a_closed_port_is_a_failure_that_says_so() -> None:
    receiver = await Receiver().start()
    url = receiver.url()
    await receiver.stop()
    posting = client()
    try:
        await posting.post(url, {}, b"{}")
    except DeliveryFailure as failure:
        assert str(failure).startswith("cannot connect to 127.0.0.1:")
    else:
        raise AssertionError("posted to a closed port")
    finally:
        await posting.aclose()
