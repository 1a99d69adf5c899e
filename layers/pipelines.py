"""Pipelines and railways: BTC, SCP, TANAP (its regional part), Baku–Supsa, BTK, Kars–Nakhchivan."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geo.measure import geodesic_length_km
from geo.schema import REGION_BOX, make_layer
from geo.waypoints import load_routes, route_record

ROUTES = (
    "pipeline-btc", "pipeline-scp", "pipeline-tanap", "pipeline-wrep",
    "railway-btk", "railway-kars-nakhchivan",
)  # fmt: skip


def build() -> gpd.GeoDataFrame:
    """One schematic line per route; lines leaving the map region are clipped to it."""
    routes = load_routes()
    records = []
    for rid in ROUTES:
        route = routes[rid]
        full = route.line()
        rec = route_record(route, full)
        clipped = shapely.clip_by_rect(full, *REGION_BOX)
        if not clipped.equals(full):
            rec["geometry"] = clipped
            rec["length_km"] = geodesic_length_km(clipped)
            rec["accuracy"] += (
                f"; the whole schematic line is {geodesic_length_km(full):,.0f} km, of which "
                f"the {rec['length_km']:,.0f} km inside the map region are drawn"
            )
        records.append(rec)
    return make_layer("pipelines", records)
