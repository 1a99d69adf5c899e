"""What the side panel says, as safe text: escaping, mention highlighting, facts, state.

Everything here is plain Python (no streamlit). Strings meant for ``st.markdown`` are built by
:func:`safe_md`, which turns every character Markdown, HTML, Streamlit's colour/emoji
shortcodes or LaTeX could interpret into a numeric character reference; markup is only ever
added around such escaped text (``<mark>`` for mentions).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from geo.schema import split_names

# Characters that mean something to Markdown, HTML, Streamlit directives (":red[...]",
# ":material/...:") or KaTeX ("$"). Each becomes "&#NN;", which renders as itself.
_SPECIAL = frozenset("\\`*_{}[]()#+-.!|~<>&\"'$:=^%@/")

_SPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*\n\s*")

SNIPPET_BEFORE = 90
SNIPPET_CHARS = 240


def _escape(text: str) -> str:
    flat = _SPACE.sub(" ", text)
    return "".join(f"&#{ord(c)};" if c in _SPECIAL else c for c in flat)


def safe_md(text: object) -> str:
    """``text`` as inert Markdown/HTML: whitespace collapsed, specials as character refs."""
    return _escape(str(text or "")).strip()


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Sorted, clipped, non-overlapping spans."""
    out: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _escape_block(text: str) -> str:
    """Like :func:`_escape`, but a paragraph break (blank line) becomes ``<br>``."""
    return "<br>".join(_escape(part) for part in _PARAGRAPH_BREAK.split(text))


