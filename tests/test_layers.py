"""The shipped atlas layers: schema, ids, geometry, and facts that would catch a wrong build."""

from __future__ import annotations

import re

import pytest
import shapely
from shapely.geometry import Point, Polygon

from geo.io import read_atlas
from geo.measure import METRIC_CRS, area_km2, distance_km, geodesic_length_km, to_crs
from geo.paths import ATLAS_GPKG
from geo.schema import COLUMNS, LAYERS, REGION_BOX

CONTRACT_IDS = {
    "context": [
        "country-armenia", "country-armenia-artsvashen", "country-azerbaijan",
        "country-azerbaijan-yukhari-askipara", "country-azerbaijan-barkhudarly",
        "country-georgia", "country-iran", "country-turkey", "country-russia",
        "province-syunik", "province-tavush", "province-vayots-dzor", "province-gegharkunik",
        "province-ararat", "district-gadabay", "district-goranboy",
    ],
    "nakhchivan": [
        "nakhchivan-ar", "town-nakhchivan", "town-julfa", "town-ordubad", "town-sadarak",
        "town-sharur",
    ],
    "contested_areas": [
        "district-lachin", "district-kalbajar", "district-zangilan", "district-gubadli",
        "district-jabrayil", "district-fuzuli", "district-aghdam", "district-khojavend",
        "district-khojaly", "district-shusha", "district-dashkasan", "district-gazakh",
        "district-tovuz", "nkao-1991", "ceasefire-line-1994", "clash-2022-jermuk",
        "clash-2022-sotk", "clash-2022-vardenis", "clash-2022-goris", "clash-2022-kapan",
        "delimitation-2024-tavush-gazakh",
    ],
    "lachin_corridor": [
        "lachin-road", "lachin-corridor-2020", "lachin-bypass-2022", "lachin-corridor-2022",
        "hakari-checkpoint",
    ],
    "zangezur_corridor": ["zangezur-route", "zangezur-syunik-segment", "aras-route-iran"],
    "villages": [
        "village-artsvashen", "village-yukhari-askipara", "village-barkhudarly",
        "village-sofulu", "village-karki", "village-baghanis-ayrum",
        "village-ashaghi-askipara", "village-kheyrimli", "village-gizilhajili",
        "village-baghanis", "village-voskepar", "village-kirants", "village-aghali",
        "village-khojaly",
    ],
    "pipelines": ["pipeline-btc", "pipeline-scp", "pipeline-tanap", "railway-btk"],
    "towns": [
        "town-khankendi", "town-shusha", "town-lachin", "town-kalbajar", "town-zangilan",
        "town-gubadli", "town-jabrayil", "town-fuzuli", "town-aghdam", "town-hadrut",
        "town-khojavend", "town-aghdara", "town-goris", "town-kapan", "town-meghri",
        "town-agarak", "town-kornidzor", "town-jermuk", "town-sotk", "town-vardenis",
        "town-ijevan", "town-noyemberyan", "town-gazakh", "town-tovuz", "town-dashkasan",
        "town-horadiz", "town-aghband", "town-yerevan", "town-baku", "town-tbilisi",
        "town-ganja", "town-gyumri", "town-ceyhan", "town-erzurum", "town-kars",
        "town-akhalkalaki", "town-sangachal", "town-yevlakh",
    ],
}  # fmt: skip
ARMENIA_PROVINCES = 11
CORRIDOR_HALF_WIDTH_M = 2500  # "5 km wide", point 6 of the 10 November 2020 statement


@pytest.fixture(scope="module")
def atlas():
    return read_atlas(ATLAS_GPKG)


@pytest.fixture(scope="module")
def feature(atlas):
    """Feature id -> row, across all layers."""
    rows = {}
    for gdf in atlas.values():
        for _, row in gdf.iterrows():
            rows[row["id"]] = row
    return lambda fid: rows[fid]


def test_every_layer_is_present_and_in_schema(atlas):
    assert list(atlas) == list(LAYERS)
    for name, gdf in atlas.items():
        assert list(gdf.columns) == [*COLUMNS, "geometry"], name
        assert gdf.crs.to_epsg() == 4326, name
        assert len(gdf) > 0, name
        assert set(gdf["layer"]) == {name}


def test_ids_are_unique_across_layers_and_match_the_contract(atlas):
    ids = [fid for gdf in atlas.values() for fid in gdf["id"]]
    assert len(ids) == len(set(ids))
    for layer, expected in CONTRACT_IDS.items():
        missing = set(expected) - set(atlas[layer]["id"])
        assert not missing, f"{layer} lacks {sorted(missing)}"
    provinces = [f for f in atlas["context"]["id"] if f.startswith("province-")]
    assert len(provinces) == ARMENIA_PROVINCES


