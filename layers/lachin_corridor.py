"""Lachin corridor: the 2020 road and 5 km corridor, the 2022 bypass, the Hakari checkpoint."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from geo import sources
from geo.measure import area_km2, buffer_m, distance_km
from geo.schema import make_layer
from geo.waypoints import Route, load_routes, route_record
from layers.contested_areas import STATEMENT_2020, armenia_azerbaijan_border

CORRIDOR_WIDTH_M = 5000  # point 6 of the 10 November 2020 statement: "(5 km wide)"


def corridor(line, armenia) -> object:
    """5 km wide strip around ``line`` (buffered in UTM 38N), outside Armenia."""
    strip = buffer_m(line, CORRIDOR_WIDTH_M / 2, cap_style="flat", join_style="round")
    return strip.difference(armenia)


def _corridor_record(fid: str, route: Route, line, armenia, name: str) -> dict:
    geom = corridor(line, armenia)
    return {
        "id": fid, "name": name, "label": name, "kind": "corridor",
        "valid_from": route.valid_from, "valid_to": route.valid_to,
        "description": (
            "Strip 5 km wide that the 10 November 2020 statement placed under Russian "
            "peacekeepers to link Armenia with Karabakh, drawn around the "
            f"{route.label.lower()} from the Armenian border."
        ),
        "source": f"width: {STATEMENT_2020} (point 6, 'The Lachin corridor (5 km wide)'); "
                  f"line: {route.id} (data/waypoints.yaml)",
        "accuracy": (
            f"schematic: a {CORRIDOR_WIDTH_M / 1000:g} km wide buffer of the schematic line, "
            "computed in UTM zone 38N (EPSG:32638) with flat ends, minus Armenia's Natural "
            "Earth outline; the statement has the corridor skirt Shusha / Shushi, which the "
            "schematic line does not"
        ),
        "geometry": geom, "area_km2": area_km2(geom),
    }  # fmt: skip


def checkpoint_point(bypass_line) -> Point:
    """Where the bypass line first crosses the Armenia–Azerbaijan border, going east."""
    crossing = bypass_line.intersection(armenia_azerbaijan_border())
    points = list(getattr(crossing, "geoms", [crossing]))
    if not points or crossing.is_empty:
        raise sources.SourceError("the bypass line does not cross the Armenia–Azerbaijan border")
    return min(points, key=bypass_line.project)


def _kornidzor_note(bypass: Route, armenia) -> str:
    """Say so when the 1:10m border leaves the cited Kornidzor point outside Armenia."""
    kornidzor = bypass.waypoint("Kornidzor").point
    if armenia.contains(kornidzor):
        return ""
    return (
        f"; that border passes {distance_km(kornidzor, armenia):.1f} km west of the cited "
        "Kornidzor point, so the crossing is drawn west of the village, while the bridge is "
        "beyond it on the Azerbaijani side"
    )


def build() -> gpd.GeoDataFrame:
    """Road, corridors (2020, 2022), bypass and the Hakari bridge checkpoint."""
    routes = load_routes()
    armenia = sources.country_parts()["armenia"]
    road, bypass = routes["lachin-road"], routes["lachin-bypass-2022"]
    road_line, bypass_line = road.line(), bypass.line()
    hakari = sources.load_places().loc["hakari-checkpoint"]
    checkpoint = {
        "id": "hakari-checkpoint", "name": "Hakari bridge checkpoint",
        "label": "Hakari bridge checkpoint (Azerbaijani, 2023)",
        "names": sources.other_names(hakari["alt_names"]), "kind": "checkpoint",
        "valid_from": "2023-04-23",
        "description": (
            "Checkpoint Azerbaijan set up on 23 April 2023 at the bridge over the Hakari river "
            "where the bypass road enters Azerbaijan from Armenia, near Kornidzor."
        ),
        "source": f"{hakari['source_url']}; position computed from {bypass.id}",
        "accuracy": (
            "no sourced coordinate: placed where the schematic bypass line crosses the "
            "Armenia–Azerbaijan border of Natural Earth admin-0 (computed)"
            + _kornidzor_note(bypass, armenia)
        ),
        "geometry": checkpoint_point(bypass_line),
    }  # fmt: skip
    records = [
        route_record(road, road_line),
        _corridor_record("lachin-corridor-2020", road, road_line, armenia,
                         "Lachin corridor (2020–2022)"),
        route_record(bypass, bypass_line),
        _corridor_record("lachin-corridor-2022", bypass, bypass_line, armenia,
                         "Lachin corridor along the 2022 bypass"),
        checkpoint,
    ]  # fmt: skip
    return make_layer("lachin_corridor", records)
