"""The shipped gazetteer: coverage of the map and of the spellings, and validation errors."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from geo.gazetteer import (
    GazetteerError,
    _fold_with_map_slow,
    fold,
    fold_with_map,
    load_gazetteer,
    read_gazetteer,
)
from geo.linker import Linker
from geo.paths import ATLAS_GPKG, EVENTS, GAZETTEER
from geo.schema import REGION_BOX

# Ids the shared contracts name explicitly (map features and ids the event timeline uses).
CONTRACT_IDS_TEXT = """
country-armenia country-armenia-artsvashen country-azerbaijan country-azerbaijan-yukhari-askipara
country-azerbaijan-barkhudarly country-georgia country-iran country-turkey country-russia
province-syunik province-tavush province-vayots-dzor province-gegharkunik province-ararat
district-gadabay district-goranboy
nakhchivan-ar town-nakhchivan town-julfa town-ordubad town-sadarak town-sharur
district-lachin district-kalbajar district-zangilan district-gubadli district-jabrayil
district-fuzuli district-aghdam district-khojavend district-khojaly district-shusha
district-dashkasan district-gazakh district-tovuz nkao-1991 ceasefire-line-1994
clash-2022-jermuk clash-2022-sotk clash-2022-vardenis clash-2022-goris clash-2022-kapan
delimitation-2024-tavush-gazakh
lachin-road lachin-corridor-2020 lachin-bypass-2022 lachin-corridor-2022 hakari-checkpoint
zangezur-route zangezur-syunik-segment aras-route-iran
village-artsvashen village-yukhari-askipara village-barkhudarly village-sofulu village-karki
village-baghanis-ayrum village-ashaghi-askipara village-kheyrimli village-gizilhajili
village-baghanis village-voskepar village-kirants village-aghali village-khojaly
pipeline-btc pipeline-scp pipeline-tanap railway-btk
town-khankendi town-shusha town-lachin town-kalbajar town-zangilan town-gubadli town-jabrayil
town-fuzuli town-aghdam town-hadrut town-khojavend town-aghdara town-goris town-kapan
town-meghri town-agarak town-kornidzor town-jermuk town-sotk town-vardenis town-ijevan
town-noyemberyan town-gazakh town-tovuz town-dashkasan town-horadiz town-aghband town-yerevan
town-baku town-tbilisi town-ganja town-gyumri town-ceyhan town-erzurum town-kars
town-akhalkalaki town-sangachal town-yevlakh
region-karabakh region-zangezur region-east-zangezur region-south-caucasus river-aras
river-hakari crossing-agarak-norduz crossing-lachin-border monitoring-centre-aghdam
"""
CONTRACT_IDS = CONTRACT_IDS_TEXT.split()

# Spellings that must all name the same place (from the specification).
SAME_PLACE = {
    "town-kalbajar": ["Kelbecer", "Kalbajar", "Kelbajar", "Karvachar", "Kəlbəcər"],
    "town-zangilan": ["Zengilan", "Zangilan", "Kovsakan", "Zəngilan"],
    "nakhchivan-ar": ["Nakhchivan", "Nakhichevan", "Naxçıvan"],
    "town-khankendi": ["Khankendi", "Stepanakert", "Xankəndi", "Ստեփանակերտ"],
    "town-shusha": ["Shusha", "Shushi", "Şuşa"],
    "region-zangezur": ["Zangezur", "Zangazur"],
    "town-lachin": ["Lachin", "Berdzor", "Laçın"],
    "province-syunik": ["Syunik", "Siunik", "Սյունիք"],
    "town-fuzuli": ["Fuzuli", "Fizuli", "Füzuli"],
    "town-jabrayil": ["Jabrayil", "Jebrail", "Jabrail", "Cəbrayıl"],
    "town-gazakh": ["Gazakh", "Qazakh", "Qazax"],
    "town-aghdam": ["Aghdam", "Agdam", "Ağdam"],
    "town-hadrut": ["Hadrut", "Gadrut"],
    "village-yukhari-askipara": ["Yukhari Askipara", "Verin Voskepar", "Yuxarı Əskipara"],
    "village-karki": ["Karki", "Kyarki", "Tigranashen", "Kərki"],
    "village-artsvashen": ["Artsvashen", "Bashkend", "Başkənd"],
    "region-karabakh": ["Karabakh", "Nagorno-Karabakh", "Artsakh", "Qarabağ"],
    "river-aras": ["Aras", "Araks", "Araz"],
    "river-hakari": ["Hakari", "Akera"],
    "pipeline-btc": ["Baku–Tbilisi–Ceyhan", "BTC pipeline", "BTC"],
    "railway-btk": ["Baku–Tbilisi–Kars", "BTK"],
    "pipeline-scp": ["South Caucasus Pipeline", "SCP"],
    "pipeline-tanap": ["TANAP"],
    "country-turkey": ["Turkey", "Türkiye"],
}

CONTESTED_LABELS = {
    "town-khankendi": ("Khankendi", "Stepanakert"),
    "town-shusha": ("Shusha", "Shushi"),
    "town-lachin": ("Lachin", "Berdzor"),
    "town-kalbajar": ("Kalbajar", "Karvachar"),
    "town-aghdara": ("Aghdara", "Martakert"),
    "town-khojavend": ("Khojavend", "Martuni"),
    "region-karabakh": ("Karabakh", "Artsakh"),
}


@pytest.fixture(scope="module")
def places():
    return load_gazetteer()


def test_shipped_gazetteer_has_every_contract_id(places):
    missing = [pid for pid in CONTRACT_IDS if pid not in places]
    assert not missing, missing
    print(f"\n{len(places)} places, {sum(len(p.spellings) for p in places.values())} spellings")


def test_every_event_place_id_is_in_the_gazetteer(places):
    data = yaml.safe_load(EVENTS.read_text(encoding="utf-8"))
    events = data["events"] if isinstance(data, dict) else data
    used = {pid for e in events for pid in e.get("place_ids", [])}
    assert used, "the event file names no places"
    assert sorted(used - set(places)) == []


def test_gazetteer_and_atlas_features_match(places):
    if not ATLAS_GPKG.exists():
        pytest.skip(f"{ATLAS_GPKG} not built")
    from geo.io import read_atlas

    atlas = {fid: layer for layer, gdf in read_atlas().items() for fid in gdf["id"]}
    assert sorted(set(atlas) - set(places)) == [], "map features missing from the gazetteer"
    claimed = {pid: p.layer for pid, p in places.items() if p.layer}
    assert sorted(set(claimed) - set(atlas)) == [], "gazetteer layers naming absent features"
    assert {pid: claimed[pid] for pid in atlas} == atlas


def test_points_agree_with_the_atlas_geometry(places):
    if not ATLAS_GPKG.exists():
        pytest.skip(f"{ATLAS_GPKG} not built")
    from pyproj import Geod

    from geo.io import read_atlas

    geod = Geod(ellps="WGS84")
    checked = 0
    for gdf in read_atlas().values():
        for fid, geom in zip(gdf["id"], gdf.geometry, strict=True):
            place = places[fid]
            if place.has_point and geom.geom_type == "Point":
                metres = geod.inv(place.lon, place.lat, geom.x, geom.y)[2]
                assert metres < 1000, (fid, round(metres))
                checked += 1
    assert checked >= 40


def test_ambiguity_entries_keep_their_defaults():
    gaz = read_gazetteer()
    by_alias = {fold(a): amb for amb in gaz.ambiguities for a in amb.aliases}
    assert by_alias["lachin"].default == "town-lachin"
    assert by_alias["nakhchivan"].default == "nakhchivan-ar"
    assert by_alias["kelbecer"].places == ("town-kalbajar", "district-kalbajar")
    rule = by_alias["lachin"].rules[0]
    assert (rule.place, rule.window_after) == ("lachin-corridor-2020", 3)


def test_spellings_from_the_specification_name_one_place():
    linker = Linker.default()
    for pid, spellings in SAME_PLACE.items():
        for s in spellings:
            found = linker.link(f"We went to {s} yesterday.")
            assert [(m.surface, m.place_id) for m in found] == [(s, pid)], (s, found)


def test_contested_places_carry_both_names(places):
    for pid, names in CONTESTED_LABELS.items():
        assert all(n in places[pid].label for n in names), places[pid].label


def test_points_lie_in_the_map_box_and_places_without_point_are_shown_somehow(places):
    min_lon, min_lat, max_lon, max_lat = REGION_BOX
    for p in places.values():
        if p.has_point:
            assert min_lat <= p.lat <= max_lat and min_lon <= p.lon <= max_lon, p.id
            assert p.source, p.id
        else:
            assert p.layer or p.features or p.note, p.id
        assert all(f in places for f in p.features), p.id


def test_fold_removes_case_diacritics_and_dash_variants():
    assert fold("Naxçıvan") == fold("NAXCIVAN") == "naxcivan"
    assert fold("Xankəndi") == "xankendi"
    assert fold("Baku–Tbilisi—Ceyhan") == fold("baku-tbilisi‑ceyhan")
    assert fold("Armenia’s") == fold("Armenia's")


def test_fold_with_map_fast_path_equals_the_character_loop():
    rng = random.Random(7)
    alphabet = list("ab C-–— \n\t\r'’İıəé🙂") + ["e\u0301", "\u00ad", "ß"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert fold_with_map(text) == _fold_with_map_slow(text), repr(text)
    folded, index = fold_with_map("Baku  –\r\n Tbilisi")
    assert folded == "baku-tbilisi"
    assert index == [0, 1, 2, 3, 6, 10, 11, 12, 13, 14, 15, 16]


# -- validation errors ------------------------------------------------------------------------

GOOD_PLACE = {
    "id": "town-test",
    "name": "Testville",
    "kind": "town",
    "lat": 40.0,
    "lon": 45.0,
    "aliases": ["Testburg"],
    "source": "made up for a test",
}


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "gaz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _error(tmp_path: Path, data) -> str:
    path = _write(tmp_path, data)
    with pytest.raises(GazetteerError) as err:
        read_gazetteer(path)
    msg = str(err.value)
    assert str(path) in msg
    return msg


def _with(**changes):
    rec = dict(GOOD_PLACE)
    rec.update(changes)
    return {k: v for k, v in rec.items() if v is not ...}


def test_a_minimal_file_loads(tmp_path):
    places = load_gazetteer(_write(tmp_path, {"places": [GOOD_PLACE]}))
    assert places["town-test"].spellings == ("Testville", "Testburg")
    assert places["town-test"].label == "Testville"


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (_with(id="Town Test"), "lowercase slug"),
        (_with(kind="metropolis"), "kind 'metropolis'"),
        (_with(lat=95.0), "'lat'=95.0 is out of range"),
        (_with(lon="east"), "'lon' must be a number"),
        (_with(lat=None), "both be set or both be null"),
        (_with(lat=None, lon=None), "no coordinates, no layer and no features"),
        (_with(source=...), "'source' is missing"),
        (_with(aliases="Testburg"), "'aliases' must be a list"),
        (_with(layer="roads"), "layer 'roads' is not one of"),
        (_with(colour="red"), "unknown fields ['colour']"),
        (_with(label="Testville / Prueba"), "label part 'Prueba'"),
        (_with(features=["town-nowhere"]), "features: unknown or own place id 'town-nowhere'"),
        (_with(see_also=["town-nowhere"]), "see_also: unknown or own place id 'town-nowhere'"),
        (_with(see_also=["town-test"]), "see_also: unknown or own place id 'town-test'"),
    ],
)
def test_broken_places_are_reported_with_place_and_field(tmp_path, place, expected):
    msg = _error(tmp_path, {"places": [place]})
    assert expected in msg
    assert "place" in msg


def test_duplicate_ids_are_reported(tmp_path):
    msg = _error(tmp_path, {"places": [GOOD_PLACE, GOOD_PLACE]})
    assert "town-test" in msg and "duplicate id" in msg


def test_shared_alias_needs_an_ambiguity_entry(tmp_path):
    other = _with(id="district-test", kind="district", aliases=["Testville"])
    msg = _error(tmp_path, {"places": [GOOD_PLACE, other]})
    assert "'testville'" in msg and "ambiguous" in msg and "district-test" in msg
    rule = {
        "aliases": ["Testville"],
        "places": ["town-test", "district-test"],
        "default": "town-test",
        "when": [{"place": "district-test", "words_after": ["district"]}],
    }
    gaz = read_gazetteer(_write(tmp_path, {"places": [GOOD_PLACE, other], "ambiguous": [rule]}))
    linker = Linker.from_gazetteer(gaz)
    assert [m.place_id for m in linker.link("Testville and the Testville district")] == [
        "town-test",
        "district-test",
    ]
    bad = dict(rule, default="town-elsewhere")
    msg = _error(tmp_path, {"places": [GOOD_PLACE, other], "ambiguous": [bad]})
    assert "ambiguous[0]" in msg and "default 'town-elsewhere'" in msg
    bad = dict(rule, when=[{"place": "district-test"}])
    msg = _error(tmp_path, {"places": [GOOD_PLACE, other], "ambiguous": [bad]})
    assert "ambiguous[0].when[0]" in msg


def test_not_places_may_not_be_place_spellings(tmp_path):
    msg = _error(tmp_path, {"places": [GOOD_PLACE], "not_places": ["Testburg"]})
    assert "not_places" in msg and "Testburg" in msg


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(GazetteerError, match="not found"):
        read_gazetteer(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("places: [unclosed\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="not valid YAML"):
        read_gazetteer(bad)
    assert "expected a mapping" in _error(tmp_path, ["just", "a", "list"])
    assert "each place must be a mapping" in _error(tmp_path, {"places": ["town-x"]})


def test_shipped_file_is_the_default_path():
    assert read_gazetteer().places == load_gazetteer(GAZETTEER)
