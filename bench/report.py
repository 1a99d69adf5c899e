"""Targets, and the Markdown table made from ``results.json``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

MB = 1_000_000


@dataclass(frozen=True)
class Metric:
    """One row of the table: where its value lives, how it is shown, and its target."""

    section: str
    key: str
    label: str
    unit: str
    target: str
    check: Callable[[float], bool] | None
    bound: str = ""  # what limits this figure when it misses


METRICS = (
    Metric("page", "cold_s", "Page, cold (first load after server start)", "s", "", None),
    Metric("page", "warm_s", "Page, warm (median of fresh pages)", "s", "", None),
    Metric("page", "bare_warm_s", "Bare page floor, warm (1 marker)", "s", "", None),
    Metric(
        "page", "warm_ratio", "Page warm / bare page warm", "×", "≤ 1.5", lambda v: v <= 1.5,
        "ours above the floor: the size of the map's HTML/GeoJSON and the browser's work "
        "drawing it; the floor itself is Streamlit's frontend boot",
    ),
    Metric(
        "click", "popup_median_s", "Click → popup, median", "s", "≤ 0.2", lambda v: v <= 0.2,
        "answered in the browser by Leaflet",
    ),
    Metric("click", "popup_p95_s", "Click → popup, p95", "s", "", None),
    Metric(
        "click", "panel_median_s", "Click → side-panel excerpts, median", "s", "≤ 1.0",
        lambda v: v <= 1.0,
        "framework: streamlit-folium debounces a click (~250 ms), then a websocket round trip "
        "and a full script rerun",
    ),
    Metric("click", "panel_p95_s", "Click → side-panel excerpts, p95", "s", "", None),
    Metric(
        "payload", "default_total_bytes", "Bytes to the browser, default view (all)", "MB",
        "≤ 1.5", lambda v: v <= 1.5 * MB,
        "framework: Streamlit's own frontend (JS bundles, fonts) is sent uncompressed by its "
        "server; see the bare page row",
    ),
    Metric("payload", "bare_total_bytes", "Bytes to the browser, bare page", "MB", "", None),
    Metric(
        "payload", "atlas_bytes", "Bytes the atlas adds over the bare page", "MB", "≤ 1.5",
        lambda v: v <= 1.5 * MB,
    ),
    Metric(
        "linker", "linker_mb_per_s", "Linker throughput, one core", "MB/s", "≥ 5",
        lambda v: v >= 5,
    ),
    Metric("linker", "naive_mb_per_s", "Naive baseline (one regex per alias)", "MB/s", "", None),
    Metric(
        "linker", "speedup_vs_naive", "Linker / naive", "×", "≥ 20", lambda v: v >= 20,
        "the naive baseline's cost grows with the number of aliases: few aliases make it fast",
    ),
    Metric(
        "linker", "text_exponent", "Linker time ∝ text size^k: k (1× to 16× the corpus)", "k",
        "≤ 1.1 (linear)", lambda v: v <= 1.1,
    ),
    Metric("linker", "text_linearity", "Linker s/MB, 16× text over 1×", "ratio", "", None),
    Metric(
        "linker", "gazetteer_flatness", "Linker time, 100k names over 1k names", "ratio",
        "≤ 1.5 (flat)", lambda v: v <= 1.5,
    ),
    Metric("scale", "load_seconds", "{events:,} events: load", "s", "≤ 10", lambda v: v <= 10),
    Metric(
        "scale", "date_change_seconds_median", "{events:,} events: date change (server work)", "s",
        "≤ 1.5", lambda v: v <= 1.5,
    ),
    Metric(
        "scale", "browser_date_change_s", "{events:,} events: date change seen in the browser", "s",
        "≤ 1.5", lambda v: v <= 1.5,
        "framework: a widget change is a websocket round trip plus a full script rerun and the "
        "map's re-render",
    ),
    Metric(
        "scale", "server_rss_bytes", "{events:,} events: Streamlit server RSS", "MB", "≤ 1500",
        lambda v: v <= 1500 * MB,
    ),
    Metric(
        "scale", "loader_process_peak_rss_bytes", "{events:,} events: loader process peak RSS",
        "MB", "≤ 1500", lambda v: v <= 1500 * MB,
    ),
)


def _fmt(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value / MB:.2f}"
    if unit == "s":
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per metric: label, value, unit, target, pass (True/False/None), note."""
    out = []
    sections = results.get("sections", {})
    for m in METRICS:
        section = sections.get(m.section, {})
        value = section.get(m.key)
        try:
            label = m.label.format(**section)
        except (KeyError, ValueError):
            label = m.label.replace("{events:,}", "100,000")
        m = replace(m, label=label)
        if not isinstance(value, int | float):
            note = results.get("errors", {}).get(m.section) or "not measured in this run"
            out.append({**_base(m), "value": None, "shown": "—", "pass": None, "note": note})
            continue
        ok = m.check(value) if m.check else None
        note = ""
        if ok is False:
            bound = section.get("bounds", {}).get(m.key) or m.bound or "our code"
            note = f"missed: {_by_how_much(m, value)}; bounded by {bound}"
        out.append({**_base(m), "value": value, "shown": _fmt(value, m.unit), "pass": ok,
                    "note": note})
    return out


