"""Towns shown on the map (other than Nakhchivan's), from GeoNames or cited places."""

from __future__ import annotations

import geopandas as gpd

from geo import sources
from geo.measure import distance_km
from geo.schema import make_layer

# District centres -> (their district, its Natural Earth admin-1 unit codes).
TOWN_DISTRICT = {
    "town-lachin": ("Lachin district", ("AZE-1735",)),
    "town-kalbajar": ("Kalbajar district", ("AZE-1682",)),
    "town-zangilan": ("Zangilan district", ("AZE-1740",)),
    "town-gubadli": ("Gubadli district", ("AZE-1736",)),
    "town-jabrayil": ("Jabrayil district", ("AZE-1699",)),
    "town-fuzuli": ("Fuzuli district", ("AZE-1702",)),
    "town-aghdam": ("Aghdam district", ("AZE-1691",)),
    "town-khojavend": ("Khojavend district", ("AZE-1734",)),
    "town-shusha": ("Shusha district", ("AZE-1737", "AZE-5565")),
    "town-khankendi": ("Khankendi city unit", ("AZE-4838",)),
    "town-gazakh": ("Gazakh district", ("AZE-1684",)),
    "town-tovuz": ("Tovuz district", ("AZE-1687",)),
    "town-dashkasan": ("Dashkasan district", ("AZE-1677",)),
}


def district_note(point, name: str, codes: tuple[str, ...], admin1) -> str:
    """Where the town point lies relative to its district polygon (1:10m lines are coarse)."""
    district = admin1.loc[list(codes), "geometry"].union_all()
    if district.contains(point):
        return f"; inside the Natural Earth {name} polygon"
    holder = admin1[admin1.contains(point)]
    inside = f"{holder.iloc[0]['name']} ({holder.iloc[0]['adm1_code']})" if len(holder) else "none"
    return (
        f"; the 1:10m Natural Earth {name} polygon ({', '.join(codes)}) lies "
        f"{distance_km(point, district):.1f} km from this point, which falls in the unit "
        f"{inside}; both sources kept as they are"
    )


def build() -> gpd.GeoDataFrame:
    """Every ``points.csv`` feature of the towns layer, with district agreement noted."""
    admin1 = sources.load_admin1().set_index("adm1_code", drop=False)
    records = sources.point_records("towns")
    for rec in records:
        if "geometry" not in rec:
            raise sources.SourceError(f"{sources.POINTS}: town {rec['id']!r} has no coordinate")
        if rec["id"] in TOWN_DISTRICT:
            name, codes = TOWN_DISTRICT[rec["id"]]
            rec["accuracy"] += district_note(rec["geometry"], name, codes, admin1)
    return make_layer("towns", records)
