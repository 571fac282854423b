"""A fast webhook receiver for the benchmark: answers 200 at once, counts, times.

    python bench/webhooks/receiver.py PORTFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE). Every POST is answered
`200 ok`; it records the wall-clock arrival time of each (source_id, attempt) and, on
GET /stats, answers {count, first, last, arrivals: {source_id: time}} as JSON; GET /count
answers {count} alone; GET /reset forgets everything. Signatures are not checked here (the
tests do that): the point is to cost the sender as little as a fast real receiver would.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import cast

import httptools
import orjson
import uvloop

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.first = 0.0
        self.last = 0.0
        self.arrivals: dict[str, float] = {}


STATS = Stats()


class Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.body = bytearray()
        self.url = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        assert self.transport is not None
        now = time.time()
        method = self.parser.get_method()
        url, body = self.url, bytes(self.body)
        self.url, self.body = b"", bytearray()
        if method == b"GET":
            if url.startswith(b"/reset"):
                STATS.reset()
                payload = b"{}"
            elif url.startswith(b"/count"):
                payload = orjson.dumps({"count": STATS.count})
            else:
                payload = orjson.dumps(
                    {
                        "count": STATS.count,
                        "first": STATS.first,
                        "last": STATS.last,
                        "arrivals": STATS.arrivals,
                    }
                )
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(payload)}\r\n\r\n".encode()
            self.transport.write(head + payload)
            return
        STATS.count += 1
        STATS.first = STATS.first or now
        STATS.last = now
        envelope = orjson.loads(body)
        key = f"{envelope['source_id']}/{envelope['metadata']['attempt']}"
        STATS.arrivals.setdefault(key, now)
        self.transport.write(OK)


def write_port(port_file: str, port: int) -> None:
    Path(port_file).write_text(str(port))


async def main(port_file: str) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Connection, "127.0.0.1", 0, backlog=1024)
    write_port(port_file, server.sockets[0].getsockname()[1])
    await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1]))
