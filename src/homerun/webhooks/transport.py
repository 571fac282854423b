"""Posting one webhook: a small HTTP/1.1 client that refuses what it must.

- Only `http` and `https`. The host name is resolved (cached for a few seconds), every
  address it resolves to is checked against the address policy, and the connection
  is made to a checked address (TLS still verifies the certificate against the host
  name), so a name that later resolves elsewhere (DNS rebinding) cannot slip past.
- Redirects are never followed: a 3xx is an answer like any other non-2xx.
- One deadline covers resolving, connecting, sending and the whole answer.
- The answer's body is kept up to a small limit; a longer answer is cut off and its
  connection closed rather than read to the end. Headers are capped too.
- Keep-alive connections are pooled per (scheme, address, port, host name).

It is written on asyncio's transports with httptools' parser (both already what the
server runs on) because a webhook POST needs a tenth of a general client's work, and
delivery throughput is bound by that cost.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import cast
from urllib.parse import SplitResult, urlsplit

import httptools

MAX_HEADER_BYTES = 64 * 1024
DNS_TTL_SECONDS = 10.0
IDLE_SECONDS = 30.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class DeliveryFailure(Exception):
    """An attempt that got no answer (the message is what the delivery records)."""


class Refused(DeliveryFailure):
    """The URL or its address is not one Homerun may post to."""


class TimedOut(DeliveryFailure):
    pass


@dataclass(frozen=True)
class AddressPolicy:
    allow_loopback: bool = False
    allow_private: bool = False

    def refusal(self, address: IPAddress) -> str | None:
        """Why `address` may not be posted to, or None when it may."""
        ip = _unwrapped(address)
        if ip.is_loopback:
            return None if self.allow_loopback else "a loopback address"
        if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
            return "not a unicast address"
        if ip.is_link_local:
            return None if self.allow_private else "a link-local address"
        if not ip.is_global:
            return None if self.allow_private else "a private address"
        return None


def _unwrapped(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped, 6to4 or NAT64 IPv6 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the host name (or address) as written, lower case, without brackets
    port: int
    path: str  # path and query, what goes on the request line
    host_header: str
    literal: IPAddress | None  # the host, when it is an address


def _address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def parse_url(url: str) -> Target:
    """A webhook URL taken apart, or Refused saying what is wrong with it."""
    if not url.isascii() or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise Refused("the URL must be ASCII without spaces (use punycode and %-escapes)")
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError as problem:
        raise Refused(f"the URL is malformed: {problem}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Refused("only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None:
        raise Refused("the URL must not carry a user name or password")
    host = (parts.hostname or "").lower()
    if not host:
        raise Refused("the URL has no host")
    default = 443 if scheme == "https" else 80
    port = port or default
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default else f"{shown}:{port}"
    return Target(scheme, host, port, path, host_header, _address(host))


def check_url(url: str, policy: AddressPolicy) -> Target:
    """What registration checks: the URL's form, and its address when it is one."""
    target = parse_url(url)
    literal = target.literal
    if literal is not None:
        reason = policy.refusal(literal)
        if reason is not None:
            raise Refused(f"{literal} is {reason}; webhooks may not be posted there")
    return target


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    truncated: bool


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection, one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future[tuple[Answer, bool]] | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._limit = 0
        self._status = 0
        self._body = bytearray()
        self._header_bytes = 0
        self._headers_done = False

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():
            self.close()  # nothing was asked: a server talking out of turn
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(DeliveryFailure("the receiver switched protocols"))
            return
        except httptools.HttpParserError as problem:
            self._fail(DeliveryFailure(f"malformed HTTP answer: {problem}"))
            return
        if not self._headers_done:
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._fail(DeliveryFailure("the answer's headers are too large"))

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if self._headers_done:  # a body that ends with the connection
                waiter.set_result((self._answer(truncated=False), False))
            else:
                waiter.set_exception(DeliveryFailure("the connection closed before an answer"))

    # -- httptools callbacks
    def on_headers_complete(self) -> None:
        self._headers_done = True
        self._status = self._parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        if self._waiter is None or self._waiter.done():
            return
        room = self._limit - len(self._body)
        if room > 0:
            self._body += body[:room]
        if len(body) > room:
            self._waiter.set_result((self._answer(truncated=True), False))
            self.close()

    def on_message_complete(self) -> None:
        if self._waiter is None or self._waiter.done():
            return
        if 100 <= self._status < 200:  # an interim answer: the final one follows
            self._headers_done = False
            self._header_bytes = 0
            self._body.clear()
            return
        self._waiter.set_result((self._answer(truncated=False), self._parser.should_keep_alive()))

    # -- ours
    def send(self, data: bytes, limit: int) -> asyncio.Future[tuple[Answer, bool]]:
        assert self.transport is not None
        self._waiter = self._loop.create_future()
        self._limit = limit
        self._status = 0
        self._body = bytearray()
        self._header_bytes = 0
        self._headers_done = False
        self.transport.write(data)
        return self._waiter

    def _answer(self, *, truncated: bool) -> Answer:
        return Answer(self._status, bytes(self._body), truncated)

    def _fail(self, problem: Exception) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(problem)
        self.close()

    def close(self) -> None:
        self.lost = True
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    @property
    def usable(self) -> bool:
        return (
            not self.lost
            and self.transport is not None
            and not self.transport.is_closing()
            and time.monotonic() - self.idle_since < IDLE_SECONDS
        )