def _base(m: Metric) -> dict[str, Any]:
    return {"id": f"{m.section}.{m.key}", "label": m.label, "unit": m.unit, "target": m.target}


def _by_how_much(m: Metric, value: float) -> str:
    import re

    limit = re.search(r"[\d.]+", m.target)
    if not limit:
        return "target not met"
    bound = float(limit.group())
    if m.unit == "MB":
        bound *= MB
    if m.target.startswith("≥"):
        return f"{value / bound:.0%} of the target"
    return f"{value / bound:.2f}× the target"


def markdown(results: dict[str, Any]) -> str:
    """The Markdown report: context, the table, then the details of each section."""
    meta = results.get("meta", {})
    lines = [
        "# Benchmark results",
        "",
        f"Run `{meta.get('command', 'python -m bench')}` on {meta.get('started', '?')} "
        f"({meta.get('mode', '?')} run, {meta.get('seconds', 0):.0f} s). Machine: "
        f"{meta.get('cpus', '?')} CPUs, {meta.get('platform', '?')}, Python "
        f"{meta.get('python', '?')}, {meta.get('chromium', 'Chromium ?')}; load average at "
        f"start {meta.get('loadavg_start', '?')}, at end {meta.get('loadavg_end', '?')}.",
        "",
        "| metric | value | unit | target | result | note |",
        "|---|---:|---|---|---|---|",
    ]
    for row in rows(results):
        verdict = {True: "pass", False: "**miss**", None: ""}[row["pass"]]
        note = str(row["note"]).replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {row['label']} | {row['shown']} | {row['unit']} | {row['target']} | {verdict} "
            f"| {note} |"
        )
    notes = results.get("notes", [])
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    lines += ["", "## Definitions", ""] + [f"- {d}" for d in DEFINITIONS]
    return "\n".join(lines) + "\n"


DEFINITIONS = (
    "**Map painted**: inside the map iframe (`iframe[title=\"streamlit_folium.st_folium\"]`) a "
    "`.leaflet-container` exists and the count of drawn features (`path.leaflet-interactive` "
    "plus `.leaflet-marker-icon`) has reached its final value; the time is the page's own "
    "`performance.now()` (ms since navigation start) at the last change of that count, sampled "
    "every animation frame. A load learns the final count by waiting for it to stay unchanged "
    "for 1.5 s; later loads stop when it is reached.",
    "**Cold** is the first navigation after the server started (its first script run); "
    "**warm** is the median of later navigations, each in a fresh browser context (no cache). "
    "The atlas and the bare page are loaded alternately in the same run, so both see the same "
    "machine load.",
    "**Bare page**: `bench/bare_page.py`, one `folium.CircleMarker` shown through `st_folium` "
    "with the same offline Leaflet and jQuery files, same Streamlit flags.",
    "**Click**: a place is clicked inside the map; popup = the Leaflet popup for it is "
    "visible; side panel = the panel shows that place's label (the app renders it above its "
    "excerpts), measured from the click.",
    "**Payload**: HTTP bytes (headers + body as received) plus websocket frames received, from "
    "navigation until the map is painted and 1 s more; per layer: the GeoJSON text of each "
    "layer as the app builds it.",
    "**Linker**: best of 3 runs pinned to one core; MB of UTF-8 article text per second. Naive: "
    "one compiled `(?<!\\w)alias(?!\\w)` regex per alias (case-insensitive), applied in turn.",
    "**Scale**: synthetic events in ACLED's column layout (`bench/synthetic.py`), random 1–365 "
    "day windows; date change = `window()` plus building what the map is sent.",
)
