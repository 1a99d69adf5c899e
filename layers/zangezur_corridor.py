"""Zangezur corridor (proposed): the route, its Armenian segment, and the Aras road via Iran."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString, Point
from shapely.ops import substring

from geo import sources
from geo.measure import geodesic_length_km
from geo.schema import make_layer
from geo.waypoints import load_routes, route_line, route_record


def syunik_segment(route_geom: LineString, armenia) -> LineString:
    """The stretch of the route from where it enters Armenia to where it last leaves it.

    Straight segments between the cited towns cut across bends of the Aras, so parts of the
    stretch fall outside Armenia's 1:10m outline; they are kept, and measured apart.
    """
    inside = route_geom.intersection(armenia)
    ends = [
        route_geom.project(Point(c))
        for part in getattr(inside, "geoms", [inside])
        for c in (part.coords[0], part.coords[-1])
    ]
    return substring(route_geom, min(ends), max(ends))


def build() -> gpd.GeoDataFrame:
    """``zangezur-route``, ``zangezur-syunik-segment`` and ``aras-route-iran``."""
    routes = load_routes()
    parts = sources.country_parts()
    zangezur, aras = routes["zangezur-route"], routes["aras-route-iran"]
    line = route_line(zangezur)
    segment = syunik_segment(line, parts["armenia"])
    seg_len = geodesic_length_km(segment)
    in_armenia = geodesic_length_km(segment.intersection(parts["armenia"]))
    outside = [
        w.name for w in zangezur.located
        if segment.distance(w.point) < 1e-9 and not parts["armenia"].contains(w.point)
    ]  # fmt: skip
    outside_note = (
        f" (the cited points of {', '.join(outside)} fall outside Armenia's 1:10m outline)"
        if outside else ""
    )
    stated = [s for s in zangezur.stated_segments if s["name"].startswith("Armenian section")]
    main, *others = stated
    alt = "; ".join(f"{s['km']:g} km ({s['source']})" for s in others)
    diff = (seg_len - main["km"]) / main["km"]
    segment_rec = {
        "id": "zangezur-syunik-segment",
        "name": "Zangezur route: section through Armenia (Syunik)",
        "label": "Zangezur / TRIPP route through Syunik (proposed)",
        "names": "TRIPP; Trump Route for International Peace and Prosperity; Meghri section",
        "kind": "proposed railway section",
        "description": (
            "Section of the proposed route that crosses Armenia's Syunik province along the "
            "Aras, past Meghri and Agarak, between mainland Azerbaijan and Nakhchivan. "
            f"Sources give {main['km']:g} km; another figure is {alt}."
        ),
        "source": f"line: zangezur-route (data/waypoints.yaml) between its first entry into and "
                  f"last exit from Armenia's Natural Earth admin-0 v5.1.1 outline; stated "
                  f"length: {main['source']}",
        "accuracy": (
            f"schematic: computed {seg_len:.1f} km from entering to leaving Armenia, "
            f"{abs(diff):.0%} {'shorter' if diff < 0 else 'longer'} than the stated "
            f"{main['km']:g} km; {in_armenia:.1f} km of it lie inside Armenia's 1:10m outline, "
            "the rest cuts across bends of the Aras that the outline gives to Iran"
            + outside_note
        ),
        "stated_length_km": float(main["km"]), "stated_length_source": main["source"],
        "geometry": segment, "length_km": seg_len,
    }  # fmt: skip
    aras_line = route_line(aras, {"IRN": parts["iran"]})
    records = [route_record(zangezur, line), segment_rec, route_record(aras, aras_line)]
    return make_layer("zangezur_corridor", records)