def marked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped by :func:`safe_md` with each span wrapped in ``<mark>``.

    A passage that opens with a heading keeps the break after it (``<br>``).
    """
    parts, pos = [], 0
    for start, end in merge_spans(spans, len(text)):
        parts.append(_escape_block(text[pos:start]))
        parts.append(f"<mark>{_escape(text[start:end])}</mark>")
        pos = end
    parts.append(_escape_block(text[pos:]))
    return "".join(parts).strip()


def snippet(text: str, spans: Sequence[tuple[int, int]], limit: int = SNIPPET_CHARS) -> str:
    """A short plain-text window of ``text`` around its first span (for the map popup)."""
    flat_len = len(text)
    if not spans:
        start = 0
    else:
        start = max(0, min(s for s, _ in spans) - SNIPPET_BEFORE)
        if start:
            space = text.rfind(" ", 0, start)
            start = space + 1 if space >= 0 else start
    end = min(flat_len, start + limit)
    if end < flat_len:
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    body = " ".join(text[start:end].split())
    return ("…" if start else "") + body + ("…" if end < flat_len else "")


def article_source(article: Any) -> str:
    """Plain-text attribution: ``Title — Author, Publisher, date``."""
    who = ", ".join(x for x in (article.author, article.publisher, article.date) if x)
    title = article.title or "(untitled)"
    return f"{title} — {who}" if who else title


def is_web_url(url: str) -> bool:
    """Only http(s) URLs become links."""
    low = (url or "").strip().lower()
    return low.startswith(("http://", "https://")) and " " not in low


def first_excerpts(index: Any, limit: int = SNIPPET_CHARS) -> dict[str, tuple[str, str]]:
    """Place id → (snippet of its first passage around the mention, source line)."""
    out = {}
    for place_id, hits in index.place_passages.items():
        if not hits:
            continue
        hit = hits[0]
        passage = index.passages.get(hit.passage_id)
        if passage is None:
            continue
        article = index.articles.get(passage.article_id)
        source = article_source(article) if article is not None else ""
        out[place_id] = (snippet(passage.text, list(hit.mentions), limit), source)
    return out


# --- facts -----------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


SOURCE_FACTS = ("Geometry source", "Accuracy", "Note", "Source")


def place_facts(row: Mapping[str, Any] | None, place: Any = None) -> list[tuple[str, str]]:
    """(label, plain text) facts of a map feature and/or gazetteer place (the ones named in
    ``SOURCE_FACTS`` are the long, sourcing ones)."""
    facts: list[tuple[str, str]] = []
    if row is not None:
        facts.append(("Kind", str(row.get("kind") or "")))
        facts.append(("Layer", str(row.get("layer") or "").replace("_", " ")))
        area, length = _num(row.get("area_km2")), _num(row.get("length_km"))
        if area is not None:
            facts.append(("Area (computed, equal-area)", f"{area:,.1f} km²"))
        if length is not None:
            facts.append(("Length (computed, geodesic)", f"{length:,.1f} km"))
        stated = _num(row.get("stated_length_km"))
        if stated is not None:
            src = str(row.get("stated_length_source") or "").strip()
            facts.append(("Stated length", f"{stated:,.0f} km" + (f" ({src})" if src else "")))
        vf, vt = str(row.get("valid_from") or ""), str(row.get("valid_to") or "")
        if vf or vt:
            facts.append(("Valid", f"{vf or 'before the record'} to {vt or 'today'}"))
        facts.append(("Geometry source", str(row.get("source") or "")))
        facts.append(("Accuracy", str(row.get("accuracy") or "")))
        if row.get("description"):
            facts.append(("Note", str(row["description"])))
    elif place is not None:
        facts.append(("Kind", str(place.kind or "")))
        if place.lat is not None and place.lon is not None:
            facts.append(("Coordinates", f"{place.lat:.4f}° N, {place.lon:.4f}° E"))
        if place.source:
            facts.append(("Source", str(place.source)))
        if place.note:
            facts.append(("Note", str(place.note)))
        facts.append(("On the map", "no (named in the articles; not a map feature)"))
    return [(k, v) for k, v in facts if v]


def other_names(row: Mapping[str, Any] | None, place: Any = None, limit: int = 12) -> list[str]:
    """Other spellings of a place (feature ``names`` first, then gazetteer aliases)."""
    names: list[str] = []
    if row is not None:
        names.extend(split_names(row.get("names", "")))
    if place is not None:
        names.extend(place.aliases)
    label = str((row or {}).get("label") or getattr(place, "label", "") or "")
    seen, out = {label.casefold()}, []
    for n in names:
        if n.casefold() not in seen:
            seen.add(n.casefold())
            out.append(n)
    return out[:limit]


# --- URL and map state -------------------------------------------------------------------------


def parse_layers(value: str | None, known: Sequence[str]) -> list[str] | None:
    """The ``layers`` query parameter as known layer keys (None when absent)."""
    if value is None:
        return None
    return [k for k in (v.strip() for v in value.split(",")) if k in known]


def parse_day(value: str | None, lo: date, hi: date) -> date | None:
    """The ``date`` query parameter clipped to ``[lo, hi]`` (None when absent or malformed)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return min(max(day, lo), hi)


def map_change(value: Mapping[str, Any] | None, seen: Mapping[str, Any] | None
               ) -> dict[str, Any]:
    """What changed in the map component's value since ``seen``.

    Returns ``{"click": properties}`` for a click on a feature and/or ``{"layers": [...]}``
    when the user ticked a box in the map's layer control (reported by the browser with a
    ``~atlas`` marker entry that counts the clicks).
    """
    out: dict[str, Any] = {}
    if not value:
        return out
    seen = seen or {}
    count = value.get("last_object_clicked_count")
    drawing = value.get("last_active_drawing") or {}
    props = drawing.get("properties") if isinstance(drawing, Mapping) else None
    if count and count != seen.get("last_object_clicked_count") and props and props.get("id"):
        out["click"] = dict(props)
    layers = value.get("selected_layers") or []
    marker = [x for x in layers if isinstance(x, Mapping) and x.get("name") == "~atlas"]
    old = [x for x in (seen.get("selected_layers") or [])
           if isinstance(x, Mapping) and x.get("name") == "~atlas"]
    if marker and (not old or old[0].get("url") != marker[0].get("url")):
        out["layers"] = [str(x.get("name")) for x in layers
                         if isinstance(x, Mapping) and x.get("name") != "~atlas"]
    return out


def fingerprint(value: Any) -> str:
    """A stable string for comparing component values between reruns."""
    return json.dumps(value, sort_keys=True, default=str)


