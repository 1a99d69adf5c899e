"""The page in-process (``streamlit.testing.v1.AppTest``) on the shipped data.

AppTest has no browser: the map component is an unknown element whose arguments (the layer
groups' JavaScript, centre, zoom) can be read, and a click is what the component would store
in ``st.session_state["atlas"]``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import panel
from geo.appdata import load_app_data

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def data():
    return load_app_data(ROOT / "data")


@pytest.fixture(autouse=True)
def shipped_data(monkeypatch):
    monkeypatch.delenv("ATLAS_DATA", raising=False)


def run_app(params: dict[str, str] | None = None, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def map_args(at: AppTest) -> dict:
    """The arguments the page passed to the map component."""
    (component,) = [e for e in at.get("component_instance")
                    if e.proto.component_name.endswith("st_folium")]
    return json.loads(component.proto.json_args)


def visible_in_map(at: AppTest) -> list[str]:
    """The layers the map's groups are told to show."""
    match = re.search(r"vis = (\[[^\]]*\])", map_args(at)["feature_group"])
    assert match
    return json.loads(match.group(1))


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def click(fid: str, count: int, **props) -> dict:
    """The component value after a click on feature ``fid``."""
    return {
        "last_object_clicked_count": count,
        "last_active_drawing": {"type": "Feature", "properties": {"id": fid, **props},
                                "geometry": {"type": "Point", "coordinates": [46.5, 39.6]}},
        "selected_layers": [],
    }


def test_clicked_place_fills_the_side_panel(data):
    fid = "lachin-corridor-2020"
    at = run_app({"date": "2021-06-01"}, {"atlas": click(fid, 2)})
    assert at.session_state["sel"] == {"kind": "place", "id": fid}
    text = markdown_text(at)
    assert f"### {panel.safe_md(data.label(fid))}" in text
    hits = data.index.place_passages[fid]
    assert hits, "the seed articles mention the Lachin corridor"
    quotes = [m.value for m in at.markdown if m.value.startswith('<blockquote class="atlas-quote"')]
    assert len(quotes) == min(len(hits), 8)
    first = data.index.passages[hits[0].passage_id]
    start, end = hits[0].mentions[0]
    assert f"<mark>{panel.safe_md(first.text[start:end])}</mark>" in quotes[0]
    title = data.index.articles[first.article_id].title
    assert panel.safe_md(title) in text
    # Facts of the feature: computed area and its source.
    row = data.rows[fid]
    assert panel.safe_md(f"{row['area_km2']:,.1f} km²") in text
    assert panel.safe_md(row["source"]) in text
    # The URL names the selection; a click does not move the map.
    assert at.query_params["place"] == fid
    assert map_args(at)["center"] is None


def test_panel_offers_related_places(data):
    fid = "lachin-corridor-2022"  # no article names this alignment; the 2020 corridor is named
    assert not data.index.place_passages.get(fid)
    at = run_app({"date": "2023-01-15"}, {"atlas": click(fid, 2)})
    labels = [e.label for e in at.expander]
    related = data.label("lachin-corridor-2020")
    n = len(data.index.place_passages["lachin-corridor-2020"])
    assert any(lab.startswith(f"Also about {panel.safe_md(related)}: {n} excerpts")
               for lab in labels), labels
    quotes = [m.value for m in at.markdown if m.value.startswith('<blockquote class="atlas-quote"')]
    assert len(quotes) == min(n, 8)
    # The former NKAO outline shows Karabakh: its panel offers what the articles say about it.
    at = run_app({"date": "2021-06-01"}, {"atlas": click("nkao-1991", 2)})
    assert any(lab.startswith("Also about Karabakh") for lab in (e.label for e in at.expander))


def test_clicked_event_marker_shows_the_event(data):
    ev = next(e for e in data.events if data.index.event_passages.get(e.id))
    at = run_app({"date": ev.date.isoformat()}, {"atlas": click(ev.id, 4, ev=1)})
    assert at.session_state["sel"] == {"kind": "event", "id": ev.id}
    text = markdown_text(at)
    assert panel.safe_md(ev.title) in text
    assert panel.safe_md(ev.summary) in text
    assert at.query_params["event"] == ev.id
    labels = [b.label for b in at.button]
    for pid in ev.place_ids:
        assert data.label(pid) in labels


