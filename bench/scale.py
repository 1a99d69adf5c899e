"""Scale: an ACLED-layout table of synthetic events, loaded and queried as the app does.

In-process figures: the time :func:`geo.acled.load_acled` takes, and the time to answer a date
change (``window`` plus building the points the map is sent). Memory is the peak resident size
of a separate Python process that loads the table and answers the date changes, so that the
benchmark's own memory does not count; the server's own memory with the table loaded is
measured in the page benchmark when the app is pointed at the file (``ATLAS_ACLED``).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.synthetic import FIRST_DAY, LAST_DAY, generate_synthetic
from geo.acled import aggregate, load_acled, points, window
from geo.paths import ROOT


def date_windows(n: int, seed: int) -> list[tuple[np.datetime64, np.datetime64]]:
    """``n`` random date windows of 1 to 365 days inside the synthetic period."""
    rng = np.random.default_rng(seed)
    span = int((LAST_DAY - FIRST_DAY).astype(int))
    out = []
    for _ in range(n):
        length = int(rng.integers(1, 366))
        start = FIRST_DAY + np.timedelta64(int(rng.integers(0, span - length)), "D")
        out.append((start, start + np.timedelta64(length, "D")))
    return out


def app_payload(events) -> bytes:  # noqa: ANN001 - GeoDataFrame
    """What the map is sent for a window: the app's ACLED layer (``geo.mapview.acled_group``
    of ``geo.acled.points``) rendered as folium renders it, or, without that function, the
    compact point list a client-side clusterer takes."""
    pts = points(events)
    try:
        from geo.mapview import acled_group
    except ImportError:
        return json.dumps(pts, separators=(",", ":")).encode("utf-8")
    import folium

    m = folium.Map(tiles=None)
    acled_group(pts).add_to(m)
    return m.get_root().render().encode("utf-8")


def answer_date_change(events, start, end) -> int:  # noqa: ANN001
    """What the server does when the date changes: cut the window, build what is sent."""
    return len(app_payload(window(events, start, end)))


_CHILD = """
import json, resource, sys, time
from geo.acled import load_acled
from bench.scale import answer_date_change, date_windows
t0 = time.perf_counter(); events = load_acled(sys.argv[1]); load_s = time.perf_counter() - t0
for start, end in date_windows(20, 5):
    answer_date_change(events, start, end)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"load_seconds": load_s, "peak_rss_bytes": peak, "events": len(events)}))
"""


def measure_process(csv_path: Path) -> dict:
    """Load and query in a fresh interpreter; return its load time and peak RSS."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(csv_path)],
        cwd=ROOT, capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(workdir: Path, smoke: bool = False) -> dict:
    """Generate, load and query; return the scale section of the results."""
    n = 2_000 if smoke else 100_000
    csv_path = workdir / f"acled_synthetic_{n}.csv"
    t0 = time.perf_counter()
    generate_synthetic(n, seed=42, path=csv_path)
    gen_s = time.perf_counter() - t0

    loads = []
    for _ in range(1 if smoke else 3):
        t0 = time.perf_counter()
        events = load_acled(csv_path)
        loads.append(time.perf_counter() - t0)

    changes, sizes, counts = [], [], []
    for start, end in date_windows(5 if smoke else 40, seed=11):
        t0 = time.perf_counter()
        sizes.append(answer_date_change(events, start, end))
        changes.append(time.perf_counter() - t0)
        counts.append(len(window(events, start, end)))
    grid_s, grid_bytes = [], []
    for start, end in date_windows(5 if smoke else 40, seed=11):
        t0 = time.perf_counter()
        cells = aggregate(window(events, start, end), cell_deg=0.05)
        grid_bytes.append(len(cells.to_json(orient="values", date_format="iso")))
        grid_s.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for start, end in date_windows(200, seed=12):
        window(events, start, end)
    window_only_s = (time.perf_counter() - t0) / 200

    child = measure_process(csv_path)
    section: dict = {"app_reads_acled": app_supports_acled()}
    n_changes = 1 if smoke else 6
    section.update(run_app(workdir, csv_path, n_changes, reads_acled=section["app_reads_acled"]))
    if not section["app_reads_acled"]:
        section["notes"] = [
            "the app does not read ATLAS_ACLED: the server memory and browser date-change "
            "figures of the scale section are for the atlas without the event table"
        ]
    return section | {
        "events": n,
        "csv_bytes": csv_path.stat().st_size,
        "generate_seconds": gen_s,
        "load_seconds": statistics.median(loads),
        "load_seconds_all": loads,
        "load_seconds_fresh_process": child["load_seconds"],
        "date_change_seconds_median": statistics.median(changes),
        "date_change_seconds_max": max(changes),
        "window_seconds_mean": window_only_s,
        "window_events_median": int(statistics.median(counts)),
        "window_payload_bytes_median": int(statistics.median(sizes)),
        # the alternative of binning on the server (0.05° grid) instead of sending points
        "grid_seconds_median": statistics.median(grid_s),
        "grid_payload_bytes_median": int(statistics.median(grid_bytes)),
        "loader_process_peak_rss_bytes": child["peak_rss_bytes"],
        "frame_memory_bytes": int(events.memory_usage(deep=True).sum()),
    }