@pytest.mark.parametrize("layer", LAYERS)
def test_geometries_are_valid_and_inside_the_region(atlas, layer):
    gdf = atlas[layer]
    x0, y0, x1, y1 = REGION_BOX
    for _, row in gdf.iterrows():
        geom = row.geometry
        assert geom is not None and not geom.is_empty, row["id"]
        assert geom.is_valid, (row["id"], shapely.is_valid_reason(geom))
        minx, miny, maxx, maxy = geom.bounds
        assert x0 <= minx and maxx <= x1 and y0 <= miny and maxy <= y1, row["id"]


@pytest.mark.parametrize("layer", LAYERS)
def test_text_fields_are_filled(atlas, layer):
    for _, row in atlas[layer].iterrows():
        for col in ("name", "label", "kind", "description", "source", "accuracy"):
            assert str(row[col]).strip(), (row["id"], col)


@pytest.mark.parametrize("layer", LAYERS)
def test_measures_are_computed_from_the_geometry(atlas, layer):
    for _, row in atlas[layer].iterrows():
        geom = row.geometry
        if geom.geom_type.endswith("LineString"):
            assert row["length_km"] == pytest.approx(geodesic_length_km(geom), rel=1e-6)
        else:
            assert row["length_km"] != row["length_km"], row["id"]  # NaN
        if geom.geom_type.endswith("Polygon"):
            assert row["area_km2"] == pytest.approx(area_km2(geom), rel=1e-6)
        else:
            assert row["area_km2"] != row["area_km2"], row["id"]


def test_contested_places_carry_both_names(feature):
    assert feature("town-khankendi")["label"] == "Khankendi / Stepanakert"
    assert feature("town-shusha")["label"] == "Shusha / Shushi"
    assert feature("town-lachin")["label"] == "Lachin / Berdzor"
    assert "Berdzor" in feature("town-lachin")["names"] or "Berdzor" in feature("town-lachin")[
        "label"
    ]


def test_lachin_town_lies_in_or_near_the_lachin_district(feature):
    town, district = feature("town-lachin"), feature("district-lachin")
    gap = 0.0 if district.geometry.contains(town.geometry) else distance_km(
        town.geometry, district.geometry
    )
    assert gap <= 3.0
    if gap > 0:  # the disagreement is shown, with the measured distance
        assert f"{gap:.1f} km" in town["accuracy"]
        assert "both sources kept" in town["accuracy"]


def test_lachin_district_label_was_corrected(feature):
    district = feature("district-lachin")
    assert district["name"] == "Lachin district"
    assert "AZE-1735" in district["source"]
    assert "AZE-1735 relabelled" in district["accuracy"]


def test_artsvashen_is_armenian_and_surrounded_by_azerbaijan(feature):
    exclave = feature("country-armenia-artsvashen").geometry
    village = feature("village-artsvashen").geometry
    azerbaijan = feature("country-azerbaijan").geometry
    mainland = max(getattr(azerbaijan, "geoms", [azerbaijan]), key=lambda p: p.area)
    assert exclave.contains(village)
    assert not feature("country-armenia").geometry.intersects(exclave)
    assert Polygon(mainland.exterior).contains(exclave)
    assert not mainland.intersects(exclave.buffer(-1e-4))


def test_nakhchivan_does_not_touch_mainland_azerbaijan(feature):
    nakhchivan = feature("nakhchivan-ar").geometry
    azerbaijan = feature("country-azerbaijan").geometry
    assert not nakhchivan.intersects(azerbaijan)
    assert distance_km(nakhchivan, azerbaijan) > 10
    for town in ("town-nakhchivan", "town-julfa", "town-ordubad", "town-sadarak", "town-sharur"):
        assert nakhchivan.buffer(0.01).contains(feature(town).geometry), town


def test_former_nkao_area_and_towns(feature):
    nkao = feature("nkao-1991")
    assert abs(nkao["area_km2"] - 4388) / 4388 < 0.05
    assert "approximate" in nkao["accuracy"]
    for town in ("town-khankendi", "town-shusha", "town-khojavend", "town-aghdara", "town-hadrut"):
        assert nkao.geometry.contains(feature(town).geometry), town
    assert not nkao.geometry.contains(feature("town-lachin").geometry)


def test_btc_shows_stated_and_computed_length(feature):
    btc = feature("pipeline-btc")
    assert btc["stated_length_km"] == 1768
    assert btc["stated_length_source"].startswith("http")
    computed = btc["length_km"]
    assert computed < btc["stated_length_km"]
    shortfall = (btc["stated_length_km"] - computed) / btc["stated_length_km"]
    assert f"schematic line {computed:,.1f} km" in btc["accuracy"]
    assert f"{shortfall:.0%} shorter than the stated 1,768 km" in btc["accuracy"]


@pytest.mark.parametrize("fid", ["pipeline-scp", "pipeline-tanap", "railway-btk"])
def test_other_routes_compare_their_lengths(feature, fid):
    row = feature(fid)
    assert row["stated_length_km"] > 0 and row["stated_length_source"]
    assert re.search(r"schematic line [\d,.]+ km, \d+% (shorter|longer) than", row["accuracy"])


