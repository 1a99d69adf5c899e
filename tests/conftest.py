"""Shared fixtures: a real Streamlit server on a free port and Debian Chromium via Playwright.

Both are started the way the benchmark starts them (``bench.server``, ``bench.browser``). The
server runs in its own process group and is stopped by that group at teardown. The browser
is launched once per session; each test gets a fresh page whose failed requests, requests to
other hosts and console errors are recorded (``page.atlas_log``). Screenshots go to
``tests/artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bench.browser import CHROMIUM, VIEWPORT, chromium
from bench.server import Server, free_port, serve
from geo.paths import ROOT

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
STARTUP_TIMEOUT_S = 120


@dataclass
class StreamlitServer:
    """``streamlit run app.py`` in its own process group, its log in ``tests/artifacts/``."""

    env: dict[str, str] = field(default_factory=dict)
    running: Server | None = None

    @property
    def url(self) -> str:
        if self.running is None:
            raise RuntimeError("the server is not started")
        return self.running.url

    def start(self) -> StreamlitServer:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self.running = serve(
            ROOT / "app.py",
            env={**self.env, "PYTHONUNBUFFERED": "1"},
            timeout=STARTUP_TIMEOUT_S,
            log=ARTIFACTS / f"server-{port}.log",
            port=port,
        )
        return self

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()


@pytest.fixture(scope="session")
def server() -> Iterator[StreamlitServer]:
    """The app on the shipped data."""
    srv = StreamlitServer().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian Chromium, headless, with no background traffic of its own."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (make chromium installs it)")
    with chromium() as b:
        yield b


@dataclass
class PageLog:
    """What went wrong on a page: failed requests, other hosts, console errors."""

    failed: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def attach_log(page, host: str = "127.0.0.1") -> PageLog:
    """Record problems on ``page`` (dialogs are dismissed and recorded)."""
    log = PageLog()

    def on_request(req) -> None:
        log.requests.append(req.url)
        parsed = urlparse(req.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname != host:
            log.external.append(req.url)

    def on_response(resp) -> None:
        if resp.status >= 400:
            log.failed.append(f"{resp.status} {resp.url}")

    def on_failed(req) -> None:
        log.failed.append(f"{req.failure} {req.url}")

    def on_console(msg) -> None:
        if msg.type == "error":
            log.console_errors.append(msg.text)

    def on_dialog(dialog) -> None:
        log.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: log.console_errors.append(f"pageerror: {exc}"))
    page.on("dialog", on_dialog)
    return log


@pytest.fixture
def page(browser):
    """A fresh browser page (1400×1000) with ``page.atlas_log``."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.atlas_log = attach_log(pg)
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots of the browser tests."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