# --- the app pointed at the table ---------------------------------------------------------

# Record when the mouse is pressed in the Streamlit page, and every change to the map's panes
# in its iframe (feature groups replaced, markers added or removed). The answer is complete
# when the map changed after the press and then stayed unchanged for ``settle`` ms; its time
# is that of the last change.
_WATCH_JS = """
(iframeSel) => {
  const W = window.__date = {press: [], last: 0};
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener('mousedown', () => W.press.push(now()), true);
  const d = document.querySelector(iframeSel).contentDocument;
  new MutationObserver(() => { W.last = now(); }).observe(
    d.querySelector('.leaflet-map-pane'), {childList: true, subtree: true, attributes: true});
}
"""
_DONE_JS = """
(settle) => {
  const W = window.__date, now = performance.timeOrigin + performance.now();
  const press = W.press[W.press.length - 1];
  if (press === undefined || !(W.last > press) || now - W.last < settle) return false;
  return {press: press, done: W.last};
}
"""


def app_supports_acled() -> bool:
    """True when the app reads ``ATLAS_ACLED`` (its optional ACLED layer)."""
    app = ROOT / "app.py"
    sources = [app, *sorted((ROOT / "geo").glob("*.py"))]
    return any("ATLAS_ACLED" in p.read_text(encoding="utf-8") for p in sources if p.exists())


def run_app(
    workdir: Path, csv_path: Path, changes: int, reads_acled: bool, timeout_ms: float = 60_000
) -> dict:
    """Start the atlas with ``ATLAS_ACLED=csv_path``, change its date ``changes`` times in the
    browser (the sidebar's "Previous event" button, which moves the map date back to the
    previous event of the timeline) and measure the answer and the server's memory. The
    ACLED layer is switched on first when it is off (also timed)."""
    from bench import browser
    from bench.click import idle
    from bench.server import serve
    from geo.assets import ensure_assets

    ensure_assets()
    env = {"ATLAS_ACLED": str(csv_path)}
    with serve(ROOT / "app.py", cwd=ROOT, env=env, log=workdir / "app-acled.log") as app:
        rss_idle = app.rss_bytes()
        with browser.chromium() as b:
            page = b.new_page(viewport=browser.VIEWPORT)
            page.goto(app.url, wait_until="commit")
            first = browser.wait_painted(page, timeout_ms=timeout_ms * 2)
            idle(page, timeout_ms)
            rss_loaded = app.rss_bytes()
            page.evaluate(_WATCH_JS, browser.IFRAME)

            def answer(target) -> float:  # noqa: ANN001 - Playwright Locator
                target.click()
                got = page.wait_for_function(
                    _DONE_JS, arg=browser.SETTLE_MS, polling="raf", timeout=timeout_ms
                ).json_value()
                idle(page, timeout_ms)
                return (got["done"] - got["press"]) / 1000

            sidebar = page.locator('[data-testid="stSidebar"]')
            layer_on_s, on_by_default = None, None
            if reads_acled:
                box = sidebar.locator('[data-testid="stCheckbox"]', has_text="ACLED")
                on_by_default = box.locator("input").is_checked()
                if not on_by_default:
                    layer_on_s = answer(box)
            shown = page.evaluate(
                "(s) => document.querySelector(s).contentDocument"
                ".querySelectorAll('.marker-cluster, .leaflet-marker-icon').length",
                browser.IFRAME,
            )
            button = sidebar.locator("button", has_text="Previous event")
            times = [answer(button) for _ in range(changes)]
            rss_after = app.rss_bytes()
    return {
        "acled_layer_on_by_default": on_by_default,
        "browser_acled_layer_on_s": layer_on_s,
        "browser_acled_markers_shown": shown,
        "browser_first_paint_s": float(first["t"]) / 1000,
        "browser_features_drawn": int(first["n"]),
        "browser_date_change_s": statistics.median(times),
        "browser_date_change_runs_s": times,
        "server_rss_idle_bytes": rss_idle,
        "server_rss_loaded_bytes": rss_loaded,
        "server_rss_bytes": max(rss_loaded, rss_after),
    }