_PoolKey = tuple[str, str, int, str]


class Client:
    """Posts webhooks; one per worker (it pools connections and name lookups)."""

    def __init__(
        self,
        *,
        timeout: float,
        max_response_bytes: int,
        policy: AddressPolicy,
        user_agent: str,
        max_idle_per_host: int = 64,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.policy = policy
        self.user_agent = user_agent
        self.max_idle_per_host = max_idle_per_host
        self._ssl = ssl_context
        self._idle: dict[_PoolKey, list[_Connection]] = {}
        self._targets: dict[str, Target] = {}
        self._names: dict[tuple[str, int], tuple[float, list[IPAddress]]] = {}

    def _tls(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        """POST `body`; the answer, or DeliveryFailure (Refused, TimedOut, ...)."""
        target = self._targets.get(url)
        if target is None:
            target = parse_url(url)
            if len(self._targets) > 10_000:
                self._targets.clear()
            self._targets[url] = target
        try:
            async with asyncio.timeout(self.timeout):
                return await self._post(target, headers, body)
        except TimeoutError:
            raise TimedOut(f"no answer within {self.timeout:g} s") from None

    async def _post(self, target: Target, headers: dict[str, str], body: bytes) -> Answer:
        addresses = await self._addresses(target)
        lines = [
            f"POST {target.path} HTTP/1.1",
            f"Host: {target.host_header}",
            f"User-Agent: {self.user_agent}",
            f"Content-Length: {len(body)}",
        ]
        lines.extend(f"{name}: {value}" for name, value in headers.items())
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        connection, key = await self._connection(target, addresses)
        try:
            answer, keep_alive = await connection.send(data, self.max_response_bytes)
        except BaseException:
            connection.close()
            raise
        if keep_alive and not answer.truncated and not connection.lost:
            self._release(key, connection)
        else:
            connection.close()
        return answer

    async def _addresses(self, target: Target) -> list[IPAddress]:
        literal = target.literal
        if literal is not None:
            found = [literal]
        else:
            found = await self._resolve(target.host, target.port)
        for address in found:
            reason = self.policy.refusal(address)
            if reason is not None:
                raise Refused(f"refused: {target.host} resolves to {address}, {reason}")
        return found

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        now = time.monotonic()
        cached = self._names.get((host, port))
        if cached is not None and cached[0] > now:
            return cached[1]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as problem:
            raise DeliveryFailure(f"cannot resolve {host}: {problem}") from None
        found: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in found:
                found.append(address)
        if not found:
            raise DeliveryFailure(f"cannot resolve {host}")
        self._names[(host, port)] = (now + DNS_TTL_SECONDS, found)
        return found

    async def _connection(
        self, target: Target, addresses: list[IPAddress]
    ) -> tuple[_Connection, _PoolKey]:
        for address in addresses:
            key: _PoolKey = (target.scheme, str(address), target.port, target.host)
            idle = self._idle.get(key)
            while idle:
                connection = idle.pop()
                if connection.usable:
                    return connection, key
                connection.close()
        loop = asyncio.get_running_loop()
        problems = []
        for address in addresses:
            key = (target.scheme, str(address), target.port, target.host)
            tls = target.scheme == "https"
            try:
                _, protocol = await loop.create_connection(
                    lambda: _Connection(loop),
                    host=str(address),
                    port=target.port,
                    ssl=self._tls() if tls else None,
                    server_hostname=target.host if tls else None,
                )
            except ssl.SSLError as problem:
                raise DeliveryFailure(f"TLS failed with {target.host}: {problem}") from None
            except OSError as problem:
                problems.append(f"{address}: {problem.strerror or problem}")
                continue
            return protocol, key
        raise DeliveryFailure(f"cannot connect to {target.host_header} ({'; '.join(problems)})")

    def _release(self, key: _PoolKey, connection: _Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if len(idle) >= self.max_idle_per_host:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