# --- positions ---------------------------------------------------------------------------------


def feature_positions(layers: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Feature id → (lat, lon) of a point on the feature (its representative point)."""
    out = {}
    for gdf in layers.values():
        for fid, geom in zip(gdf["id"], gdf.geometry, strict=True):
            if geom is None or geom.is_empty:
                continue
            pt = geom if geom.geom_type == "Point" else geom.representative_point()
            out[str(fid)] = (round(pt.y, 5), round(pt.x, 5))
    return out


def place_positions(places: Mapping[str, Any], features: Mapping[str, tuple[float, float]]
                    ) -> dict[str, tuple[float, float]]:
    """Place id → (lat, lon): its map feature when it has one, else its gazetteer point."""
    out = dict(features)
    for pid, place in places.items():
        if pid in out:
            continue
        linked = [f for f in getattr(place, "features", ()) if f in features]
        if linked:
            out[pid] = features[linked[0]]
        elif place.lat is not None and place.lon is not None:
            out[pid] = (float(place.lat), float(place.lon))
    return out


def feature_ids_for(place_id: str, places: Mapping[str, Any], feature_ids: Iterable[str]
                    ) -> list[str]:
    """Map features that show a place (itself, or the features the gazetteer links it to)."""
    known = set(feature_ids)
    if place_id in known:
        return [place_id]
    place = places.get(place_id)
    return [f for f in getattr(place, "features", ()) if f in known]


def keyword_spans(text: str, keywords: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """Where the event's keywords occur in ``text`` (case-insensitive, whole words)."""
    spans = []
    for kw in keywords:
        kw = kw.strip()
        if not kw:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(kw) + r"(?!\w)", re.IGNORECASE)
        spans.extend(m.span() for m in pattern.finditer(text))
    return tuple(merge_spans(spans, len(text)))


ABOUT = """
**What the map shows.** Country outlines, Armenian provinces and Azerbaijani districts come from
Natural Earth (1:10m, public domain); the former NKAO outline and the 1994 ceasefire line from
Natural Earth's disputed-boundary lines as shipped with QGIS. Towns and villages are GeoNames
points (CC BY 4.0, geonames.org) or coordinates cited in `data/places.csv`. Corridors, roads,
routes and pipelines are drawn through cited waypoints (`data/waypoints.yaml`). Every feature's
side panel names its source and accuracy.

**Schematic** means a line drawn straight between cited waypoints (towns, villages, bridges),
not a surveyed road or pipe: it shows which places a route links, not its exact course, and its
computed length is a lower bound. **Approximate** means an area or point reconstructed from a
source that does not give it exactly (the 1991 NKAO polygon is rebuilt from unclosed lines; a
village may carry a coordinate rounded to the minute, about ±1 km). Areas and lengths are
computed from the geometry (equal-area projection, geodesic length); a length stated by a source
is shown beside the computed one with its citation.

**Dates.** A feature with a validity period is drawn on the days from its first to its last date,
both included (the Lachin corridor of the 10 November 2020 statement until the Lachin town
handover of 26 August 2022, the Hakari checkpoint from 23 April 2023). Events are placed on
their first located place; events at the same spot are spread slightly apart so that each can
be clicked.

**Names.** Places whose names differ between the parties carry both (Khankendi / Stepanakert,
Shusha / Shushi, Lachin / Berdzor); search accepts any spelling in the gazetteer.

**Articles.** The excerpts are quotations from published analyses, shown with their title,
author, publisher and date; the atlas quotes them as they are and does not endorse them. Their
copyright stays with their publishers. The event timeline is the atlas's own, with a source for
each event.

**Software and tiles.** Leaflet (BSD-2-Clause), jQuery (MIT), Leaflet.markercluster (MIT) and
Font Awesome Free (icons CC BY 4.0, fonts OFL, code MIT) are served by the app itself. The
optional online basemaps are © OpenStreetMap contributors (ODbL) and Esri World Imagery
(© Esri and its data providers); they are loaded only when chosen.
"""
