"""A loopback HTTP proxy in front of Homerun that forwards a request, lets Homerun answer,
and then drops the client's connection without passing the answer on: the lost answer
after a charge went through."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class DroppingProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, drops: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream, self.drops = upstream, drops
        self.seen: list[tuple[str, str | None, str | None]] = []  # path, key, replayed
        self.http = httpx.Client(base_url=upstream)
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> DroppingProxy:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.shutdown()
        self.server_close()
        self.http.close()


class _Handler(BaseHTTPRequestHandler):
    server: DroppingProxy

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        answer = self.server.http.request(self.command, self.path, headers=headers, content=body)
        key = self.headers.get("Idempotency-Key")
        self.server.seen.append((self.path, key, answer.headers.get("Idempotent-Replayed")))
        if self.server.drops > 0:
            self.server.drops -= 1
            self.close_connection = True  # Homerun answered; the client never hears it
            return
        self.send_response(answer.status_code)
        for name, value in answer.headers.items():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PUT = do_DELETE = _forward
