"""Villages and exclaves along the Armenia–Azerbaijan border, and Aghali and Khojaly."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from geo import sources
from geo.measure import distance_km, offset_point
from geo.schema import make_layer
from layers.contested_areas import delimitation_section

# Villages with no sourced coordinate: (fraction along the 2024 section as drawn, side).
PLACED = {
    "village-gizilhajili": (1 / 3, "azerbaijan"),
    "village-kheyrimli": (2 / 3, "azerbaijan"),
    "village-kirants": (2 / 3, "armenia"),
}
PLACED_OFFSET_M = 1000
# Exclave villages and the outline part (sources.country_parts) they belong to.
EXCLAVE_PART = {
    "village-artsvashen": "armenia-artsvashen",
    "village-yukhari-askipara": "azerbaijan-yukhari-askipara",
    "village-barkhudarly": "azerbaijan-barkhudarly",
    "village-sofulu": "azerbaijan-barkhudarly",
}


def _outline_note(point: Point, part_key: str, parts: dict) -> str:
    part = parts[part_key]
    if part.contains(point):
        return f"; inside its Natural Earth outline ({part_key})"
    owner = next((k for k, g in parts.items() if g.contains(point)), "no outline")
    return (
        f"; the 1:10m Natural Earth outline {part_key} misses this point by "
        f"{distance_km(point, part):.1f} km (it falls in {owner}); both sources kept as they are"
    )


def build() -> gpd.GeoDataFrame:
    """The villages of the contracts' list, placed from GeoNames, cited places or a rule."""
    records = sources.point_records("villages")
    points = {r["id"]: r["geometry"] for r in records if "geometry" in r}
    section = delimitation_section(points)
    parts = sources.country_parts()
    for rec in records:
        fid = rec["id"]
        if fid in PLACED:
            fraction, side = PLACED[fid]
            inside = sources.mainland(parts[side])
            rec["geometry"] = offset_point(section, fraction, PLACED_OFFSET_M, inside)
            rec["accuracy"] = (
                f"no sourced coordinate: placed {PLACED_OFFSET_M / 1000:g} km inside "
                f"{side.capitalize()} from the point at {fraction:.0%} of the 2024 Tavush–Gazakh "
                "section as drawn (computed); not the village's real location"
            )
        elif fid in EXCLAVE_PART:
            rec["accuracy"] += _outline_note(rec["geometry"], EXCLAVE_PART[fid], parts)
        elif fid == "village-karki":
            owner = next((k for k, g in parts.items() if g.contains(rec["geometry"])), "none")
            rec["accuracy"] += (
                f"; no source draws the exclave's outline; the point lies in the {owner} outline"
            )
    return make_layer("villages", records)
