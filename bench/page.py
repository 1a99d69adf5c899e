"""Page and payload: the atlas against a bare one-marker Streamlit page, in the same run.

Both servers run side by side; after each one's cold load (the first navigation after its
start) the two pages are loaded alternately, each time in a fresh browser context, so that
both meet the same machine load. See ``bench/browser.py`` for what "painted" means.
"""

from __future__ import annotations

import shutil
import statistics
import time
from contextlib import ExitStack
from pathlib import Path

from bench import browser
from bench.offline import prepare_static
from bench.server import Server, serve
from geo.paths import ROOT

APP = ROOT / "app.py"


def bare_app_dir(workdir: Path) -> Path:
    """A folder with the bare page scripts (``bare_page.py``, ``widgets_page.py``) and their
    ``static/`` assets."""
    folder = workdir / "bare"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("bare_page.py", "widgets_page.py"):
        shutil.copy2(Path(__file__).with_name(name), folder / name)
    prepare_static(folder / "static")
    return folder


def _serve_bare(folder: Path, name: str, workdir: Path) -> Server:
    """Serve ``<name>_page.py`` of the bare-page folder (the project importable), its log in
    ``workdir/<name>.log``."""
    return serve(
        folder / f"{name}_page.py", cwd=folder, env={"PYTHONPATH": str(ROOT)},
        log=workdir / f"{name}.log",
    )


def layer_bytes() -> dict[str, int]:
    """Bytes of each layer of the default view as the app sends it: the rendered HTML/JS of
    the layer's feature group (its GeoJSON and styling code), on the default date."""
    import folium

    from geo import appdata, mapview

    data = appdata.load_app_data()
    day = data.last_day  # the app opens on the last day of the timeline
    features = {k: mapview.features_on(data.features[k], day) for k in mapview.DRAW_ORDER}
    features[mapview.EVENTS] = mapview.event_features(data.events, data.positions, day)

    def rendered(group: folium.FeatureGroup | None) -> int:
        m = folium.Map(tiles=None)
        if group is not None:
            group.add_to(m)
        return len(m.get_root().render().encode("utf-8"))

    empty = rendered(None)
    return {k: rendered(mapview.layer_group(k, f)) - empty for k, f in features.items()}


def script_rerun_seconds(runs: int) -> float:
    """Median time of a warm rerun of ``app.py`` in Streamlit's own test runner (server work:
    the script, with its data cached; no browser)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _ratio_bound(page: dict, app_kind: dict, bare_kind: dict) -> str:
    """Where the atlas's extra time goes: the widgets floor separates Streamlit's cost for the
    page layout from what the atlas's map and data add."""
    a, b = page["warm_phases"], page["bare_warm_phases"]
    framework = page["widgets_warm_s"] - page["bare_warm_s"]
    ours = page["warm_s"] - page["widgets_warm_s"]
    drawing = (a["painted_s"] - a["iframe_s"]) - (b["painted_s"] - b["iframe_s"])
    extra_js = (app_kind["streamlit_frontend"] - bare_kind["streamlit_frontend"]) / 1e6
    return (
        f"framework: the same widgets and layout with one marker and no data take "
        f"{page['widgets_warm_s']:.2f} s ({framework:+.2f} s over the bare page: Streamlit "
        f"loading {extra_js:.2f} MB more of its own widget code and drawing the sidebar); the "
        f"atlas adds {ours:+.2f} s over that ({app_kind['websocket'] / 1e6:.2f} MB of script "
        f"output, a {page['script_rerun_s']:.2f} s script run, {drawing:.2f} s more from the "
        f"map's iframe to {page['features_drawn']} features painted)"
    )


def by_kind(load: browser.Paint) -> dict[str, int]:
    """Bytes received, split into Streamlit's own frontend, the map component's frontend, the
    offline map assets (``/app/static``) and the websocket (script output: map and widgets)."""
    out = {"streamlit_frontend": 0, "folium_component": 0, "map_assets": 0, "other_http": 0}
    for url, size in load.requests:
        path = "/" + url.split("/", 3)[-1]
        if path.startswith("/app/static/"):
            out["map_assets"] += size
        elif path.startswith("/component/"):
            out["folium_component"] += size
        elif path.startswith(("/static/", "/_stcore/", "/favicon")) or path == "/":
            out["streamlit_frontend"] += size
        else:
            out["other_http"] += size
    out["websocket"] = load.ws_bytes
    return out