def test_search_any_spelling_selects_and_centres(data):
    at = run_app()
    at.text_input(key="search").input("Kelbecer").run()
    assert at.session_state["sel"] == {"kind": "place", "id": "town-kalbajar"}
    args = map_args(at)
    place = data.index.places["town-kalbajar"]
    assert args["center"] == pytest.approx([place.lat, place.lon], abs=0.05)
    assert args["zoom"] >= 9
    assert at.query_params["place"] == "town-kalbajar"

    at.text_input(key="search").input("Nakhichevan").run()
    assert at.session_state["sel"]["id"] == "nakhchivan-ar"

    at.text_input(key="search").input("Atlantis-on-Aras").run()
    assert at.session_state["sel"]["id"] == "nakhchivan-ar"  # unchanged
    assert any("Atlantis-on-Aras" in w.value for w in at.warning)


def test_date_control_filters_layers_and_events(data):
    at = run_app({"date": "2021-06-01"})
    groups = map_args(at)["feature_group"]
    assert '"lachin-corridor-2020"' in groups
    assert '"hakari-checkpoint"' not in groups

    at.date_input(key="date").set_value(date(2020, 11, 1)).run()
    groups = map_args(at)["feature_group"]
    assert '"lachin-corridor-2020"' not in groups
    assert '"town-khankendi"' in groups
    later = [e.id for e in data.events if e.date > date(2020, 11, 1)]
    assert later and not any(f'"{eid}"' in groups for eid in later)
    assert at.query_params["date"] == "2020-11-01"

    at.date_input(key="date").set_value(date(2023, 6, 1)).run()
    groups = map_args(at)["feature_group"]
    assert '"hakari-checkpoint"' in groups
    assert '"lachin-corridor-2020"' not in groups

    # "Next event" jumps to the first event after the date.
    nxt = next(e for e in data.events if e.date > date(2023, 6, 1))
    next(b for b in at.button if b.label.startswith("Next event")).click().run()
    assert at.session_state["date"] == nxt.date


def test_layer_checkbox_and_map_control_agree():
    at = run_app()
    at.checkbox(key="show_towns").uncheck().run()
    assert "towns" not in visible_in_map(at)
    assert "villages" in visible_in_map(at)
    assert "towns" not in at.query_params["layers"].split(",")
    # The map's layer control reports its boxes with the "~atlas" marker.
    shown = ["context", "towns", "events"]
    value = {"last_object_clicked_count": 0, "last_active_drawing": None,
             "selected_layers": [{"name": "~atlas", "url": "1"}]
             + [{"name": k, "url": ""} for k in shown]}
    at.session_state["atlas"] = value
    at.run()
    assert at.checkbox(key="show_towns").value
    assert not at.checkbox(key="show_pipelines").value
    assert at.query_params["layers"] == ",".join(shown)


def test_query_parameters_round_trip(data):
    at = run_app()
    at.text_input(key="search").input("Shushi").run()
    at.date_input(key="date").set_value(date(2021, 6, 1)).run()
    at.checkbox(key="show_pipelines").uncheck().run()
    params = {k: at.query_params[k] for k in at.query_params}
    assert params["place"] == "town-shusha"
    assert params["date"] == "2021-06-01"
    assert "pipelines" not in params["layers"].split(",")

    again = run_app(params)
    assert again.session_state["sel"] == {"kind": "place", "id": "town-shusha"}
    assert again.session_state["date"] == date(2021, 6, 1)
    assert not again.checkbox(key="show_pipelines").value
    assert again.checkbox(key="show_towns").value
    assert {k: again.query_params[k] for k in again.query_params} == params
    assert map_args(again)["center"] is not None  # a permalink moves the map to the place


def test_query_parameters_that_are_wrong_are_ignored(data):
    at = run_app({"date": "not-a-date", "layers": "towns,nonsense", "place": "nowhere-x"})
    assert at.session_state["date"] == data.last_day
    assert at.checkbox(key="show_towns").value
    assert not at.checkbox(key="show_context").value
    assert at.session_state["sel"] is None
    assert any("nowhere-x" in w.value for w in at.warning)


