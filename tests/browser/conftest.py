"""Browser tests: Playwright driving Debian's Chromium against a real Homerun server.

Homerun runs in a thread on a free port (same database as the rest of the suite);
a small "merchant site" runs on other ports, so the merchant page, Homerun and a
hostile page are three origins, as they would be on the web.

Chromium comes from Debian (`apt-get install -y chromium`, done by ./scripts/test
when it runs as root); Playwright's own browser download is never used. The tests
are skipped only where Chromium cannot be installed (not root, or no apt-get);
where it could be and is missing, they fail so that CI never silently skips them.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx
import pytest
import uvicorn

from homerun.app import create_app
from homerun.config import Settings
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
CHROMIUM = os.environ.get("HOMERUN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
]
# Generous: CI machines and busy laptops are slow; a passing run never waits this long.
TIMEOUT_MS = 45_000
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 860}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium through Playwright")


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("HOMERUN_ARTIFACTS_DIR", ROOT / "artifacts" / "browser"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _chromium_or_skip() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    could_install = shutil.which("apt-get") is not None and os.geteuid() == 0
    if could_install:
        pytest.fail(
            f"Chromium is missing at {CHROMIUM} although this machine can install it: "
            "run ./scripts/test (it runs `apt-get install -y chromium`) or install it yourself"
        )
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (or HOMERUN_CHROMIUM); it is "
        "missing and cannot be installed here (not root, or no apt-get)"
    )


# ---------------------------------------------------------------- Homerun, for real


@dataclass
class LiveHomerun:
    url: str
    http: httpx.AsyncClient

    async def merchant(self, **settings: Any) -> MerchantAccess:
        created = await self.http.post(
            "/homerun/v1/merchants", json={"name": "Acme Outfitters", **settings}, headers=ADMIN
        )
        assert created.status_code == 201, created.text
        mid = created.json()["mid"]
        issued = await self.http.post(f"/homerun/v1/merchants/{mid}/credentials", headers=ADMIN)
        assert issued.status_code == 201, issued.text
        c = issued.json()
        return MerchantAccess(
            mid, c["api_key"], c["refresh_token"], c["public_key"], c["credential_id"]
        )

    async def page(self, m: MerchantAccess, **fields: Any) -> str:
        """Create a hosted page through the Payments API; returns its URL."""
        answer = await self.http.post(
            "/api/v1/hpp", json={"cc_mid": m.mid, **fields}, headers=m.headers
        )
        assert answer.status_code == 200, answer.text
        url: str = answer.json()["url"]
        return url

    async def transaction(self, m: MerchantAccess, trans_id: str) -> dict[str, Any]:
        answer = await self.http.get(
            f"/homerun/v1/merchants/{m.mid}/transactions/{trans_id}", headers=ADMIN
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


def live_homerun(scope: Literal["session", "package"], thread: str) -> Any:
    """A fixture `homerun`: Homerun on a real port, over the `settings` and (already
    migrated) `runtime` fixtures its scope sees, so that a package with a database of its
    own (tests.conftest.database_of_its_own) gets a live Homerun on that database."""

    @pytest.fixture(scope=scope, name="homerun")
    async def serve(settings: Settings, runtime: Runtime) -> AsyncIterator[LiveHomerun]:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        # No background worker: the rest of the suite runs its jobs and deliveries itself
        # and counts them; a second worker on the same database would race it.
        app = create_app(
            settings.model_copy(update={"public_base_url": url, "worker_in_server": False})
        )
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", loop="asyncio")
        )
        runner = threading.Thread(target=server.run, name=thread, daemon=True)
        runner.start()
        for _ in range(1200):
            if server.started:
                break
            await asyncio.sleep(0.05)
        assert server.started, "the live Homerun did not start"
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            yield LiveHomerun(url, http)
        server.should_exit = True
        await asyncio.to_thread(runner.join, 15)

    return serve


homerun = live_homerun("session", "homerun-live")


# ---------------------------------------------------------------- the merchant's own site


@dataclass
class MerchantSite:
    """A merchant's web server: its checkout page and its own backend call to /charge."""

    homerun_url: str
    url: str = ""
    merchant: MerchantAccess | None = None
    charges: list[dict[str, Any]] = field(default_factory=list)

    def page(self, name: str, **values: str) -> bytes:
        html = (PAGES / name).read_text()
        # The one change a Run page needs: the script URL.
        html = html.replace(
            "https://javelin.runpayments.io/javascripts/", f"{self.homerun_url}/javascripts/"
        )
        m = self.merchant
        values = {
            "PUBLIC_KEY": m.public_key if m else "",
            "MID": m.mid if m else "",
            "HOMERUN": self.homerun_url,
            **values,
        }
        for key, value in values.items():
            html = html.replace("{{" + key + "}}", value)
        return html.encode()

    def charge(self, request: dict[str, Any]) -> dict[str, Any]:
        """What the merchant's server does with the token: a Payments API charge."""
        assert self.merchant is not None
        body = {
            "mid": self.merchant.mid,
            "amount": request.get("amount", 2500),
            "account_token": request["account_token"],
            "expiration": request.get("expiration") or None,
            "cvn": request.get("cvn") or None,
            "capture": "Y",
            "currency": "USD",
        }
        answer = httpx.post(
            f"{self.homerun_url}/api/v1/charge",
            json={k: v for k, v in body.items() if v is not None},
            headers=self.merchant.headers,
            timeout=60,
        )
        result: dict[str, Any] = answer.json()
        self.charges.append(result)
        return result


