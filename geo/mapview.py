"""The folium map of the atlas: layer styles, display geometry, legend and offline assets.

The map has two parts. The *base map* (:func:`base_map`) holds what never changes during a
session: the Leaflet setup served from ``/app/static``, the browser-side helpers (popup,
highlight, layer-control sync), the legend and the optional tile basemap. The *layer groups*
(:func:`layer_groups`) carry the data: one ``FeatureGroup`` per layer, already filtered to the
date on the time control, handed to ``st_folium(feature_group_to_add=...)`` so that a new date or
a new set of visible layers replaces the data without reloading the map.

Every string that reaches HTML (labels, other names, excerpts, sources) is escaped here, in
Python, before it goes into a feature's properties; the browser-side code only assembles those
escaped strings. No streamlit import: the app wraps these functions.

On the wire (:func:`wire_rows`) a layer is compact: coordinates as integers on the layer's grid,
each ring or line as deltas from its previous vertex, a small style table instead of one style
per feature, and only the properties the browser uses; ``window.atlas.layer`` turns it back into
GeoJSON in the browser, so a click still reports the feature with its properties.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import folium
import geopandas as gpd
import shapely
from folium.elements import JSCSSMixin
from folium.template import Template
from shapely.geometry import mapping

from geo import assets
from geo.schema import LAYERS, split_names

# Default view: the South Caucasus between Nakhchivan and the Caspian.
DEFAULT_CENTER = (40.1, 46.4)
DEFAULT_ZOOM = 7
MAX_ZOOM = 16
MIN_ZOOM = 5

# Display geometry: simplification tolerance and coordinate grid, in degrees (about 200 m and
# 11 m at this latitude). Measurements in the side panel come from the full geometry.
SIMPLIFY_DEG = 0.002
GRID_DEG = 1e-4
# The context layer is the basemap: its outlines are simplified a little harder (about 300 m,
# under half a pixel at the default zoom, where one pixel is about 900 m).
LAYER_SIMPLIFY_DEG = {"context": 0.003}
# Integer grid of the coordinates sent to the browser (per degree): the display grid, and the
# finer grid event positions are rounded to.
WIRE_SCALE = round(1 / GRID_DEG)
EVENT_WIRE_SCALE = 100_000
# Feature properties the browser uses (popup, tooltip, label, click → side panel).
WIRE_PROPS = ("id", "ev", "label", "names", "meta", "excerpt", "src", "tag")

EXCERPT_CHARS = 240

EVENTS = "events"
ACLED = "acled"

# Order of drawing: areas first, then lines, then points on top.
DRAW_ORDER = (
    "context",
    "nakhchivan",
    "contested_areas",
    "zangezur_corridor",
    "lachin_corridor",
    "pipelines",
    "villages",
    "towns",
)
assert set(DRAW_ORDER) == set(LAYERS)

TITLES = {
    "context": "Borders: countries, provinces, districts",
    "nakhchivan": "Nakhchivan",
    "contested_areas": "Contested areas and lines",
    "zangezur_corridor": "Zangezur corridor (proposed)",
    "lachin_corridor": "Lachin corridor",
    "pipelines": "Pipelines and railways",
    "villages": "Border villages",
    "towns": "Towns",
    EVENTS: "Events",
    ACLED: "ACLED conflict events",
}
TOGGLES = (*DRAW_ORDER, EVENTS)


@dataclass(frozen=True)
class Style:
    """How a group of features is drawn, and how the legend shows it."""

    color: str
    weight: float = 2.0
    fill_color: str | None = None
    fill_opacity: float = 0.0
    dash: str | None = None
    radius: float = 5.0
    legend: str = ""
    opacity: float = 0.9

    def leaflet(self) -> dict[str, Any]:
        """Leaflet path options."""
        out: dict[str, Any] = {
            "color": self.color,
            "weight": self.weight,
            "opacity": self.opacity,
            "fillColor": self.fill_color or self.color,
            "fillOpacity": self.fill_opacity,
            "fill": self.fill_opacity > 0,
            "radius": self.radius,
        }
        if self.dash:
            out["dashArray"] = self.dash
        return out


# Styles by layer, with overrides by id prefix for features that need their own look.
LAYER_STYLES: dict[str, Style] = {
    "context": Style("#8a8479", 0.8, "#f3f0e8", 1.0, legend="Country, province or district"),
    "nakhchivan": Style("#4d7a63", 1.6, "#9cc3a9", 0.25, legend="Nakhchivan Autonomous Republic"),
    "contested_areas": Style(
        "#b5651d", 1.4, "#e9b97c", 0.22, legend="Formerly contested district (approximate)"
    ),
    "zangezur_corridor": Style("#6a3d9a", 3, dash="8 6", legend="Zangezur route (proposed)"),
    "lachin_corridor": Style("#c0392b", 4, "#e57366", 0.3, legend="Lachin road and corridor"),
    "pipelines": Style("#1f6f8b", 2.5, legend="Pipeline"),
    "villages": Style("#2b2b2b", 1.2, "#ffffff", 1.0, radius=4, legend="Border village"),
    "towns": Style("#2b2b2b", 1.2, "#5b5b5b", 1.0, radius=4, legend="Town"),
}
PREFIX_STYLES: dict[str, Style] = {
    "country-": Style("#6b655b", 1.6, "#f1ede3", 1.0, legend="Country"),
    "nkao-": Style("#7f4f24", 2, "#000000", 0.0, dash="6 4", legend="Former NKAO (approximate)"),
    "ceasefire-": Style("#a61b1b", 2.5, dash="2 5", legend="Ceasefire line of 1994 (schematic)"),
    "clash-": Style("#d35400", 1.5, "#f39c12", 0.35, legend="Area of the Sep 2022 clashes"),
    "delimitation-": Style("#117a65", 4, legend="Border section delimited in 2024"),
    "railway-": Style("#34495e", 2.5, dash="10 4 2 4", legend="Railway"),
    "hakari-": Style("#111111", 2, "#f1c40f", 1.0, radius=7, legend="Checkpoint"),
    "aras-": Style("#8e44ad", 3, dash="3 6", legend="Route through Iran"),
}
EVENT_STYLE = Style("#7b1fa2", 1.5, "#ce93d8", 0.9, radius=6, legend="Event (up to the date)")
EVENT_RECENT_STYLE = Style("#4a0072", 2, "#ab47bc", 1.0, radius=7, legend="Event in the last year")
HIGHLIGHT_COLOR = "#ffcc00"
ATTRIBUTION = "Natural Earth (public domain) · GeoNames (CC BY 4.0) · sources: see About"

# When a tile basemap is shown, the land fill of the context layer must not hide it.
_TILE_CONTEXT_FILL = 0.08

# Online basemaps (only loaded when the user picks one): label → xyzservices provider path.
BASEMAPS: dict[str, str | None] = {
    "Atlas (offline, own vector data)": None,
    "OpenStreetMap": "OpenStreetMap.Mapnik",
    "Satellite (Esri World Imagery)": "Esri.WorldImagery",
}


# --------------------------------------------------------------------------------------------
# Escaping and feature properties
# --------------------------------------------------------------------------------------------


def esc(value: object) -> str:
    """HTML-escape any value (``None`` becomes ``""``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def shorten(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Collapse whitespace and cut at a word boundary, adding an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def style_for(layer: str, fid: str, geom_type: str = "", *, tiles: bool = False) -> Style:
    """Style of a feature, by id prefix first, then by layer."""
    style = LAYER_STYLES.get(layer, Style("#555555"))
    for prefix, candidate in PREFIX_STYLES.items():
        if fid.startswith(prefix):
            style = candidate
            break
    if geom_type.endswith("LineString") and style.fill_opacity and layer != "context":
        style = Style(style.color, style.weight + 1, None, 0.0, style.dash, legend=style.legend)
    if tiles and layer == "context":
        style = Style(style.color, style.weight, style.fill_color, _TILE_CONTEXT_FILL)
    return style


def display_geometry(geom: Any, tolerance: float = SIMPLIFY_DEG, grid: float = GRID_DEG) -> Any:
    """Simplified geometry on a coordinate grid, for drawing only (points stay as they are)."""
    if geom is None or geom.is_empty:
        return geom
    if geom.geom_type not in ("Point", "MultiPoint"):
        simple = geom.simplify(tolerance, preserve_topology=True)
        if not simple.is_empty:
            geom = simple
    snapped = shapely.set_precision(geom, grid)
    return geom if snapped.is_empty else snapped


def _label_rank(row: Mapping[str, Any]) -> int:
    """2: label always shown, 1: shown when zoomed in, 0: hover tooltip only."""
    if row["layer"] not in ("towns", "nakhchivan") or "Point" not in row["geometry"].geom_type:
        return 0
    label = str(row["label"])
    if " / " in label or row["id"] in ("town-yerevan", "town-baku", "town-tbilisi"):
        return 2
    return 1


def _meta_line(row: Mapping[str, Any]) -> str:
    parts = [str(row.get("kind") or "")]
    vf, vt = row.get("valid_from") or "", row.get("valid_to") or ""
    if vf or vt:
        parts.append(f"{vf or '…'} – {vt or 'today'}")
    return " · ".join(p for p in parts if p)


def simplify_tolerance(layer: str) -> float:
    """Simplification tolerance of a layer's display geometry, in degrees."""
    return LAYER_SIMPLIFY_DEG.get(layer, SIMPLIFY_DEG)


def feature_collection(
    gdf: gpd.GeoDataFrame,
    excerpts: Mapping[str, tuple[str, str]] | None = None,
    *,
    tolerance: float | None = None,
) -> list[dict[str, Any]]:
    """GeoJSON features of a layer for display, properties escaped.

    ``excerpts`` maps a feature id to ``(excerpt, source line)`` (raw text, escaped here); the
    popup shows it at once, before the side panel is drawn. ``tolerance`` defaults to the
    layer's own (:func:`simplify_tolerance`).
    """
    excerpts = excerpts or {}
    if tolerance is None:
        layers = set(gdf["layer"]) if len(gdf) else set()
        tolerance = simplify_tolerance(layers.pop()) if len(layers) == 1 else SIMPLIFY_DEG
    out = []
    for row in gdf.to_dict("records"):
        geom = row["geometry"]
        fid = str(row["id"])
        other = [n for n in split_names(row.get("names", "")) if n != row["label"]]
        props: dict[str, Any] = {
            "id": fid,
            "layer": esc(row["layer"]),
            "label": esc(row["label"] or row["name"]),
            "names": esc("; ".join(other[:6])),
            "meta": esc(_meta_line(row)),
            "vf": str(row.get("valid_from") or ""),
            "vt": str(row.get("valid_to") or ""),
            "gt": geom.geom_type,
        }
        rank = _label_rank(row)
        if rank:
            props["tag"] = rank
        if fid in excerpts:
            text, src = excerpts[fid]
            props["excerpt"] = esc(shorten(text))
            props["src"] = esc(src)
        out.append(
            {"type": "Feature", "properties": props, "geometry": mapping(display_geometry(
                geom, tolerance))}
        )
    order = {"Polygon": 0, "MultiPolygon": 0, "LineString": 1, "MultiLineString": 1}
    out.sort(key=lambda f: order.get(f["properties"]["gt"], 2))
    return out


def parse_day(value: str) -> date | None:
    """An ISO day (``YYYY-MM-DD``) or ``None`` for ``""``."""
    return date.fromisoformat(value) if value else None


def valid_on(valid_from: str, valid_to: str, day: date) -> bool:
    """True when a feature valid from ``valid_from`` to ``valid_to`` (both inclusive, ``""``
    meaning open) exists on ``day``."""
    start, end = parse_day(valid_from), parse_day(valid_to)
    return (start is None or start <= day) and (end is None or day <= end)


def features_on(features: Iterable[dict[str, Any]], day: date | None) -> list[dict[str, Any]]:
    """The features that exist on ``day`` (all of them when ``day`` is None)."""
    if day is None:
        return list(features)
    return [f for f in features if valid_on(f["properties"]["vf"], f["properties"]["vt"], day)]


def layer_on(gdf: gpd.GeoDataFrame, day: date | None) -> gpd.GeoDataFrame:
    """Rows of a layer that exist on ``day``."""
    if day is None or gdf.empty:
        return gdf
    keep = [valid_on(str(a or ""), str(b or ""), day) for a, b in
            zip(gdf["valid_from"], gdf["valid_to"], strict=True)]
    return gdf[keep]


def event_features(
    events: Sequence[Any],
    positions: Mapping[str, tuple[float, float]],
    day: date | None,
    *,
    recent_days: int = 365,
) -> list[dict[str, Any]]:
    """Point features for the events up to ``day`` at their first located place.

    ``positions`` maps place ids to ``(lat, lon)``. Events at the same spot are spread on a small
    spiral so that each stays clickable. Events are objects with ``id, date, title, summary,
    kind, place_ids`` (``geo.events.Event``).
    """
    out = []
    used: dict[tuple[float, float], int] = {}
    for ev in events:
        if day is not None and ev.date > day:
            continue
        pos = next((positions[p] for p in ev.place_ids if p in positions), None)
        if pos is None:
            continue
        n = used.get(pos, 0)
        used[pos] = n + 1
        lat, lon = pos
        if n:
            angle = n * 2.4
            r = 0.012 * math.sqrt(n)
            lat, lon = lat + r * math.sin(angle), lon + r * math.cos(angle) * 1.3
        recent = day is not None and (day - ev.date).days <= recent_days
        props = {
            "id": ev.id,
            "ev": 1,
            "layer": EVENTS,
            "label": esc(ev.title),
            "meta": esc(f"{ev.date.isoformat()} · {ev.kind}"),
            "excerpt": esc(shorten(ev.summary)),
            "src": "",
            "recent": int(recent),
            "gt": "Point",
        }
        out.append({
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
        })
    return out


# --------------------------------------------------------------------------------------------
# Map building
# --------------------------------------------------------------------------------------------

_SETUP_JS = """
(function () {
  L.Icon.Default.imagePath = %(image_path)s;
  var map = %(map)s;
  var A = window.atlas = {map: map, byId: {}, sel: [], layerClicks: 0};
  A.bind = function (feature, layer) {
    var p = feature.properties || {};
    if (!p.id) { return; }
    (A.byId[p.id] = A.byId[p.id] || []).push(layer);
    layer.options.className = 'atlas-f atlas-f-' + p.id + ' atlas-l-' + p.layer;
    if (p.tag) {
      layer.bindTooltip(p.label, {permanent: true, direction: 'right', offset: [5, 0],
        className: 'atlas-label atlas-label-' + p.tag});
    } else {
      layer.bindTooltip(p.label, {sticky: true, className: 'atlas-tip'});
    }
    layer.on('click', function (e) {
      A.highlight([p.id]);
      A.popup(e.latlng, p);
    });
  };
  /* A layer as sent by Python (mapview.wire_rows): integer coordinates, each ring or line as
     deltas from its previous vertex; rebuilt as GeoJSON so a click reports the feature. */
  A.layer = function (key, scale, styles, rows) {
    function line(a, ring) {
      var out = [], x = 0, y = 0;
      for (var i = 0; i < a.length; i += 2) {
        x += a[i]; y += a[i + 1];
        out.push([x / scale, y / scale]);
      }
      if (ring && out.length) { out.push(out[0].slice()); }
      return out;
    }
    function coords(type, c) {
      switch (type) {
        case 'Point': return [c[0] / scale, c[1] / scale];
        case 'LineString': case 'MultiPoint': return line(c, false);
        case 'MultiLineString': return c.map(function (l) { return line(l, false); });
        case 'Polygon': return c.map(function (r) { return line(r, true); });
        default: return c.map(function (q) {
          return q.map(function (r) { return line(r, true); });
        });
      }
    }
    var features = rows.map(function (r) {
      r[1].layer = key;
      return {type: 'Feature', properties: r[1], s: r[0],
        geometry: {type: r[2], coordinates: coords(r[2], r[3])}};
    });
    return L.geoJson({type: 'FeatureCollection', features: features}, {
      style: function (f) { return styles[f.s]; },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, styles[f.s]); },
      onEachFeature: A.bind
    });
  };
  A.popup = function (latlng, p) {
    /* every property was HTML-escaped in Python */
    var h = '<div class="atlas-pop"><div class="atlas-pop-title">' + p.label + '</div>';
    if (p.names) { h += '<div class="atlas-pop-names">' + p.names + '</div>'; }
    if (p.meta) { h += '<div class="atlas-pop-meta">' + p.meta + '</div>'; }
    if (p.excerpt) {
      h += '<blockquote class="atlas-pop-quote">' + p.excerpt + '</blockquote>';
      if (p.src) { h += '<div class="atlas-pop-src">' + p.src + '</div>'; }
    }
    h += '<div class="atlas-pop-more">Details in the side panel</div></div>';
    L.popup({maxWidth: 320, className: 'atlas-popup'}).setLatLng(latlng).setContent(h)
      .openOn(map);
  };
  A.highlight = function (ids) {
    A.sel.forEach(function (l) { if (l.atlasBase) { l.setStyle(l.atlasBase); } });
    A.sel = [];
    ids.forEach(function (id) {
      (A.byId[id] || []).forEach(function (l) {
        if (!l.setStyle || !l._map) { return; }
        var o = l.options;
        l.atlasBase = {color: o.color, weight: o.weight, opacity: o.opacity,
          fillOpacity: o.fillOpacity, dashArray: o.dashArray};
        l.setStyle({color: %(highlight)s, weight: (o.weight || 2) + 3, opacity: 1,
          fillOpacity: Math.max(o.fillOpacity || 0, 0.3)});
        if (l.bringToFront && !/Polygon/.test((l.feature || {}).geometry.type)) {
          l.bringToFront();
        }
        A.sel.push(l);
      });
    });
  };
  /* Layer control → app: report the visible layers when the user ticks a box. */
  map.on('overlayadd overlayremove', function () {
    var c = window.layer_control;
    if (!c || !c._handlingClick || !window.__GLOBAL_DATA__) { return; }
    A.layerClicks += 1;
    var out = {'~': {name: '~atlas', url: String(A.layerClicks)}};
    c._layers.forEach(function (o) {
      if (o.overlay && o.layer.atlasKey && map.hasLayer(o.layer)) {
        out[o.layer.atlasKey] = {name: o.layer.atlasKey, url: ''};
      }
    });
    window.__GLOBAL_DATA__.selected_layers = out;
  });
  if (map.attributionControl) {
    map.attributionControl.addAttribution(%(attribution)s);
  }
  /* Town labels: the minor ones only when zoomed in. */
  function zoomClass() {
    var c = map.getContainer();
    if (map.getZoom() < 9) { c.classList.add('atlas-zoomed-out'); }
    else { c.classList.remove('atlas-zoomed-out'); }
  }
  map.on('zoomend', zoomClass);
  zoomClass();
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    var d = L.DomUtil.create('div', 'atlas-legend');
    d.innerHTML = %(legend)s;
    L.DomEvent.disableClickPropagation(d);
    L.DomEvent.disableScrollPropagation(d);
    return d;
  };
  legend.addTo(map);
})();
"""

_CSS = """
<style>
.leaflet-container { background: #dbe6ec; font: 13px/1.35 "Source Sans", sans-serif; }
.atlas-label { background: rgba(255,255,255,0.82); border: 0; box-shadow: none;
  padding: 0 3px; font-size: 11px; color: #222; }
.atlas-label::before { display: none; }
.atlas-zoomed-out .atlas-label-1 { display: none; }
.atlas-legend { background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); max-height: 45vh; overflow-y: auto;
  font-size: 10.5px; line-height: 1.15; width: max-content; max-width: 240px; }
.atlas-legend summary { font-weight: 600; cursor: pointer; }
.atlas-legend .row { display: flex; align-items: center; gap: 5px; margin: 1px 0; }
.atlas-legend svg { flex: none; }
.atlas-pop-title { font-weight: 700; font-size: 14px; }
.atlas-pop-names { color: #555; font-size: 12px; }
.atlas-pop-meta { color: #666; font-size: 12px; margin: 2px 0 4px; }
.atlas-pop-quote { margin: 4px 0; padding-left: 8px; border-left: 3px solid #c0392b;
  font-style: italic; }
.atlas-pop-src, .atlas-pop-more { color: #555; font-size: 11px; }
</style>
"""


class _Setup(JSCSSMixin):
    """Leaflet setup and the browser-side helpers, run right after the map is created."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{{ this.css }}{% endmacro %}
        {% macro script(this, kwargs) %}{{ this.js }}{% endmacro %}
        """
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__()
        self._name = "AtlasSetup"
        self.legend_html = legend_html
        self.css = _CSS
        self.js = ""

    def render(self, **kwargs: Any) -> None:
        self.js = _SETUP_JS % {
            "image_path": json.dumps(assets.LEAFLET_IMAGES),
            "map": self._parent.get_name(),
            "highlight": json.dumps(HIGHLIGHT_COLOR),
            "legend": json.dumps(self.legend_html),
            "attribution": json.dumps(ATTRIBUTION),
        }
        super().render(**kwargs)


def _swatch(style: Style, kind: str) -> str:
    dash = f' stroke-dasharray="{esc(style.dash)}"' if style.dash else ""
    stroke = f'stroke="{esc(style.color)}" stroke-width="{min(style.weight, 4)}"{dash}'
    fill = esc(style.fill_color or style.color)
    if kind == "point":
        shape = f'<circle cx="9" cy="7" r="5" fill="{fill}" {stroke}/>'
    elif kind == "line":
        shape = f'<line x1="1" y1="7" x2="17" y2="7" {stroke}/>'
    else:
        shape = (f'<rect x="2" y="2" width="14" height="10" fill="{fill}" '
                 f'fill-opacity="{max(style.fill_opacity, 0.15)}" {stroke}/>')
    return f'<svg width="18" height="14" aria-hidden="true">{shape}</svg>'


LEGEND_ROWS: tuple[tuple[Style, str], ...] = (
    (PREFIX_STYLES["country-"], "area"),
    (LAYER_STYLES["contested_areas"], "area"),
    (PREFIX_STYLES["nkao-"], "area"),
    (PREFIX_STYLES["clash-"], "area"),
    (PREFIX_STYLES["ceasefire-"], "line"),
    (PREFIX_STYLES["delimitation-"], "line"),
    (LAYER_STYLES["nakhchivan"], "area"),
    (LAYER_STYLES["lachin_corridor"], "area"),
    (PREFIX_STYLES["hakari-"], "point"),
    (LAYER_STYLES["zangezur_corridor"], "line"),
    (PREFIX_STYLES["aras-"], "line"),
    (LAYER_STYLES["pipelines"], "line"),
    (PREFIX_STYLES["railway-"], "line"),
    (LAYER_STYLES["villages"], "point"),
    (LAYER_STYLES["towns"], "point"),
    (EVENT_STYLE, "point"),
    (EVENT_RECENT_STYLE, "point"),
)


def legend_html() -> str:
    """The legend's HTML, from the styles above (no data strings in it)."""
    rows = "".join(
        f'<div class="row">{_swatch(s, k)}<span>{esc(s.legend)}</span></div>'
        for s, k in LEGEND_ROWS
    )
    note = ('<div style="color:#666;margin-top:4px">Lines marked schematic are drawn through '
            "cited waypoints, not surveyed.</div>")
    return f"<details><summary>Legend</summary>{rows}{note}</details>"


def _offline(m: folium.Map, *, cluster: bool = False) -> None:
    """Point the map instance (not folium's shared class lists) at the app's own assets.

    Bootstrap, Font Awesome and awesome-markers are left out: nothing on this map uses them.
    """
    m.default_js = [("leaflet", assets.LEAFLET_JS), ("jquery", assets.JQUERY_JS)]
    m.default_css = [("leaflet_css", assets.LEAFLET_CSS)]
    if cluster:
        m.default_js.append(_CLUSTER_JS[0])
        m.default_css.extend(_CLUSTER_CSS)


_CLUSTER_JS = [("markerclusterjs", assets.MARKERCLUSTER_JS)]
_CLUSTER_CSS = [
    ("markerclustercss", assets.MARKERCLUSTER_CSS),
    ("markerclusterdefaultcss", assets.MARKERCLUSTER_DEFAULT_CSS),
]

# One small circle per ACLED event (no awesome-markers icons, no per-point popup).
_ACLED_CALLBACK = """function (row) {
  return L.circleMarker(new L.LatLng(row[0], row[1]),
    {radius: 4, color: '#8b0000', weight: 1, fillColor: '#e53935', fillOpacity: 0.75});
}"""


def acled_group(points: Sequence[Sequence[float]]) -> folium.FeatureGroup:
    """ACLED events (``[[lat, lon], ...]``) clustered in the browser by Leaflet.markercluster."""
    from folium.plugins import FastMarkerCluster

    fg = folium.FeatureGroup(name=TITLES[ACLED])
    if points:
        cluster = FastMarkerCluster(
            [list(p) for p in points],
            callback=_ACLED_CALLBACK,
            control=False,
            options={"maxClusterRadius": 50, "chunkedLoading": True},
        )
        cluster.default_js = list(_CLUSTER_JS)
        cluster.default_css = list(_CLUSTER_CSS)
        cluster.add_to(fg)
    _Script(tag=ACLED).add_to(fg)
    return fg


def base_map(basemap: str | None = None, *, cluster: bool = False) -> folium.Map:
    """The stable part of the map: offline Leaflet, helpers, legend, optional tiles.

    ``basemap`` is an xyzservices provider path ("OpenStreetMap.Mapnik") or None for no tiles
    (the context layer is the basemap then). ``cluster`` loads Leaflet.markercluster with the
    map (for the ACLED layer), since the component loads scripts only once.
    """
    m = folium.Map(
        location=list(DEFAULT_CENTER),
        zoom_start=DEFAULT_ZOOM,
        tiles=None,
        max_zoom=MAX_ZOOM,
        min_zoom=MIN_ZOOM,
        control_scale=True,
        prefer_canvas=False,
    )
    # Leaflet.markercluster needs the map's own maxZoom (folium hands max_zoom to tiles only).
    m.options["max_zoom"] = MAX_ZOOM
    m.options["min_zoom"] = MIN_ZOOM
    _offline(m, cluster=cluster)
    if basemap:
        import xyzservices.providers as xyz

        provider = xyz.query_name(basemap)
        folium.TileLayer(
            tiles=provider.build_url(scale_factor="{r}"),
            attr=provider.html_attribution,
            name=basemap,
            max_zoom=MAX_ZOOM,
            control=False,
        ).add_to(m)
    _Setup(legend_html()).add_to(m)
    _stable_ids(m, "div")
    m.atlas_base_children = set(m._children)  # type: ignore[attr-defined]
    return m


def _stable_ids(element: Any, base: str) -> None:
    """Give the map and its children the ids streamlit-folium renames them to ("div",
    "div_0", ...), so that every render of the same map, the first included, is identical
    (folium names header entries after element ids)."""
    element._id = base
    for idx, child in enumerate(list(element._children.values())):
        _stable_ids(child, f"{base}_{idx}")
    element._children = type(element._children)(
        (child.get_name(), child) for child in element._children.values()
    )


def detach_dynamic(m: folium.Map) -> None:
    """Remove the groups and control that ``st_folium`` attached, so the base stays the same."""
    base = getattr(m, "atlas_base_children", None)
    if base is None:
        return
    for name in list(m._children):
        if name not in base:
            del m._children[name]


class _Script(JSCSSMixin):
    """A piece of our own JavaScript inside a feature group."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str = "", *, tag: str | None = None) -> None:
        super().__init__()
        self._name = "AtlasScript"
        self.code = code
        self.tag = tag

    def render(self, **kwargs: Any) -> None:
        if self.tag is not None:
            self.code = f"{self._parent.get_name()}.atlasKey = {json.dumps(self.tag)};"
        super().render(**kwargs)


def _ints(coords: Sequence[Sequence[float]], scale: int, *, ring: bool) -> list[int]:
    """A line or ring as ``[x0, y0, dx1, dy1, ...]`` on the integer grid (a ring's closing
    vertex is left out; the browser closes it)."""
    pts = coords[:-1] if ring and len(coords) > 1 else coords
    out: list[int] = []
    px = py = 0
    for x, y, *_ in pts:
        ix, iy = round(x * scale), round(y * scale)
        out += (ix - px, iy - py)
        px, py = ix, iy
    return out


def encode_geometry(geom: Mapping[str, Any], scale: int) -> Any:
    """GeoJSON coordinates as the browser's decoder (``window.atlas.layer``) reads them."""
    kind, c = geom["type"], geom["coordinates"]
    if kind == "Point":
        return [round(c[0] * scale), round(c[1] * scale)]
    if kind in ("LineString", "MultiPoint"):
        return _ints(c, scale, ring=False)
    if kind == "MultiLineString":
        return [_ints(line, scale, ring=False) for line in c]
    if kind == "Polygon":
        return [_ints(r, scale, ring=True) for r in c]
    if kind == "MultiPolygon":
        return [[_ints(r, scale, ring=True) for r in poly] for poly in c]
    raise ValueError(f"unsupported geometry type for the map: {kind}")


def decode_geometry(kind: str, data: Any, scale: int) -> dict[str, Any]:
    """The inverse of :func:`encode_geometry` (what the browser does), for tests."""
    def line(a: Sequence[int], ring: bool) -> list[list[float]]:
        out, x, y = [], 0, 0
        for i in range(0, len(a), 2):
            x, y = x + a[i], y + a[i + 1]
            out.append([x / scale, y / scale])
        return [*out, out[0]] if ring and out else out

    if kind == "Point":
        coords: Any = [data[0] / scale, data[1] / scale]
    elif kind in ("LineString", "MultiPoint"):
        coords = line(data, False)
    elif kind == "MultiLineString":
        coords = [line(a, False) for a in data]
    elif kind == "Polygon":
        coords = [line(a, True) for a in data]
    else:
        coords = [[line(a, True) for a in poly] for poly in data]
    return {"type": kind, "coordinates": coords}


def _feature_style(f: Mapping[str, Any], *, tiles: bool) -> Style:
    p = f["properties"]
    if p.get("ev"):
        return EVENT_RECENT_STYLE if p.get("recent") else EVENT_STYLE
    return style_for(p["layer"], p["id"], p.get("gt", ""), tiles=tiles)


def wire_rows(features: Sequence[Mapping[str, Any]], *, tiles: bool = False, scale: int = WIRE_SCALE
              ) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """A layer as the browser receives it: ``(styles, rows)``, each row
    ``[style index, properties, geometry type, integer coordinates]``.

    Only :data:`WIRE_PROPS` that are set go to the browser (the layer name is added there);
    validity dates and geometry types stay in Python.
    """
    styles: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    rows = []
    for f in features:
        style = _feature_style(f, tiles=tiles).leaflet()
        skey = json.dumps(style, sort_keys=True)
        if skey not in index:
            index[skey] = len(styles)
            styles.append(style)
        props = {k: f["properties"][k] for k in WIRE_PROPS if f["properties"].get(k)}
        geom = f["geometry"]
        rows.append([index[skey], props, geom["type"], encode_geometry(geom, scale)])
    return styles, rows


def _js(value: Any) -> str:
    """Compact JSON that is also safe inside a ``<script>`` element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


class _Features(folium.map.Layer):
    """A layer's features, sent compact and rebuilt as ``L.geoJson`` by ``window.atlas.layer``."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = window.atlas.layer({{ this.payload }});"
        "{% endmacro %}"
    )

    def __init__(self, key: str, features: Sequence[Mapping[str, Any]], *, tiles: bool) -> None:
        super().__init__(name=TITLES.get(key, key), overlay=True, control=False, show=True)
        self._name = "AtlasFeatures"
        scale = EVENT_WIRE_SCALE if key == EVENTS else WIRE_SCALE
        styles, rows = wire_rows(features, tiles=tiles, scale=scale)
        self.payload = ",".join((_js(key), str(scale), _js(styles), _js(rows)))


def layer_group(key: str, features: list[dict[str, Any]], *, tiles: bool = False
                ) -> folium.FeatureGroup:
    """One toggleable layer as a feature group (its visibility is set by :func:`state_group`)."""
    fg = folium.FeatureGroup(name=TITLES.get(key, key), show=True)
    if features:
        _Features(key, features, tiles=tiles).add_to(fg)
    _Script(tag=key).add_to(fg)
    return fg


_BEGIN_JS = "window.feature_group = []; window.atlas.byId = {}; window.atlas.sel = [];"


def begin_group() -> folium.FeatureGroup:
    """First group: forget the features of the previous render."""
    fg = folium.FeatureGroup(name="atlas-begin", control=False)
    _Script(_BEGIN_JS).add_to(fg)
    return fg


def state_group(visible: Iterable[str], highlight: Sequence[str]) -> folium.FeatureGroup:
    """Last group: hide the layers that are off, report them, highlight the selection."""
    vis = sorted(set(visible))
    code = f"""
(function () {{
  var A = window.atlas, vis = {json.dumps(vis)}, sel = {{}};
  (window.feature_group || []).forEach(function (fg) {{
    if (!fg.atlasKey) {{ return; }}
    if (vis.indexOf(fg.atlasKey) < 0) {{ A.map.removeLayer(fg); }}
    else {{ sel[fg.atlasKey] = {{name: fg.atlasKey, url: ''}}; }}
  }});
  if (window.__GLOBAL_DATA__) {{ window.__GLOBAL_DATA__.selected_layers = sel; }}
  A.highlight({json.dumps(list(highlight))});
}})();
"""
    fg = folium.FeatureGroup(name="atlas-state", control=False)
    _Script(code).add_to(fg)
    return fg


def layer_groups(
    layer_features: Mapping[str, list[dict[str, Any]]],
    visible: Iterable[str],
    highlight: Sequence[str] = (),
    *,
    tiles: bool = False,
    extra: Sequence[folium.FeatureGroup] = (),
) -> list[folium.FeatureGroup]:
    """All groups for ``st_folium(feature_group_to_add=...)``, in drawing order.

    ``layer_features`` maps layer keys (``TOGGLES``) to display features already filtered to
    the date. ``extra`` groups (e.g. ACLED) are added after the layers.
    """
    groups = [begin_group()]
    for key in TOGGLES:
        if key in layer_features:
            groups.append(layer_group(key, layer_features[key], tiles=tiles))
    groups.extend(extra)
    groups.append(state_group(visible, highlight))
    return groups


def layer_control() -> folium.LayerControl:
    """The map's layer switcher (its overlays are the layer groups)."""
    return folium.LayerControl(collapsed=True, position="topright")


def view_for(geom: Any, width_px: int = 500) -> tuple[tuple[float, float], int]:
    """Centre and zoom at which ``geom`` (EPSG:4326) fits in about ``width_px`` pixels."""
    minx, miny, maxx, maxy = geom.bounds
    center = ((miny + maxy) / 2, (minx + maxx) / 2)
    span = max(maxx - minx, (maxy - miny) * 1.3, 1e-6)
    # At zoom z the world is 256 * 2**z pixels wide.
    zoom = math.floor(math.log2(width_px * 360 / (256 * span)))
    return (round(center[0], 5), round(center[1], 5)), int(max(MIN_ZOOM, min(12, zoom)))


def render_html(m: folium.Map, groups: Sequence[folium.FeatureGroup] = ()) -> str:
    """A standalone HTML page of the map with its groups (for tests and exports)."""
    for g in groups:
        g.add_to(m)
    layer_control().add_to(m)
    return m.get_root().render()
