"""Targets, and the Markdown table made from ``results.json``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
        "page", "widgets_warm_s", "Widgets floor, warm (the atlas's widgets, 1 marker)", "s", "",
        None,
    ),
    Metric(
        "page", "warm_ratio", "Page warm / bare page warm", "×", "≤ 1.5", lambda v: v <= 1.5,
        "ours above the floor: the size of the map's HTML/GeoJSON and the browser's work "
        "drawing it; the floor itself is Streamlit's frontend boot",
    ),
    Metric("page", "warm_ratio_to_widgets", "Page warm / widgets floor warm", "×", "", None),
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
        "linker", "linker_mb_per_s", "Linker throughput, one core (corpus passage by passage)",
        "MB/s", "≥ 5", lambda v: v >= 5,
    ),
    Metric("linker", "naive_mb_per_s", "Naive baseline (one regex per alias)", "MB/s", "", None),
    Metric(
        "linker", "linker_joined_mb_per_s", "Linker throughput, corpus as one text", "MB/s", "",
        None,
    ),
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
        "scale", "browser_first_paint_s", "{events:,} events: first page, app just started",
        "s", "", None,
    ),
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
    notes = list(results.get("notes", []))
    load = str(meta.get("loadavg_start", "")).split()
    if load and load[0] != "?" and float(load[0]) > 1.0:
        notes.append(
            f"The machine was shared: other processes ran alongside this run (load average "
            f"{load[0]} on {meta.get('cpus', '?')} CPUs at its start), so absolute times are "
            "those of a busy machine; the ratios compare pages measured side by side."
        )
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    lines += details(results.get("sections", {}))
    lines += ["", "## Definitions", ""] + [f"- {d}" for d in DEFINITIONS]
    return "\n".join(lines) + "\n"


def _listed(values: Iterable[float], spec: str = ".2f") -> str:
    """Numbers joined by commas, each formatted with ``spec``."""
    return ", ".join(f"{x:{spec}}" for x in values)


def _table(head: list[str], body: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
    return out + [""]


def details(s: dict[str, Any]) -> list[str]:
    """Tables behind the headline figures: phases, bytes, per layer, growth, scale."""
    out: list[str] = ["", "## Details", ""]
    page = s.get("page")
    if page and "warm_phases" in page:
        a, b = page["warm_phases"], page["bare_warm_phases"]
        w = page.get("widgets_warm_phases", {})
        out += ["Page load phases, warm median (seconds since navigation):", ""]
        out += _table(
            ["phase", "atlas", "widgets floor", "bare page"],
            [[k.removesuffix("_s").replace("_", " "), f"{a[k]:.3f}",
              f"{w[k]:.3f}" if k in w else "—", f"{b[k]:.3f}"] for k in a],
        )
        out += [
            f"Warm runs, atlas: {_listed(page['warm_runs_s'])} s; bare: "
            f"{_listed(page['bare_warm_runs_s'])} s. Server RSS after the "
            f"loads: atlas {page['server_rss_bytes'] / MB:.0f} MB, bare page "
            f"{page['bare_server_rss_bytes'] / MB:.0f} MB. Warm script rerun (server, no "
            f"browser): {page.get('script_rerun_s', float('nan')):.3f} s.",
            "",
        ]
    pay = s.get("payload")
    if pay and "default_by_kind" in pay:
        a, b = pay["default_by_kind"], pay["bare_by_kind"]
        out += ["Bytes received for the default view, by kind (MB):", ""]
        out += _table(
            ["kind", "atlas", "bare page"],
            [[k.replace("_", " "), f"{a[k] / MB:.3f}", f"{b.get(k, 0) / MB:.3f}"] for k in a],
        )
        largest = _listed((x / MB for x in pay.get("default_ws_largest_frames", [])), ".3f")
        out += [f"Largest websocket frames (MB): {largest}.", ""]
    if pay and "layers" in pay:
        out += ["Per layer, as the app sends it on the default date (rendered feature group):", ""]
        out += _table(
            ["layer", "KB"],
            [[k, f"{v / 1000:.1f}"] for k, v in pay["layers"].items()]
            + [["**all layers**", f"{sum(pay['layers'].values()) / 1000:.1f}"]],
        )
    click = s.get("click")
    if click and "places" in click:
        out += [
            f"Clicks: {click['clicks']} places ({', '.join(click['places'])}); excerpts shown "
            f"per place: {click.get('excerpts_per_place')}; popups with another place's title: "
            f"{len(click.get('wrong_popups', []))}; places skipped because something covered "
            f"them at click time: {len(click.get('skipped_covered', []))}.",
            "",
        ]
    lk = s.get("linker")
    if lk and "text_growth" in lk:
        out += [
            f"Linker on {lk['corpus_mb']:.3f} MB of article text ({lk['corpus']}; "
            f"{lk.get('passages', '?')} passages as the knowledge index links them), gazetteer of "
            f"{lk['gazetteer_places']} places and {lk['gazetteer_aliases']} spellings: "
            f"{lk['linker_mentions']} mentions (naive: {lk['naive_mentions']}, without the "
            "linker's case, possessive, ambiguity and not-a-place rules).",
            "",
        ]
        out += _table(
            ["text", "MB", "seconds", "MB/s"],
            [[f"{g['copies']}× corpus", g["mb"], f"{g['seconds']:.4f}",
              f"{g['mb'] / g['seconds']:.2f}"] for g in lk["text_growth"]],
        )
        out += _table(
            ["synthetic gazetteer", "build s", "link s", "naive link s*", "mentions"],
            [[f"{g['names']:,} names", f"{g['build_seconds']:.3f}", f"{g['seconds']:.4f}",
              f"{g['naive_seconds']:.3f}" if "naive_seconds" in g else "—", g["mentions"]]
             for g in lk["gazetteer_growth"]],
        )
        out += [
            f"Text for the gazetteer growth: {lk['gazetteer_text_mb']:.3f} MB. *The naive "
            "baseline is timed on one copy of the corpus and scaled to that length (it is "
            "linear in text size and takes seconds); not run at 100,000 names.",
            "",
        ]
    sc = s.get("scale")
    if sc and "events" in sc:
        out += [
            f"Scale: {sc['events']:,} synthetic events, CSV {sc['csv_bytes'] / MB:.1f} MB; load "
            f"runs {_listed(sc['load_seconds_all'], '.3f')} s (fresh process "
            f"{sc['load_seconds_fresh_process']:.3f} s); a date window holds "
            f"{sc['window_events_median']:,} events (median) and is cut in "
            f"{sc['window_seconds_mean'] * 1000:.2f} ms; the ACLED layer the app sends for it is "
            f"{sc['window_payload_bytes_median'] / MB:.2f} MB (server-side 0.05° grid instead: "
            f"{sc['grid_payload_bytes_median'] / MB:.2f} MB in {sc['grid_seconds_median']:.3f} s"
            f"). In the running app (ATLAS_ACLED): first paint "
            f"{sc.get('browser_first_paint_s', float('nan')):.2f} s, date changes "
            f"{_listed(sc.get('browser_date_change_runs_s', []))} s, "
            f"server RSS {sc.get('server_rss_idle_bytes', 0) / MB:.0f} MB before the first "
            f"page, {sc.get('server_rss_loaded_bytes', 0) / MB:.0f} MB with the table loaded.",
            "",
        ]
    return out


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
    "with the same offline Leaflet and jQuery files, same Streamlit flags. **Widgets floor**: "
    "`bench/widgets_page.py`, the bare page plus the same kinds of widgets and layout as the "
    "atlas (sidebar inputs, checkboxes, buttons, columns), no data: Streamlit's own cost for "
    "this page.",
    "**Click**: a real mouse click on a map feature of the default view (places the articles "
    "mention first; a feature is clicked only where it is the topmost element); popup = a "
    "Leaflet popup titled with the place's label is inserted (MutationObserver in the map's "
    "document); side panel = the panel shows, from the current script run, a heading with the "
    "place's label, the \"Article excerpts (N)\" heading and the first excerpt. Both from the "
    "mouse press, on the pages' own clocks.",
    "**Payload**: HTTP bytes (headers + body as received) plus websocket frames received, from "
    "navigation until the map is painted and 1 s more, each load in a fresh browser context "
    "(empty cache). Per layer: the HTML/JS of the layer's feature group as folium renders it "
    "for `st_folium` on the default date.",
    "**Linker**: pinned to one core, fastest of 3 runs; MB of UTF-8 article text per second, "
    "the corpus linked passage by passage as the knowledge index does (and, for comparison, as "
    "one text); growth with text size from interleaved rounds over the sizes; k is the "
    "least-squares slope of log(time) over log(size) from 1× to 16× the "
    "corpus. Naive: one compiled `(?<!\\w)alias(?!\\w)` regex per spelling "
    "(case-insensitive), applied in turn. Gazetteer growth: synthetic places with made-up "
    "names, the same text (the corpus with 200 of the names spliced in).",
    "**Scale**: synthetic events in ACLED's column layout (`bench/synthetic.py`), loaded with "
    "`geo.acled.load_acled`; server work of a date change = `window()` for a random 1–365 day "
    "window plus rendering the app's ACLED layer for it. In the browser: the app started with "
    "`ATLAS_ACLED` pointing at the file and its ACLED layer on; a click on \"Previous event\" "
    "(which moves the map date) until the map's last change, the map then unchanged for "
    "1.5 s. Server RSS: the Streamlit process and its children (psutil).",
)