@pytest.mark.parametrize(("damage", "name"), [
    ("garbage", "atlas.gpkg"),
    ("missing", "atlas.gpkg"),
    ("table", "atlas.gpkg"),
    ("yaml", "gazetteer.yaml"),
    ("event", "events.yaml"),
])
def test_broken_data_file_shows_a_message(tmp_path, monkeypatch, damage, name):
    broken = tmp_path / "data"
    shutil.copytree(ROOT / "data", broken, ignore=shutil.ignore_patterns("sources"))
    gpkg = broken / "atlas.gpkg"
    if damage == "garbage":
        gpkg.write_bytes(b"this is not a GeoPackage\n" * 10)
    elif damage == "missing":
        gpkg.unlink()
    elif damage == "table":
        import pyogrio

        gdf = pyogrio.read_dataframe(ROOT / "data" / "atlas.gpkg", layer="towns")
        gpkg.unlink()
        pyogrio.write_dataframe(gdf, gpkg, layer="towns", driver="GPKG")
    elif damage == "yaml":
        (broken / "gazetteer.yaml").write_text("places:\n  - id: [broken\n")
    else:
        (broken / "events.yaml").write_text("- id: lonely-event\n")
    monkeypatch.setenv("ATLAS_DATA", str(broken))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception
    assert at.error, "the page must say what is wrong"
    message = html.unescape(at.error[0].value)
    assert name in message
    assert "could not be loaded" in message
    assert not at.get("component_instance")


def test_hostile_article_is_escaped_in_the_panel(tmp_path, monkeypatch):
    from geo.articles import add_article

    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder, ignore=shutil.ignore_patterns("sources"))
    title = "Notes <script>alert('t')</script> <img src=x onerror=alert(2)> [x](javascript:y)"
    add_article(ROOT / "tests" / "data" / "articles_hostile.html", title=title,
                publisher="Press $x$ :red[red]", date="2023-01-01", root=folder / "articles",
                article_id="aaa-hostile")
    monkeypatch.setenv("ATLAS_DATA", str(folder))
    at = run_app({"date": "2021-06-01", "place": "lachin-corridor-2020"})
    text = markdown_text(at)
    assert panel.safe_md(title) in text
    for raw in ("<script", "<img", "javascript:", "$x$", ":red["):
        assert raw not in text
    groups = map_args(at)["feature_group"]
    assert "<script" not in groups and "<img" not in groups


def test_acled_export_is_an_optional_clustered_layer(monkeypatch):
    from geo import acled

    sample = ROOT / "tests" / "data" / "acled_sample.csv"
    monkeypatch.setenv("ATLAS_ACLED", str(sample))
    at = run_app({"date": "2022-09-30"})
    at.checkbox(key="show_acled").check().run()
    args = map_args(at)
    assert "L.markerClusterGroup" in args["feature_group"]
    assert "AwesomeMarkers" not in args["feature_group"]
    assert "/app/static/markercluster/leaflet.markercluster.js" in args["js_links"]
    assert all(link.startswith("/app/static/") for link in args["js_links"] + args["css_links"])
    events = acled.load_acled(sample)
    part = acled.window(events, date(2021, 10, 1), date(2022, 9, 30))
    assert len(part) > 0
    assert acled_points_in_map(at) == acled.points(part)
    assert "acled" in visible_in_map(at)
    assert any(f"{len(part):,} events" in c.value for c in at.caption)

    at.select_slider(key="acled_days").set_value(7).run()
    week = acled.window(events, date(2022, 9, 24), date(2022, 9, 30))
    assert len(week) < len(part)
    assert acled_points_in_map(at) == acled.points(week)


def acled_points_in_map(at: AppTest) -> list:
    match = re.search(r"var data = (\[.*?\]);", map_args(at)["feature_group"], re.S)
    return json.loads(match.group(1)) if match else []


def test_assets_command_copies_into_a_folder(tmp_path):
    from geo import assets

    assert assets.main(["--dest", str(tmp_path)]) == 0
    assert assets.assets_present(tmp_path)


def test_online_basemap_only_when_picked():
    at = run_app()
    assert "tile.openstreetmap.org" not in map_args(at)["script"]
    at.radio(key="basemap").set_value("OpenStreetMap").run()
    assert "tile.openstreetmap.org" in map_args(at)["script"]


def test_search_for_a_feature_of_another_time_moves_the_date(data):
    at = run_app()  # opens on the last day of the timeline
    assert at.session_state["date"] == data.last_day
    at.text_input(key="search").input("Lachin corridor").run()
    assert at.session_state["sel"] == {"kind": "place", "id": "lachin-corridor-2020"}
    assert at.session_state["date"] == date.fromisoformat(
        data.rows["lachin-corridor-2020"]["valid_from"])
    assert '"lachin-corridor-2020"' in map_args(at)["feature_group"]
    assert any("Date moved to" in i.value for i in at.info)


def test_start_buttons_select_places():
    at = run_app()
    button = next(b for b in at.button if b.key == "start-hakari-checkpoint")
    button.click().run()
    assert at.session_state["sel"] == {"kind": "place", "id": "hakari-checkpoint"}
    assert '"hakari-checkpoint"' in map_args(at)["feature_group"]
