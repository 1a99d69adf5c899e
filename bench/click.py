"""Click: from a click on a place in the map to (a) its popup and (b) its side-panel entry.

Places are the map features of the default view (those the articles mention first, points
before areas and lines; not the event markers) at a screen point where the topmost element is
the feature's own path (for points: and no other point within :data:`MIN_GAP_PX`), so that a
click is sure to hit the intended one. Each is clicked once with the real mouse, after the
previous click's rerun has finished. Times come from the pages' own clocks
(``performance.timeOrigin + performance.now()``): the press is recorded by a capture-phase
``mousedown`` listener in the map's document, the popup by a ``MutationObserver`` the moment a
popup titled with the place's label is inserted, and the side panel by polling the Streamlit
page every animation frame until the panel shows the place's heading and its first excerpt.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench import browser
from bench.server import serve
from geo.paths import ROOT

APP = ROOT / "app.py"
MIN_GAP_PX = 8
CLICK_VIEWPORT = {"width": 1920, "height": 1080}

# In the map's document: features of the default view that a click at one screen point is
# sure to reach (the topmost element there is the feature's own path), with that point.
_PLACES_JS = """
(minGap) => {
  const A = window.atlas, map = A.map, size = map.getSize(), out = [];
  const box = map.getContainer().getBoundingClientRect();
  const dec = document.createElement('textarea');
  Object.keys(A.byId).forEach((id) => {
    const l = A.byId[id].find((x) => x._map && x.feature && x._path);
    if (!l || l.feature.properties.ev) return;  // events are not places
    let ll;
    try { ll = l.getLatLng ? l.getLatLng() : l.getCenter(); } catch (e) { return; }
    const p = map.latLngToContainerPoint(ll);
    if (p.x < 20 || p.y < 20 || p.x > size.x - 20 || p.y > size.y - 20) return;
    const x = p.x + box.left, y = p.y + box.top;
    if (document.elementFromPoint(x, y) !== l._path) return;
    dec.innerHTML = l.feature.properties.label;
    out.push({id: id, x: x, y: y, lat: ll.lat, lng: ll.lng, label: dec.value,
              layer: l.feature.properties.layer, point: !!l.getLatLng});
  });
  const pts = out.filter((a) => a.point);
  return out.filter((a) => !a.point || pts.every((b) => a === b ||
    Math.hypot(a.x - b.x, a.y - b.y) >= minGap));
}
"""

# In the map's document: record presses and popups on the page's absolute clock.
_WATCH_JS = """
() => {
  const W = window.__clicks = {down: [], popups: []};
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener('mousedown', () => W.down.push(now()), true);
  new MutationObserver((records) => {
    const t = now();
    records.forEach((r) => r.addedNodes.forEach((n) => {
      if (n.nodeType !== 1) return;
      const title = n.querySelector && n.querySelector('.atlas-pop-title');
      if (title) W.popups.push({t: t, label: title.textContent});
    }));
  }).observe(document.body, {childList: true, subtree: true});
}
"""

# In the Streamlit page: the moment the side panel shows the place's excerpts: a heading
# naming the place, after it the "Article excerpts (N)" heading, and after that the first
# quoted excerpt (or, for N = 0, the next element), all from the current script run (Streamlit
# marks what is left from the previous run with data-stale="true").
_PANEL_JS = """
([label]) => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  const fresh = (e) => !e.closest('[data-stale="true"]');
  const after = (a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
  const head = [...main.querySelectorAll('h3')]
    .find((e) => fresh(e) && e.textContent.trim() === label);
  if (!head) return false;
  const ex = [...main.querySelectorAll('h4')].find((e) => fresh(e) && after(head, e) &&
    /^Article excerpts \\(\\d+\\)/.test(e.textContent.trim()));
  if (!ex) return false;
  const n = +ex.textContent.match(/\\((\\d+)\\)/)[1];
  const next = n > 0
    ? [...main.querySelectorAll('blockquote')].find((e) => fresh(e) && after(ex, e))
    : [...main.querySelectorAll('[data-testid="stElementContainer"]')]
        .find((e) => fresh(e) && after(ex, e) && !e.contains(ex));
  if (!next) return false;
  return {t: performance.timeOrigin + performance.now(), n: n};
}
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def idle(page, timeout_ms: float) -> None:  # noqa: ANN001 - Playwright Page
    """Wait until Streamlit has no script run in progress, then a quiet moment."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(300)


# Before a click: close the previous popup, find the place's point on screen again (the page
# layout, hence the map's size, changes as the side panel grows) and check the place is still
# the topmost element there.
_READY_JS = """
(p) => {
  const map = window.atlas.map;
  map.closePopup();
  const c = map.latLngToContainerPoint([p.lat, p.lng]);
  const box = map.getContainer().getBoundingClientRect();
  const x = c.x + box.left, y = c.y + box.top;
  const e = document.elementFromPoint(x, y);
  return e && e.classList.contains('atlas-f-' + p.id) ? {x: x, y: y} : null;
}
"""


def places_with_excerpts() -> set[str]:
    """Ids of the places the article corpus mentions (their panels show excerpts)."""
    try:
        from geo.knowledge import load_index

        return {pid for pid, hits in load_index().place_passages.items() if hits}
    except Exception:  # noqa: BLE001 - without the index the order is by kind only
        return set()


def order(places: list[dict], n: int, quoted: set[str] = frozenset()) -> list[dict]:
    """Places the articles mention first (their panels have excerpts to show), then the
    others; points before areas and lines. Places past the first ``n`` are spares for places
    that something covers at click time."""
    if len(places) < n:
        raise RuntimeError(f"only {len(places)} separately clickable places in the view")
    return sorted(places, key=lambda p: (p["id"] not in quoted, not p["point"], p["id"]))


def measure(url: str, n_clicks: int, timeout_ms: float = 30_000) -> dict:
    """Click ``n_clicks`` different places on the page at ``url``; return times in seconds."""
    with browser.chromium() as b:
        page = b.new_page(viewport=CLICK_VIEWPORT)
        page.goto(url, wait_until="commit")
        browser.wait_painted(page)
        idle(page, timeout_ms)
        doc = page.frame_locator(browser.IFRAME).locator(".leaflet-container")
        doc = doc.element_handle().owner_frame()
        places = doc.evaluate(_PLACES_JS, MIN_GAP_PX)
        doc.evaluate(_WATCH_JS)
        popup_s, panel_s, names, misses, excerpts, skipped = [], [], [], [], [], []
        for place in order(places, n_clicks, places_with_excerpts()):
            if len(names) == n_clicks:
                break
            at = doc.evaluate(_READY_JS, place)
            if not at:
                skipped.append(place["id"])
                continue
            k = len(names)
            iframe_box = page.locator(browser.IFRAME).bounding_box()
            page.mouse.click(iframe_box["x"] + at["x"], iframe_box["y"] + at["y"])
            doc.wait_for_function(
                "(k) => window.__clicks.down.length > k && window.__clicks.popups.some("
                "(p) => p.t >= window.__clicks.down[k])",
                arg=k, timeout=timeout_ms,
            )
            state = doc.evaluate("() => window.__clicks")
            pressed = state["down"][k]
            popup = next(p for p in state["popups"] if p["t"] >= pressed)
            if popup["label"] != place["label"]:
                misses.append(f"{place['id']}: popup shows {popup['label']!r}")
            shown = page.wait_for_function(
                _PANEL_JS, arg=[place["label"]], polling="raf", timeout=timeout_ms
            ).json_value()
            t_panel = shown["t"]
            excerpts.append(int(shown["n"]))
            popup_s.append((popup["t"] - pressed) / 1000)
            panel_s.append((t_panel - pressed) / 1000)
            names.append(place["id"])
            idle(page, timeout_ms)
        page.close()
    if len(names) < n_clicks:
        raise RuntimeError(f"only {len(names)} of {n_clicks} places could be clicked")
    return {
        "clicks": len(names),
        "places": names,
        "candidates": len(places),
        "popup_s": popup_s,
        "panel_s": panel_s,
        "popup_median_s": statistics.median(popup_s),
        "popup_p95_s": _percentile(popup_s, 0.95),
        "panel_median_s": statistics.median(panel_s),
        "panel_p95_s": _percentile(panel_s, 0.95),
        "wrong_popups": misses,
        "skipped_covered": skipped,
        "excerpts_per_place": excerpts,
    }


def run(workdir: Path, smoke: bool = False) -> dict:
    """The click section: a freshly started atlas, 3 clicks (smoke) or 24."""
    from geo.assets import ensure_assets

    ensure_assets()
    with serve(APP, cwd=ROOT, log=workdir / "app-click.log") as app:
        return measure(app.url, 2 if smoke else 24)
