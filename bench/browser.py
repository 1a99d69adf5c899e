"""Headless Debian Chromium through Playwright: page-paint timing, clicks and bytes on the wire.

"Map painted" (used for both the atlas and the bare page): inside the iframe
``iframe[title="streamlit_folium.st_folium"]`` a ``.leaflet-container`` exists and the number of
drawn features, ``path.leaflet-interactive`` (vector shapes and circle markers) plus
``.leaflet-marker-icon`` (image markers and cluster bubbles), has reached its final value. The
page's own clock reports the moment of the last change of that count (``performance.now()``,
milliseconds since navigation start, sampled every animation frame); "final" means unchanged
for :data:`SETTLE_MS`. A first load learns the final count; later loads stop as soon as it is
reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
FEATURES = "path.leaflet-interactive, .leaflet-marker-icon"
SETTLE_MS = 1500
VIEWPORT = {"width": 1400, "height": 1000}

# Runs in the page every animation frame; keeps state on window between polls.
_PAINT_JS = """
([iframeSel, featSel, want, settle]) => {
  const st = (window.__bench = window.__bench || {count: -1, changed: 0});
  const f = document.querySelector(iframeSel);
  const d = f && f.contentDocument;
  const box = d && d.querySelector('.leaflet-container');
  const n = box ? d.querySelectorAll(featSel).length : -1;
  const now = performance.now();
  if (f && st.iframe === undefined) st.iframe = now;
  if (box && st.box === undefined) st.box = now;
  if (n > 0 && st.first === undefined) st.first = now;
  if (n !== st.count) { st.count = n; st.changed = now; }
  if (n <= 0) return false;
  const out = {t: now, n: n, iframe: st.iframe, box: st.box, first: st.first};
  if (want > 0) return n >= want ? out : false;
  return now - st.changed >= settle ? {...out, t: st.changed} : false;
}
"""


@dataclass
class Paint:
    """One page load: ms from navigation start to the map painted, features drawn, bytes."""

    ms: float
    features: int
    iframe_ms: float = 0.0  # the map's iframe is in the page
    container_ms: float = 0.0  # Leaflet's container is in the iframe
    first_feature_ms: float = 0.0  # the first feature is drawn
    http_bytes: int = 0
    ws_bytes: int = 0
    ws_frames: int = 0
    requests: list[tuple[str, int]] = field(default_factory=list)
    ws_sizes: list[int] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        """HTTP plus websocket bytes received."""
        return self.http_bytes + self.ws_bytes


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, with no background traffic of its own (the benchmark and
    the browser tests both launch it here)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Traffic:
    """Bytes a page receives: HTTP responses (headers + body) and websocket frames."""

    def __init__(self, page: Page) -> None:
        self.http = 0
        self.ws = 0
        self.frames = 0
        self.sizes: list[int] = []
        self.requests: list[tuple[str, int]] = []
        page.on("requestfinished", self._finished)
        page.on("websocket", self._socket)

    def _finished(self, request) -> None:  # noqa: ANN001 - Playwright Request
        try:
            sizes = request.sizes()
        except Exception:  # noqa: BLE001 - a request torn down with its page has no sizes
            return
        size = int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])
        self.http += size
        self.requests.append((request.url, size))

    def _socket(self, ws) -> None:  # noqa: ANN001 - Playwright WebSocket
        ws.on("framereceived", self._frame)

    def _frame(self, payload: bytes | str) -> None:
        size = len(payload.encode() if isinstance(payload, str) else payload)
        self.ws += size
        self.frames += 1
        self.sizes.append(size)


def open_page(browser: Browser) -> Page:
    return browser.new_page(viewport=VIEWPORT)


def wait_painted(page: Page, want: int = 0, timeout_ms: float = 120_000) -> dict:
    """Wait for the map to be painted (see module doc); return the page's timings in ms since
    navigation (``t`` painted, ``iframe``, ``box``, ``first``) and the feature count ``n``."""
    handle = page.wait_for_function(
        _PAINT_JS, arg=[IFRAME, FEATURES, want, SETTLE_MS], polling="raf", timeout=timeout_ms
    )
    return handle.json_value()


def load(browser: Browser, url: str, want: int = 0, settle_after: float = 0.0) -> Paint:
    """Navigate a fresh page to ``url`` and time the map paint; count bytes until then
    (plus ``settle_after`` seconds, to catch trailing frames when measuring payload)."""
    page = open_page(browser)
    try:
        traffic = Traffic(page)
        page.goto(url, wait_until="commit")
        got = wait_painted(page, want)
        if settle_after:
            page.wait_for_timeout(settle_after * 1000)
        return Paint(
            float(got["t"]), int(got["n"]), float(got["iframe"]), float(got["box"]),
            float(got["first"]), traffic.http, traffic.ws, traffic.frames, list(traffic.requests),
            list(traffic.sizes),
        )
    finally:
        page.close()


def frame(page: Page):  # noqa: ANN201 - Playwright FrameLocator
    return page.frame_locator(IFRAME)
