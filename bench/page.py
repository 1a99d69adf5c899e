"""Page and payload: the atlas against a bare one-marker Streamlit page, in the same run.

Both servers run side by side; after each one's cold load (the first navigation after its
start) the two pages are loaded alternately, each time in a fresh browser context, so that
both meet the same machine load. See ``bench/browser.py`` for what "painted" means.
"""

from __future__ import annotations

import json
import shutil
import statistics
from contextlib import ExitStack
from pathlib import Path

from bench import browser
from bench.offline import prepare_static
from bench.server import serve
from geo.paths import ROOT

APP = ROOT / "app.py"


def bare_app_dir(workdir: Path) -> Path:
    """A folder with the bare page script and its ``static/`` assets."""
    folder = workdir / "bare"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(__file__).with_name("bare_page.py"), folder / "bare_page.py")
    prepare_static(folder / "static")
    return folder


def layer_bytes() -> dict[str, int]:
    """Size of each default layer's GeoJSON as the app builds it (when the app exposes it)."""
    from geo import mapview

    sizes = getattr(mapview, "layer_payload_sizes", None)
    if sizes is not None:
        return {str(k): int(v) for k, v in sizes().items()}
    geojson = getattr(mapview, "layer_geojson", None)
    if geojson is None:
        raise AttributeError("geo.mapview exposes neither layer_payload_sizes nor layer_geojson")
    from geo.io import read_atlas

    out = {}
    for name, gdf in read_atlas().items():
        data = geojson(name, gdf)
        text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        out[name] = len(text.encode("utf-8"))
    return out


def run(workdir: Path, smoke: bool = False, env: dict[str, str] | None = None) -> dict:
    """Return the ``page`` and ``payload`` sections."""
    from geo.assets import ensure_assets

    ensure_assets()
    warm_runs = 2 if smoke else 7
    bare_dir = bare_app_dir(workdir)
    notes: list[str] = []
    with ExitStack() as stack:
        b = stack.enter_context(browser.chromium())
        bare = stack.enter_context(
            serve(bare_dir / "bare_page.py", cwd=bare_dir, env={"PYTHONPATH": str(ROOT)},
                  log=workdir / "bare.log")
        )
        bare_cold = browser.load(b, bare.url)
        app = stack.enter_context(serve(APP, cwd=ROOT, env=env, log=workdir / "app.log"))
        app_cold = browser.load(b, app.url)
        bare_warm, app_warm = [], []
        for _ in range(warm_runs):
            bare_warm.append(browser.load(b, bare.url, want=bare_cold.features))
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
    page = {
        "cold_s": app_cold.ms / 1000,
        "warm_s": warm,
        "warm_runs_s": [p.ms / 1000 for p in app_warm],
        "bare_cold_s": bare_cold.ms / 1000,
        "bare_warm_s": bare_w,
        "bare_warm_runs_s": [p.ms / 1000 for p in bare_warm],
        "warm_ratio": warm / bare_w,
        "cold_ratio": app_cold.ms / bare_cold.ms,
        "features_drawn": app_cold.features,
        "server_start_s": app_start,
        "bare_server_start_s": bare_start,
        "server_rss_bytes": app_rss,
        "bare_server_rss_bytes": bare_rss,
        "notes": notes,
    }
    ours = sorted(
        ((u, s) for u, s in app_bytes.requests if "/_stcore/" not in u and "/static/js/" not in u
         and "/static/media/" not in u and "/static/css/" not in u),
        key=lambda x: -x[1],
    )
    payload = {
        "default_total_bytes": app_bytes.http_bytes + app_bytes.ws_bytes,
        "default_http_bytes": app_bytes.http_bytes,
        "default_ws_bytes": app_bytes.ws_bytes,
        "default_ws_frames": app_bytes.ws_frames,
        "bare_total_bytes": bare_bytes.http_bytes + bare_bytes.ws_bytes,
        "bare_http_bytes": bare_bytes.http_bytes,
        "bare_ws_bytes": bare_bytes.ws_bytes,
        "atlas_bytes": (app_bytes.http_bytes + app_bytes.ws_bytes)
        - (bare_bytes.http_bytes + bare_bytes.ws_bytes),
        "largest_non_framework_requests": [
            {"url": u.split("/", 3)[-1], "bytes": s} for u, s in ours[:10]
        ],
    }
    try:
        payload["layers"] = layer_bytes()
    except Exception as exc:  # noqa: BLE001 - per-layer sizes need the app's mapview helpers
        payload["layers_error"] = f"{type(exc).__name__}: {exc}"
    return {"page": page, "payload": payload}