def test_tanap_is_clipped_to_the_region(feature):
    tanap = feature("pipeline-tanap")
    assert tanap.geometry.bounds[0] == pytest.approx(REGION_BOX[0])
    assert "inside the map region are drawn" in tanap["accuracy"]


def test_zangezur_armenian_segment_length(feature):
    segment = feature("zangezur-syunik-segment")
    assert 30 <= segment["length_km"] <= 60
    assert segment["stated_length_km"] == 42
    assert segment.geometry.intersects(feature("country-armenia").geometry)
    route = feature("zangezur-route").geometry
    assert route.buffer(1e-9).contains(segment.geometry)
    assert segment.geometry.distance(feature("town-meghri").geometry) < 0.01


def test_aras_route_avoids_armenia(feature):
    aras = feature("aras-route-iran")
    assert not aras.geometry.intersects(feature("country-armenia").geometry)
    assert aras.geometry.intersects(feature("country-iran").geometry)
    assert aras["valid_from"] == "2023-10-06"


def test_lachin_corridor_is_five_km_wide(feature):
    for road_id, corridor_id in (
        ("lachin-road", "lachin-corridor-2020"),
        ("lachin-bypass-2022", "lachin-corridor-2022"),
    ):
        road = feature(road_id).geometry
        corridor = feature(corridor_id)
        inside = road.intersection(corridor.geometry)
        width = corridor["area_km2"] / geodesic_length_km(inside)
        assert 4.6 <= width <= 5.4, (corridor_id, width)
        # No part of the polygon is farther than half the width from the road.
        road_m, poly_m = to_crs(road, METRIC_CRS), to_crs(corridor.geometry, METRIC_CRS)
        farthest = max(road_m.distance(Point(c)) for c in poly_m.exterior.coords)
        assert farthest < CORRIDOR_HALF_WIDTH_M + 10, (corridor_id, farthest)
        assert not corridor.geometry.intersects(feature("country-armenia").geometry.buffer(-1e-4))


def test_lachin_dates(feature):
    assert feature("lachin-road")["valid_from"] == "2020-11-10"
    assert feature("lachin-corridor-2020")["valid_to"] == "2022-08-26"
    assert feature("lachin-bypass-2022")["valid_from"] == "2022-08-26"
    assert feature("hakari-checkpoint")["valid_from"] == "2023-04-23"


def test_hakari_checkpoint_sits_on_the_bypass_at_the_border(feature):
    point = feature("hakari-checkpoint").geometry
    bypass = feature("lachin-bypass-2022").geometry
    armenia = feature("country-armenia").geometry
    assert bypass.distance(point) < 1e-7
    assert distance_km(point, armenia.boundary) < 0.01
    assert "no sourced coordinate" in feature("hakari-checkpoint")["accuracy"]


def test_clash_areas_lie_in_armenia_near_their_towns(feature):
    armenia = feature("country-armenia").geometry
    for name in ("jermuk", "sotk", "vardenis", "goris", "kapan"):
        area = feature(f"clash-2022-{name}")
        assert area.geometry.difference(armenia).area < 1e-9, name
        assert area.geometry.distance(feature(f"town-{name}").geometry) < 1e-6, name
        assert (area["valid_from"], area["valid_to"]) == ("2022-09-12", "2022-09-14")


def test_delimitation_section_follows_the_border(feature):
    section = feature("delimitation-2024-tavush-gazakh")
    armenia = feature("country-armenia").geometry
    assert section.geometry.geom_type == "LineString"
    assert to_crs(section.geometry, METRIC_CRS).hausdorff_distance(
        to_crs(section.geometry.intersection(armenia.boundary.buffer(1e-6)), METRIC_CRS)
    ) < 1
    assert section["stated_length_km"] == 12.7
    assert section["length_km"] < section["stated_length_km"]


def test_villages_without_coordinate_say_how_they_were_placed(atlas):
    villages = atlas["villages"].set_index("id")
    placed = {fid for fid, acc in villages["accuracy"].items() if "no sourced coordinate" in acc}
    assert placed == {"village-kirants", "village-kheyrimli", "village-gizilhajili"}
    for fid in placed:
        assert "placed" in villages.loc[fid, "accuracy"]


def test_sourced_villages_keep_their_cited_coordinates(feature):
    # data/places.csv values, never moved to agree with the 1:10m outlines.
    assert feature("village-yukhari-askipara").geometry.equals(Point(45.02333, 41.06611))
    assert feature("village-barkhudarly").geometry.equals(Point(45.22528, 40.99333))
    assert "both sources kept" in feature("village-barkhudarly")["accuracy"]


def test_countries_are_clipped_to_the_region(feature):
    russia = feature("country-russia")
    assert russia.geometry.bounds[3] <= REGION_BOX[3]
    assert "clipped" in russia["accuracy"]


def test_geonames_is_attributed(atlas):
    towns = atlas["towns"]
    from_geonames = towns[towns["source"].str.contains("GeoNames")]
    assert len(from_geonames) >= 30
    assert from_geonames["source"].str.contains("CC-BY").all()
