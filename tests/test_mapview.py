"""Map building, panel text and downloads on small layers built with the shared schema."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date

import folium
import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import (
    LineString,
    MultiLineString,
    MultiPolygon,
    Point,
    Polygon,
    mapping,
    shape,
)

from geo import assets, export, mapview, panel
from geo.schema import make_layer

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)>"


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    wiggle = LineString([(46.4 + i * 0.001, 39.6 + (i % 2) * 0.00001) for i in range(300)])
    return {
        "lachin_corridor": make_layer("lachin_corridor", [
            {"id": "lachin-corridor-2020", "name": "Lachin corridor", "kind": "corridor",
             "source": "statement", "valid_from": "2020-11-10", "valid_to": "2022-08-26",
             "geometry": Polygon([(46.4, 39.5), (46.7, 39.6), (46.7, 39.7), (46.4, 39.6)])},
            {"id": "lachin-road", "name": "Lachin road", "kind": "road", "source": "s",
             "valid_from": "2020-11-10", "valid_to": "2022-08-26", "geometry": wiggle},
            {"id": "hakari-checkpoint", "name": f"Hakari {HOSTILE}", "kind": "checkpoint",
             "source": "s", "valid_from": "2023-04-23", "geometry": Point(46.5, 39.55)},
        ]),
        "towns": make_layer("towns", [
            {"id": "town-khankendi", "name": "Khankendi", "label": "Khankendi / Stepanakert",
             "names": "Stepanakert; Xankəndi", "kind": "city", "source": "GeoNames",
             "geometry": Point(46.75194, 39.81528)},
            {"id": "town-goris", "name": "Goris", "kind": "town", "source": "GeoNames",
             "geometry": Point(46.34, 39.51)},
        ]),
    }


@dataclass(frozen=True)
class FakeEvent:
    id: str
    date: date
    title: str
    summary: str
    kind: str
    place_ids: tuple[str, ...]


# --- offline assets ------------------------------------------------------------------------------


def test_base_map_loads_everything_from_the_app():
    m = mapview.base_map()
    urls = [u for _, u in m.default_js + m.default_css]
    assert urls and all(u.startswith(assets.URL_PREFIX + "/") for u in urls)
    # folium's shared class-level lists are untouched (other maps keep their defaults).
    assert folium.Map.default_js[0][1].startswith("https://")
    page = m.get_root().render()
    assert not re.search(r'(src|href)="https?://', page)
    assert "L.Icon.Default.imagePath" in page
    assert json.dumps(assets.LEAFLET_IMAGES) in page


def test_online_basemap_only_when_chosen():
    page = mapview.base_map("OpenStreetMap.Mapnik").get_root().render()
    assert "tile.openstreetmap.org" in page
    assert "tile.openstreetmap.org" not in mapview.base_map().get_root().render()


def test_copied_assets_match_the_urls(tmp_path):
    assets.copy_assets(tmp_path)
    assert assets.assets_present(tmp_path)
    for url in (assets.LEAFLET_JS, assets.LEAFLET_CSS, assets.JQUERY_JS, assets.MARKERCLUSTER_JS,
                assets.FONTAWESOME_CSS):
        assert (tmp_path / url.removeprefix(assets.URL_PREFIX + "/")).is_file()
    assert (tmp_path / "leaflet" / "images" / "marker-icon.png").is_file()
    assert "Leaflet 1.9" in (tmp_path / "leaflet" / "leaflet.js").read_text()


# --- display features ----------------------------------------------------------------------------


def test_feature_properties_are_escaped_and_carry_ids(layers):
    feats = mapview.feature_collection(layers["lachin_corridor"],
                                       {"hakari-checkpoint": (HOSTILE + " excerpt", HOSTILE)})
    by_id = {f["properties"]["id"]: f for f in feats}
    assert set(by_id) == {"lachin-corridor-2020", "lachin-road", "hakari-checkpoint"}
    props = by_id["hakari-checkpoint"]["properties"]
    assert props["label"] == "Hakari &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x " \
                             "onerror=alert(2)&gt;"
    for f in feats:
        for key, value in f["properties"].items():
            if isinstance(value, str):
                assert "<" not in value and ">" not in value, (key, value)
    assert "&lt;img" in props["excerpt"] and "&lt;script&gt;" in props["src"]
    # Areas first, then lines, then points: points stay clickable on top.
    assert [f["geometry"]["type"] for f in feats] == ["Polygon", "LineString", "Point"]


def test_display_geometry_is_simplified_and_rounded(layers):
    road = next(f for f in mapview.feature_collection(layers["lachin_corridor"])
                if f["properties"]["id"] == "lachin-road")
    coords = road["geometry"]["coordinates"]
    assert len(coords) < 20  # 300 vertices of a near-straight line
    for x, y in coords:
        assert round(x, 4) == pytest.approx(x, abs=1e-9)
        assert round(y, 4) == pytest.approx(y, abs=1e-9)
    full = layers["lachin_corridor"].set_index("id").loc["lachin-road", "geometry"]
    assert shape(road["geometry"]).hausdorff_distance(full) < mapview.SIMPLIFY_DEG


def test_wire_coordinates_decode_to_the_display_geometry(layers):
    hole = Polygon([(46.0, 39.0), (46.5, 39.0), (46.5, 39.4), (46.0, 39.4)],
                   [[(46.1, 39.1), (46.2, 39.1), (46.2, 39.2)]])
    geoms = [hole, MultiPolygon([hole, Polygon([(47, 40), (47.1, 40), (47.1, 40.1)])]),
             LineString([(46.4, 39.6), (46.41, 39.61), (46.3, 39.5)]),
             MultiLineString([[(46, 39), (46.2, 39.3)], [(45.1, 41.2), (45.0, 41.0)]]),
             Point(46.75194, 39.81528)]
    for geom in geoms:
        gj = mapping(mapview.display_geometry(geom))
        wire = mapview.encode_geometry(gj, mapview.WIRE_SCALE)
        flat = json.dumps(wire)
        assert "." not in flat  # integers only
        back = shape(mapview.decode_geometry(gj["type"], wire, mapview.WIRE_SCALE))
        assert back.geom_type == geom.geom_type
        assert back.equals_exact(shape(gj), tolerance=1e-9)
    # Consecutive vertices go as small deltas, not as absolute coordinates.
    ring = mapview.encode_geometry(mapping(hole), mapview.WIRE_SCALE)[0]
    assert ring[:2] == [460000, 390000] and max(abs(v) for v in ring[2:]) <= 5000
    assert len(ring) == 8  # four vertices; the closing one is added back in the browser


def test_wire_rows_send_only_what_the_browser_uses(layers):
    feats = mapview.feature_collection(layers["lachin_corridor"],
                                       {"hakari-checkpoint": (HOSTILE, HOSTILE)})
    styles, rows = mapview.wire_rows(feats)
    assert [r[1]["id"] for r in rows] == [f["properties"]["id"] for f in feats]
    for (idx, props, kind, _), f in zip(rows, feats, strict=True):
        assert set(props) <= set(mapview.WIRE_PROPS)
        assert "vf" not in props and "layer" not in props
        assert kind == f["geometry"]["type"]
        p = f["properties"]
        assert styles[idx] == mapview.style_for(p["layer"], p["id"], p["gt"]).leaflet()
    hakari = next(r[1] for r in rows if r[1]["id"] == "hakari-checkpoint")
    assert hakari["label"].startswith("Hakari &lt;script&gt;")
    assert "&lt;img" in hakari["excerpt"]
    page = mapview.render_html(mapview.base_map(), [mapview.layer_group("lachin_corridor",
                                                                        feats)])
    assert "<script>alert" not in page and "<img src" not in page
    # The same style goes once per layer, whatever the number of features using it.
    towns = mapview.feature_collection(layers["towns"])
    assert len(mapview.wire_rows(towns)[0]) == 1


def test_context_layer_is_simplified_harder_than_the_others():
    assert mapview.simplify_tolerance("context") > mapview.simplify_tolerance("towns")
    # A top edge that zigzags by 0.0025°: between the two tolerances.
    top = [(44 + i * 0.01, 40.2 + (i % 2) * 0.0025) for i in range(50)]
    area = Polygon([(44, 40), (44.49, 40), *reversed(top)])
    rows = [{"id": "country-x", "name": "X", "kind": "country", "source": "s",
             "geometry": area}]
    ctx = mapview.feature_collection(make_layer("context", rows))
    other = mapview.feature_collection(make_layer("contested_areas", [
        {**rows[0], "id": "district-x"}]))
    n_ctx = len(ctx[0]["geometry"]["coordinates"][0])
    n_other = len(other[0]["geometry"]["coordinates"][0])
    assert n_ctx < n_other / 2


def test_contested_towns_are_labelled_with_both_names(layers):
    feats = {f["properties"]["id"]: f["properties"]
             for f in mapview.feature_collection(layers["towns"])}
    assert feats["town-khankendi"]["label"] == "Khankendi / Stepanakert"
    assert feats["town-khankendi"]["tag"] == 2  # always shown
    assert feats["town-goris"]["tag"] == 1  # shown when zoomed in
    assert "Xankəndi" in feats["town-khankendi"]["names"]


@pytest.mark.parametrize(("day", "expected"), [
    (date(2020, 11, 9), {"town-khankendi"}),
    (date(2020, 11, 10), {"town-khankendi", "lachin-corridor-2020", "lachin-road"}),
    (date(2022, 8, 26), {"town-khankendi", "lachin-corridor-2020", "lachin-road"}),
    (date(2022, 8, 27), {"town-khankendi"}),
    (date(2023, 6, 1), {"town-khankendi", "hakari-checkpoint"}),
])
def test_features_on_a_day(layers, day, expected):
    feats = [*mapview.feature_collection(layers["lachin_corridor"]),
             *mapview.feature_collection(layers["towns"])]
    shown = {f["properties"]["id"] for f in mapview.features_on(feats, day)}
    assert shown - {"town-goris"} == expected
    assert set(mapview.layer_on(layers["lachin_corridor"], day)["id"]) == expected - {
        "town-khankendi"}


def test_event_markers_up_to_the_day_spread_and_escaped():
    events = [
        FakeEvent("e1", date(2020, 11, 10), "Statement", "s", "agreement", ("town-khankendi",)),
        FakeEvent("e2", date(2021, 1, 11), HOSTILE, HOSTILE, "meeting", ("town-khankendi",)),
        FakeEvent("e3", date(2023, 9, 19), "Later", "s", "war", ("town-khankendi",)),
        FakeEvent("e4", date(2020, 12, 1), "Nowhere", "s", "x", ("unknown-place",)),
    ]
    positions = {"town-khankendi": (39.81528, 46.75194)}
    feats = mapview.event_features(events, positions, date(2021, 6, 1))
    assert [f["properties"]["id"] for f in feats] == ["e1", "e2"]
    first, second = (f["geometry"]["coordinates"] for f in feats)
    assert first == [46.75194, 39.81528]
    assert first != second and abs(first[0] - second[0]) < 0.05
    assert feats[1]["properties"]["label"].startswith("&lt;script&gt;")
    assert feats[1]["properties"]["recent"] == 1
    assert all(f["properties"]["ev"] == 1 for f in feats)


# --- groups and state ---------------------------------------------------------------------------


def test_layer_groups_render_with_state_script(layers):
    feats = {k: mapview.feature_collection(g) for k, g in layers.items()}
    groups = mapview.layer_groups(feats, ["towns"], ["town-khankendi"])
    names = [g.layer_name for g in groups]
    assert names[0] == "atlas-begin" and names[-1] == "atlas-state"
    assert mapview.TITLES["towns"] in names and mapview.TITLES["lachin_corridor"] in names
    page = mapview.render_html(mapview.base_map(), groups)
    assert 'vis = ["towns"]' in page
    assert 'A.highlight(["town-khankendi"])' in page
    assert '.atlasKey = "lachin_corridor"' in page
    assert 'window.atlas.layer("towns",' in page
    assert "A.bind" in page  # the decoder hands every feature to the click/popup binding
    assert '"town-khankendi"' in page


def test_detach_dynamic_restores_the_base_map(layers):
    m = mapview.base_map()
    before = set(m._children)
    feats = {k: mapview.feature_collection(g) for k, g in layers.items()}
    for g in mapview.layer_groups(feats, ["towns"]):
        g.add_to(m)
    mapview.layer_control().add_to(m)
    assert set(m._children) != before
    mapview.detach_dynamic(m)
    assert set(m._children) == before


def test_view_for_a_small_and_a_large_area():
    (lat, lon), zoom = mapview.view_for(Polygon([(46.4, 39.5), (46.7, 39.5), (46.7, 39.7),
                                                 (46.4, 39.7)]))
    assert (lat, lon) == pytest.approx((39.6, 46.55))
    assert 8 <= zoom <= 12
    _, wide = mapview.view_for(Polygon([(40, 36), (50, 36), (50, 44), (40, 44)]))
    assert wide < zoom


# --- panel text ---------------------------------------------------------------------------------


def test_safe_md_neutralises_markup_markdown_latex_and_directives():
    raw = "<b>x</b> *y* [z](javascript:alert(1)) $a$ :red[b] # h\n\n    code"
    out = panel.safe_md(raw)
    for bad in ("<", ">", "*", "[", "]", "(", ")", "$", ":", "#"):
        assert bad not in out.replace("&#", "")  # only inside character references
    assert "\n" not in out
    import html as htmlmod
    assert htmlmod.unescape(out) == " ".join(raw.split())


def test_marked_highlights_mentions_after_escaping():
    text = "From Goris to <Stepanakert> via the Lachin corridor."
    lachin, town = text.index("Lachin"), text.index("<Stepanakert>")
    spans = [(lachin, lachin + 15), (town, town + 13), (lachin + 7, lachin + 15)]
    out = panel.marked(text, spans)
    assert out.count("<mark>") == 2
    assert "<mark>&#60;Stepanakert&#62;</mark>" in out
    assert "<mark>Lachin corridor</mark>" in out
    assert "Goris to <mark>" in out


def test_marked_keeps_the_break_after_a_heading():
    text = "The reaction <b>in Armenia</b>\n\nThere are two views on Lachin.\nOne line."
    start = text.index("Lachin")
    out = panel.marked(text, [(start, start + 6)])
    assert out.startswith("The reaction &#60;b&#62;in Armenia&#60;&#47;b&#62;<br>There are")
    assert out.count("<br>") == 1  # a single line break stays a space
    assert "<mark>Lachin</mark>&#46; One line&#46;" in out


def test_snippet_shows_the_mention():
    text = "word " * 80 + "the Lachin corridor opened " + "tail " * 80
    start = text.index("Lachin")
    out = panel.snippet(text, [(start, start + 15)])
    assert "Lachin corridor" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out) <= panel.SNIPPET_CHARS + 2


def test_map_change_reads_clicks_and_layer_control_ticks():
    feature = {"type": "Feature", "properties": {"id": "town-goris"}, "geometry": None}
    first = {"last_object_clicked_count": 0, "last_active_drawing": None, "selected_layers": []}
    assert panel.map_change(first, None) == {}
    clicked = {**first, "last_object_clicked_count": 2, "last_active_drawing": feature}
    assert panel.map_change(clicked, first) == {"click": {"id": "town-goris"}}
    assert panel.map_change(clicked, clicked) == {}
    ticked = {**clicked, "selected_layers": [{"name": "~atlas", "url": "1"},
                                             {"name": "towns", "url": ""}]}
    assert panel.map_change(ticked, clicked) == {"layers": ["towns"]}
    assert panel.map_change(ticked, ticked) == {}


def test_query_parameter_parsing():
    known = mapview.TOGGLES
    assert panel.parse_layers(None, known) is None
    assert panel.parse_layers("towns,bogus, events", known) == ["towns", "events"]
    lo, hi = date(1988, 2, 20), date(2026, 1, 13)
    assert panel.parse_day("2021-06-01", lo, hi) == date(2021, 6, 1)
    assert panel.parse_day("1900-01-01", lo, hi) == lo
    assert panel.parse_day("June", lo, hi) is None


# --- downloads ----------------------------------------------------------------------------------


def test_geojson_and_gpkg_of_visible_layers_on_a_day(layers, tmp_path):
    day = date(2021, 6, 1)
    frame = export.visible_frame(layers, ["lachin_corridor"], day)
    assert set(frame["id"]) == {"lachin-corridor-2020", "lachin-road"}
    data = json.loads(export.geojson_bytes(frame))
    assert {f["properties"]["id"] for f in data["features"]} == set(frame["id"])
    assert data["features"][0]["properties"]["source"]

    blob = export.gpkg_bytes(layers, ["lachin_corridor", "towns"], day)
    path = tmp_path / "out.gpkg"
    path.write_bytes(blob)
    assert sorted(name for name, _ in pyogrio.list_layers(path)) == ["lachin_corridor", "towns"]
    back = gpd.read_file(path, layer="lachin_corridor")
    assert set(back["id"]) == {"lachin-corridor-2020", "lachin-road"}
    assert back.crs.to_epsg() == 4326


def _excerpt(text: str, title: str = HOSTILE, url: str = "javascript:alert(1)"):
    start = text.index("Lachin")
    return export.Excerpt("lachin-corridor-2020", "Lachin corridor", "a1", title, "A. Author",
                          "Press", "2023-01", url, "a1:p001", text, ((start, start + 6),))


def test_excerpts_as_csv_and_markdown():
    rows = [_excerpt("On the Lachin road, <b>bold</b> claims."),
            _excerpt("Lachin again.", title="Plain", url="https://example.org/a")]
    table = list(csv.DictReader(io.StringIO(export.excerpts_csv(rows).decode("utf-8-sig"))))
    assert [r["text"] for r in table] == [r.text for r in rows]
    assert table[0]["mentioned"] == "Lachin" and table[0]["title"] == HOSTILE
    md = export.excerpts_markdown("Lachin corridor", rows).decode()
    assert "<script>" not in md and "\\<script\\>" in md
    assert "javascript:" not in md  # only http(s) links are written
    assert "<https://example.org/a>" in md
    assert md.count("\n> — ") == 2
