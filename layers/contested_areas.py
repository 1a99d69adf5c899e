"""Contested areas: districts around Karabakh and on the northern border, the former NKAO,
the 1994 ceasefire line, the September 2022 clash areas and the 2024 delimited section."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import linemerge, polygonize, substring, unary_union

from geo import sources
from geo.measure import area_km2, buffer_m, geodesic_length_km
from geo.schema import make_layer
from layers.context import NE1

NE_DISPUTED = (
    "Natural Earth 10m admin-0 breakaway/disputed boundary lines v4.1.0, layer disputed_borders "
    "of world_map.gpkg (Debian qgis-common 3.22.16)"
)
NKAO_SNAP_DEG = 0.003
CLASH_HALF_WIDTH_M = 6000
CLASH_SOURCES = "; ".join((
    "https://www.eurasiareview.com/14092022-azerbaijan-launches-wide-ranging-attacks-against-"
    "armenia/",
    "https://novayagazeta.eu/articles/2022/09/12/armenian-mod-reports-azerbaijani-shelling-of-"
    "goris-and-jermuk-baku-claims-responding-to-sabotage-news",
    "https://mirrorspectator.com/2022/09/13/azerbaijan-launches-assaults-across-armenian-border-"
    "in-most-flagrant-ceasefire-violation-since-44-day-war/",
))
DELIMITATION_SOURCES = "; ".join((
    "https://news.az/news/-azerbaijani-border-guards-take-control-of-4-liberated-villages-in-"
    "gazakh-",
    "https://turan.az/en/politics/4-villages-of-gazakh-region-returned-to-azerbaijan",
))

# adm1 codes -> (id, English name, label, other names, description)
DISTRICTS = {
    ("AZE-1735",): ("district-lachin", "Lachin district", "Lachin / Berdzor district",
                    "Laçın rayonu; Kashatagh; Քաշաթաղ",
                    "District between Armenia's Syunik and Karabakh, crossed by the Lachin "
                    "corridor; to be returned to Azerbaijan by 1 December 2020 under the "
                    "10 November 2020 statement, except the corridor."),
    ("AZE-1682",): ("district-kalbajar", "Kalbajar district", "Kalbajar / Karvachar district",
                    "Kəlbəcər rayonu; Karvachar; Քարվաճառ",
                    "Mountain district between Armenia's Gegharkunik and Vayots Dzor provinces "
                    "and Karabakh; returned to Azerbaijan under the 10 November 2020 statement."),
    ("AZE-1740",): ("district-zangilan", "Zangilan district", "", "Zəngilan rayonu",
                    "District on the Aras east of Armenia's Meghri section; the start of the "
                    "proposed Zangezur route (Aghband) and of the Aras road through Iran."),
    ("AZE-1736",): ("district-gubadli", "Gubadli district", "", "Qubadlı rayonu",
                    "District along the Hakari river east of Armenia's Syunik province."),
    ("AZE-1699",): ("district-jabrayil", "Jabrayil district", "", "Cəbrayıl rayonu",
                    "District north of the Aras, south of the former autonomous oblast."),
    ("AZE-1702",): ("district-fuzuli", "Fuzuli district", "", "Füzuli rayonu",
                    "District south-east of Karabakh; Horadiz, start of the Horadiz–Aghband "
                    "railway, lies in it."),
    ("AZE-1691",): ("district-aghdam", "Aghdam district", "", "Ağdam rayonu",
                    "District east of Karabakh, largely held by Armenian forces until it was "
                    "returned to Azerbaijan under the 10 November 2020 statement."),
    ("AZE-1734",): ("district-khojavend", "Khojavend district", "Khojavend / Martuni district",
                    "Xocavənd rayonu; Martuni; Hadrut; Մարտունի",
                    "District in the south-east of the former autonomous oblast, with Martuni / "
                    "Khojavend and Hadrut."),
    ("AZE-1739",): ("district-khojaly", "Khojaly district", "Khojaly / Askeran district",
                    "Xocalı rayonu; Askeran; Ասկերան",
                    "District around Khankendi / Stepanakert, with Khojaly and its airport."),
    ("AZE-1737", "AZE-5565"): ("district-shusha", "Shusha district", "Shusha / Shushi district",
                               "Şuşa rayonu; Shushi; Շուշի",
                               "District of Shusha / Shushi south of Khankendi / Stepanakert, "
                               "with the town unit of Shusha merged in."),
    ("AZE-4838",): ("district-khankendi", "Khankendi city", "Khankendi / Stepanakert (city)",
                    "Xankəndi; Stepanakert; Ստեփանակերտ; Степанакерт",
                    "City unit of Khankendi / Stepanakert, surrounded by Khojaly district."),
    ("AZE-1677",): ("district-dashkasan", "Dashkasan district", "", "Daşkəsən rayonu",
                    "District on the northern border with Armenia, named by Azerbaijan's "
                    "defence ministry as a direction of the September 2022 fighting "
                    "(novayagazeta.eu, 12 Sep 2022)."),
    ("AZE-1684",): ("district-gazakh", "Gazakh district", "", "Qazax rayonu; Kazakh",
                    "District in the north-west on the border with Armenia's Tavush province; "
                    "its exclaves Yukhari Askipara and Barkhudarly lie inside Armenia, and "
                    "four of its villages were returned in the 2024 delimitation."),
    ("AZE-1687",): ("district-tovuz", "Tovuz district", "", "Tovuz rayonu",
                    "District on the northern border with Armenia's Tavush province."),
}
CLASH_TOWNS = {  # clash id -> town feature whose GeoNames point starts the direction
    "clash-2022-jermuk": "town-jermuk",
    "clash-2022-sotk": "town-sotk",
    "clash-2022-vardenis": "town-vardenis",
    "clash-2022-goris": "town-goris",
    "clash-2022-kapan": "town-kapan",
}
STATEMENT_2020 = (
    "https://www.primeminister.am/en/press-release/item/2020/11/10/Announcement/"
    "%20%20%20%20%20%20%20%20%20statement"
)
RETURNED_2020 = {"district-lachin", "district-kalbajar", "district-aghdam"}
DELIMITATION_ENDS = ("village-baghanis-ayrum", "village-ashaghi-askipara")


def armenia_azerbaijan_border() -> LineString:
    """The land border of Armenia and mainland Azerbaijan (Natural Earth admin-0)."""
    parts = sources.country_parts()
    azerbaijan = sources.mainland(parts["azerbaijan"])
    line = linemerge(parts["armenia"].boundary.intersection(azerbaijan.boundary))
    if line.geom_type != "LineString":
        raise sources.SourceError(f"{sources.ADMIN0}: Armenia–Azerbaijan border is not one line")
    return line


def _districts() -> list[dict]:
    admin1 = sources.load_admin1().set_index("adm1_code")
    records = []
    for codes, (fid, name, label, names, description) in DISTRICTS.items():
        geom = unary_union([admin1.loc[c, "geometry"] for c in codes])
        fixes = [admin1.loc[c, "corrected"] for c in codes if admin1.loc[c, "corrected"]]
        accuracy = "Natural Earth 1:10m district lines"
        if len(codes) > 1:
            accuracy += f"; {codes[1]} (the town unit) merged into {codes[0]}"
        if fixes:
            accuracy += "; label corrected: " + "; ".join(fixes)
        records.append({
            "id": fid, "name": name, "label": label, "names": names, "kind": "district",
            "description": description, "geometry": geom, "area_km2": area_km2(geom),
            "source": NE1.format(code=", ".join(codes))
            + (f"; return: {STATEMENT_2020}" if fid in RETURNED_2020 else ""),
            "accuracy": accuracy,
        })  # fmt: skip
    return records


def nkao_polygon() -> shapely.Geometry:
    """The former NKAO: its 1991 boundary lines snapped at 0.003° and polygonized."""
    lines = sources.load_disputed()
    pieces = lines[lines["name"] == "Former USSR oblast in 1991"].geometry
    merged = unary_union(list(pieces))
    faces = list(polygonize(unary_union(shapely.snap(merged, merged, NKAO_SNAP_DEG))))
    capital = Point(46.75194, 39.81528)  # Khankendi / Stepanakert, data/places.csv
    inside = [f for f in faces if f.contains(capital)]
    if len(inside) != 1:
        raise sources.SourceError(f"{sources.DISPUTED}: no oblast face around Stepanakert")
    return inside[0]


def _nkao_and_line() -> list[dict]:
    nkao = nkao_polygon()
    lines = sources.load_disputed()
    ceasefire = linemerge(unary_union(list(lines[lines["name"] == "Ceasefire Line 1994"].geometry)))
    area = area_km2(nkao)
    return [
        {
            "id": "nkao-1991", "name": "Former Nagorno-Karabakh Autonomous Oblast",
            "label": "Former Nagorno-Karabakh Autonomous Oblast (NKAO, 1923–1991)",
            "names": "NKAO; Nagorno-Karabakh; Artsakh; Dağlıq Qarabağ Muxtar Vilayəti; "
                     "Нагорно-Карабахская автономная область; Լեռնային Ղարաբաղի Ինքնավար Մարզ",
            "kind": "former autonomous oblast",
            "description": (
                "Autonomous oblast of the Azerbaijan SSR with an Armenian majority, capital "
                "Stepanakert; its borders of 1991 are the core of the Karabakh conflict. "
                f"Computed area {area:,.0f} km²; Britannica gives about 4,400 km² "
                "(http://britannica.com/EBchecked/topic/401669/Nagorno-Karabakh)."
            ),
            "source": NE_DISPUTED + ", lines 'Former USSR oblast in 1991'",
            "accuracy": (
                "approximate: the 7 Natural Earth boundary pieces do not close, so they were "
                f"snapped at {NKAO_SNAP_DEG}° and polygonized; area computed in EPSG:6933"
            ),
            "geometry": nkao, "area_km2": area,
        },
        {
            "id": "ceasefire-line-1994", "name": "1994 ceasefire line",
            "label": "Line of contact (1994 ceasefire)",
            "names": "Line of contact; Təmas xətti; Շփման գիծ; Линия соприкосновения",
            "kind": "ceasefire line",
            "description": (
                "Front line frozen by the May 1994 ceasefire, which separated the forces until "
                "the 2020 war."
            ),
            "source": NE_DISPUTED + ", lines 'Ceasefire Line 1994'",
            "accuracy": "approximate: Natural Earth 1:10m line, 3 pieces merged",
            "geometry": ceasefire, "length_km": geodesic_length_km(ceasefire),
        },
    ]  # fmt: skip


def _clash_areas(towns: dict[str, Point]) -> list[dict]:
    parts = sources.country_parts()
    border = armenia_azerbaijan_border()
    records = []
    for fid, town_id in CLASH_TOWNS.items():
        town = towns[town_id]
        name = town_id.removeprefix("town-").capitalize()
        toward = border.interpolate(border.project(town))
        area = buffer_m(LineString([town, toward]), CLASH_HALF_WIDTH_M).intersection(
            parts["armenia"]
        )
        records.append({
            "id": fid, "name": f"{name} direction (September 2022 clashes)",
            "label": f"{name} direction, 12–14 Sep 2022",
            "kind": "clash area", "valid_from": "2022-09-12", "valid_to": "2022-09-14",
            "description": (
                f"Area of Armenia towards which fighting and shelling were reported around "
                f"{name} on 12–14 September 2022, when Azerbaijani forces struck positions and "
                f"localities along Armenia's eastern border; Armenia reported Azerbaijani "
                f"advances, Azerbaijan called its actions a response to Armenian sabotage."
            ),
            "source": f"direction named in: {CLASH_SOURCES}; town point GeoNames cities500; "
                      "border Natural Earth 10m admin-0 v5.1.1",
            "accuracy": (
                "schematic, no source maps the area: the part of Armenia within "
                f"{CLASH_HALF_WIDTH_M / 1000:g} km (UTM 38N) of the straight line from {name} "
                "to the nearest point of the border with mainland Azerbaijan"
            ),
            "geometry": area, "area_km2": area_km2(area),
        })  # fmt: skip
    return records


def delimitation_section(villages: dict[str, Point]) -> LineString:
    """The border between the points nearest the two cited villages of the 2024 section."""
    border = armenia_azerbaijan_border()
    ends = sorted(border.project(villages[v]) for v in DELIMITATION_ENDS)
    return substring(border, *ends)


def _delimitation(villages: dict[str, Point]) -> dict:
    line = delimitation_section(villages)
    return {
        "id": "delimitation-2024-tavush-gazakh",
        "name": "Tavush–Gazakh border section delimited in 2024",
        "label": "Tavush–Gazakh section delimited in 2024",
        "kind": "border section", "valid_from": "2024-05-24",
        "description": (
            "Section of the Armenia–Azerbaijan border fixed by the two delimitation commissions "
            "(protocol of 19 April, technical protocol of 15 May 2024): 12.7 km of border, and "
            "6.5 km² of land of the Gazakh villages Baghanis Ayrum, Ashaghi Askipara, Kheyrimli "
            "and Gizilhajili, which Azerbaijan's border service took over on 24 May 2024."
        ),
        "source": f"{DELIMITATION_SOURCES}; line: Natural Earth 10m admin-0 v5.1.1 border",
        "accuracy": (
            "schematic: the 1:10m Natural Earth border between the points nearest Baghanis "
            "Ayrum and Ashaghi Askipara (the two villages with a sourced coordinate); the "
            "delimited line itself is not published, and Kheyrimli and Gizilhajili have no "
            "sourced coordinate, so the section drawn is shorter than the stated 12.7 km"
        ),
        "stated_length_km": 12.7, "stated_length_source": DELIMITATION_SOURCES,
        "geometry": line, "length_km": geodesic_length_km(line),
    }  # fmt: skip


def build(points: dict[str, Point] | None = None) -> gpd.GeoDataFrame:
    """All contested areas; ``points`` maps point feature ids (towns, villages) to geometry."""
    if points is None:
        points = {r["id"]: r["geometry"] for r in sources.point_records("towns")}
        points |= {
            r["id"]: r["geometry"] for r in sources.point_records("villages") if "geometry" in r
        }
    records = _districts() + _nkao_and_line() + _clash_areas(points)
    records.append(_delimitation(points))
    return make_layer("contested_areas", records)