def _serve(site: MerchantSite) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, media: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            values = {"ENV": "production"}
            values.update((k.upper(), v) for k, v in parse_qsl(query))
            name = path.strip("/") + ".html"
            if not (PAGES / name).is_file():
                self._send(404, b"not found", "text/plain")
                return
            body = site.page(name, **values)
            self._send(200, body, "text/html; charset=utf-8")

        def do_POST(self) -> None:
            if self.path != "/charge":
                self._send(404, b"not found", "text/plain")
                return
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            result = site.charge(request)
            self._send(200, json.dumps(result).encode(), "application/json")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="merchant-site", daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="session")
def merchant_site_server(homerun: LiveHomerun) -> Iterator[MerchantSite]:
    site = MerchantSite(homerun.url)
    server, thread = _serve(site)
    yield site
    server.shutdown()
    thread.join(10)


@pytest.fixture
def merchant_site(merchant_site_server: MerchantSite) -> MerchantSite:
    merchant_site_server.merchant = None
    merchant_site_server.charges.clear()
    return merchant_site_server


@pytest.fixture(scope="session")
def other_site(homerun: LiveHomerun) -> Iterator[MerchantSite]:
    """A third origin, for pages that try to use someone else's card frame."""
    site = MerchantSite(homerun.url)
    server, thread = _serve(site)
    yield site
    server.shutdown()
    thread.join(10)


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    executable = _chromium_or_skip()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=120_000
        )
        yield launched
        await launched.close()


@dataclass
class Watch:
    """What a page said that a test should know: script errors, refused loads, requests."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs


async def open_page(browser: Any, device: dict[str, Any] | None = None) -> tuple[Any, Watch]:
    context = await browser.new_context(**(device or DESKTOP))
    page = await context.new_page()
    watch = Watch()

    def on_console(message: Any) -> None:
        text = message.text
        if message.type == "error" and "Failed to load resource" not in text:
            watch.errors.append(text)

    async def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("console", on_console)
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on("dialog", on_dialog)
    page.set_default_timeout(TIMEOUT_MS)
    return page, watch


@pytest.fixture
async def desktop(browser: Any) -> AsyncIterator[tuple[Any, Watch]]:
    page, watch = await open_page(browser, DESKTOP)
    yield page, watch
    await page.context.close()


@pytest.fixture
async def phone(browser: Any) -> AsyncIterator[tuple[Any, Watch]]:
    page, watch = await open_page(browser, PHONE)
    yield page, watch
    await page.context.close()


# WCAG 2 contrast of every visible text element against its effective background.
LOW_CONTRAST_JS = """(minimum) => {
  const rgb = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0) continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < minimum) low.push(`${el.tagName}#${el.id}.${el.className}: ${ratio.toFixed(2)}`);
  }
  return low;
}"""


async def low_contrast(page: Any, minimum: float = 4.5) -> list[str]:
    found: list[str] = await page.evaluate(LOW_CONTRAST_JS, minimum)
    return found


async def fits(page: Any, selector: str) -> bool:
    """Whether the element shows all it holds: nothing scrolled out of sight sideways."""
    found: bool = await page.eval_on_selector(selector, "e => e.scrollWidth <= e.clientWidth")
    return found


async def autofocused(page: Any) -> str:
    """The id of the element a page focused by itself (`autofocus`). The browser applies
    autofocus at the page's next rendering, which may come after its load event: wait for
    focus to land (the page's default timeout), then name where it landed."""
    # A function, not an expression: the pages' CSP forbids eval, which an expression needs.
    await page.wait_for_function("() => document.activeElement !== document.body")
    focused: str = await page.evaluate("document.activeElement.id")
    return focused


async def screenshot(page: Any, name: str) -> Path:
    path = artifacts_dir() / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
