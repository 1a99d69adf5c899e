"""GeoPackage I/O: round trips keep every column and geometry; bad files give clear errors."""

from __future__ import annotations

import math
import shutil

import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, Point, Polygon

from geo.io import AtlasDataError, read_atlas, write_atlas
from geo.paths import ATLAS_GPKG
from geo.schema import COLUMNS, LAYERS, make_layer


@pytest.fixture(scope="module")
def shipped():
    return read_atlas(ATLAS_GPKG)


def _sample_layers() -> dict:
    """One small layer per table, mixing geometry types, empty text and NaN measures."""
    layers = {}
    for i, name in enumerate(LAYERS):
        layers[name] = make_layer(name, [
            {"id": f"{name.replace('_', '-')}-point", "name": "Şuşa / Շուշի", "source": "test",
             "valid_from": "2020-11-10", "geometry": Point(46.75 + i / 100, 39.76)},
            {"id": f"{name.replace('_', '-')}-line", "name": "line", "source": "test",
             "length_km": 12.5, "stated_length_km": 14.0, "stated_length_source": "https://x",
             "geometry": LineString([(45, 40), (45.5, 40.2)])},
            {"id": f"{name.replace('_', '-')}-area", "name": "area", "source": "test",
             "area_km2": 3.25, "names": "a; b",
             "geometry": Polygon([(44, 39), (44.1, 39), (44.1, 39.1), (44, 39)])},
        ])  # fmt: skip
    return layers


def test_round_trip_keeps_every_column_and_geometry(tmp_path):
    layers = _sample_layers()
    path = write_atlas(layers, tmp_path / "atlas.gpkg")
    back = read_atlas(path)
    assert list(back) == list(LAYERS)
    for name in LAYERS:
        assert_geodataframe_equal(back[name], layers[name], check_like=False)
    row = back["towns"].iloc[0]
    assert row["name"] == "Şuşa / Շուշի" and row["label"] == "Şuşa / Շուշի"
    assert row["valid_to"] == "" and isinstance(row["valid_to"], str)
    assert math.isnan(row["length_km"])


def test_round_trip_of_the_shipped_atlas(shipped, tmp_path):
    path = write_atlas(shipped, tmp_path / "copy.gpkg")
    back = read_atlas(path)
    for name in LAYERS:
        assert list(back[name].columns) == [*COLUMNS, "geometry"]
        assert_geodataframe_equal(back[name], shipped[name])


def test_read_returns_independent_copies(tmp_path):
    path = write_atlas(_sample_layers(), tmp_path / "atlas.gpkg")
    first = read_atlas(path)
    first["towns"].loc[0, "name"] = "changed"
    assert read_atlas(path)["towns"].loc[0, "name"] != "changed"


def test_rewritten_file_is_read_again(tmp_path):
    path = tmp_path / "atlas.gpkg"
    layers = _sample_layers()
    write_atlas(layers, path)
    assert len(read_atlas(path)["villages"]) == 3
    layers["villages"] = layers["villages"].iloc[:1]
    write_atlas(layers, path)
    assert len(read_atlas(path)["villages"]) == 1


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.gpkg"
    with pytest.raises(AtlasDataError, match=r"nowhere\.gpkg.*not found"):
        read_atlas(path)


def test_not_a_geopackage(tmp_path):
    path = tmp_path / "atlas.gpkg"
    path.write_text("id,name\n1,x\n")
    with pytest.raises(AtlasDataError, match=r"atlas\.gpkg.*not a GeoPackage"):
        read_atlas(path)


def test_truncated_geopackage(tmp_path):
    path = tmp_path / "atlas.gpkg"
    data = ATLAS_GPKG.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(AtlasDataError, match=r"atlas\.gpkg"):
        read_atlas(path)


def test_missing_table_is_named(tmp_path):
    layers = _sample_layers()
    del layers["pipelines"]
    path = write_atlas(layers, tmp_path / "atlas.gpkg")
    with pytest.raises(AtlasDataError, match=r"atlas\.gpkg: missing tables \['pipelines'\]"):
        read_atlas(path)


def test_table_without_a_schema_column_is_named(tmp_path):
    path = tmp_path / "atlas.gpkg"
    shutil.copy(write_atlas(_sample_layers(), tmp_path / "good.gpkg"), path)
    broken = pyogrio.read_dataframe(path, layer="villages").drop(columns=["accuracy"])
    pyogrio.write_dataframe(broken, path, layer="villages", driver="GPKG")
    with pytest.raises(AtlasDataError, match=r"table 'villages' lacks columns \['accuracy'\]"):
        read_atlas(path)


def test_schema_break_in_a_table_is_named(tmp_path):
    path = tmp_path / "atlas.gpkg"
    shutil.copy(write_atlas(_sample_layers(), tmp_path / "good.gpkg"), path)
    broken = pyogrio.read_dataframe(path, layer="towns")
    broken.loc[1, "source"] = ""
    pyogrio.write_dataframe(broken, path, layer="towns", driver="GPKG")
    with pytest.raises(AtlasDataError, match=r"feature 'towns-line': empty source"):
        read_atlas(path)


def test_failed_write_keeps_the_previous_file(tmp_path):
    path = write_atlas(_sample_layers(), tmp_path / "atlas.gpkg")
    before = path.read_bytes()
    bad = _sample_layers()
    bad["towns"].loc[0, "id"] = "Not A Slug"
    with pytest.raises(AtlasDataError, match=r"refusing to write.*not a lowercase slug"):
        write_atlas(bad, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas.gpkg"]