def run(workdir: Path, smoke: bool = False, env: dict[str, str] | None = None) -> dict:
    """Return the ``page`` and ``payload`` sections."""
    from geo.assets import ensure_assets

    ensure_assets()
    warm_runs = 1 if smoke else 7
    bare_dir = bare_app_dir(workdir)
    notes: list[str] = []
    with ExitStack() as stack:
        b = stack.enter_context(browser.chromium())
        bare = stack.enter_context(_serve_bare(bare_dir, "bare", workdir))
        bare_cold = browser.load(b, bare.url)
        widgets = stack.enter_context(_serve_bare(bare_dir, "widgets", workdir))
        widgets_cold = browser.load(b, widgets.url)
        app = stack.enter_context(serve(APP, cwd=ROOT, env=env, log=workdir / "app.log"))
        app_cold = browser.load(b, app.url)
        bare_warm, widgets_warm, app_warm = [], [], []
        for _ in range(warm_runs):
            bare_warm.append(browser.load(b, bare.url, want=bare_cold.features))
            widgets_warm.append(browser.load(b, widgets.url, want=widgets_cold.features))
            app_warm.append(browser.load(b, app.url, want=app_cold.features))
        # Bytes: one more load of each, counting until painted plus one quiet second.
        bare_bytes = browser.load(b, bare.url, want=bare_cold.features, settle_after=1.0)
        app_bytes = browser.load(b, app.url, want=app_cold.features, settle_after=1.0)
        app_rss = app.rss_bytes()
        bare_rss = bare.rss_bytes()
        app_start, bare_start = app.started_s, bare.started_s

    counts = {p.features for p in app_warm}
    if counts != {app_cold.features}:
        notes.append(f"the atlas drew {sorted(counts)} features on warm loads, "
                     f"{app_cold.features} on the cold one")
    warm = statistics.median(p.ms for p in app_warm) / 1000
    bare_w = statistics.median(p.ms for p in bare_warm) / 1000
    widgets_w = statistics.median(p.ms for p in widgets_warm) / 1000
    page = {
        "cold_s": app_cold.ms / 1000,
        "warm_s": warm,
        "warm_runs_s": [p.ms / 1000 for p in app_warm],
        "bare_cold_s": bare_cold.ms / 1000,
        "bare_warm_s": bare_w,
        "bare_warm_runs_s": [p.ms / 1000 for p in bare_warm],
        "warm_ratio": warm / bare_w,
        "widgets_warm_s": widgets_w,
        "widgets_warm_runs_s": [p.ms / 1000 for p in widgets_warm],
        "warm_ratio_to_widgets": warm / widgets_w,
        "cold_ratio": app_cold.ms / bare_cold.ms,
        "features_drawn": app_cold.features,
        "server_start_s": app_start,
        "bare_server_start_s": bare_start,
        "server_rss_bytes": app_rss,
        "bare_server_rss_bytes": bare_rss,
        "notes": notes,
    }
    def phases(loads: list[browser.Paint]) -> dict[str, float]:
        return {
            "iframe_s": statistics.median(p.iframe_ms for p in loads) / 1000,
            "leaflet_container_s": statistics.median(p.container_ms for p in loads) / 1000,
            "first_feature_s": statistics.median(p.first_feature_ms for p in loads) / 1000,
            "painted_s": statistics.median(p.ms for p in loads) / 1000,
        }

    page["warm_phases"] = phases(app_warm)
    page["bare_warm_phases"] = phases(bare_warm)
    page["widgets_warm_phases"] = phases(widgets_warm)
    page["script_rerun_s"] = script_rerun_seconds(1 if smoke else 7)
    page["bounds"] = {"warm_ratio": _ratio_bound(page, by_kind(app_bytes), by_kind(bare_bytes))}
    payload = {
        "default_total_bytes": app_bytes.total_bytes,
        "default_http_bytes": app_bytes.http_bytes,
        "default_ws_bytes": app_bytes.ws_bytes,
        "default_ws_frames": app_bytes.ws_frames,
        "bare_total_bytes": bare_bytes.total_bytes,
        "bare_http_bytes": bare_bytes.http_bytes,
        "bare_ws_bytes": bare_bytes.ws_bytes,
        "atlas_bytes": app_bytes.total_bytes - bare_bytes.total_bytes,
        "default_ws_largest_frames": sorted(app_bytes.ws_sizes, reverse=True)[:4],
        "default_by_kind": by_kind(app_bytes),
        "bare_by_kind": by_kind(bare_bytes),
    }
    kinds = payload["default_by_kind"]
    payload["bounds"] = {
        "default_total_bytes": (
            f"framework: {kinds['streamlit_frontend'] / 1e6:.2f} MB of it is Streamlit's own "
            f"frontend, which its server sends uncompressed (the bare page alone is "
            f"{payload['bare_total_bytes'] / 1e6:.2f} MB); the map's assets are "
            f"{kinds['map_assets'] / 1e6:.2f} MB and the script output over the websocket "
            f"{kinds['websocket'] / 1e6:.2f} MB"
        )
    }
    try:
        payload["layers"] = layer_bytes()
    except Exception as exc:  # noqa: BLE001 - per-layer sizes need the app's mapview helpers
        payload["layers_error"] = f"{type(exc).__name__}: {exc}"
    return {"page": page, "payload": payload}
