"""Measurements on WGS84 geometries: geodesic lengths, equal-area areas, metric buffers."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely import ops
from shapely.geometry.base import BaseGeometry

GEOD = Geod(ellps="WGS84")
EQUAL_AREA_CRS = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global (cylindrical equal-area)
METRIC_CRS = "EPSG:32638"  # WGS 84 / UTM zone 38N, covers the South Caucasus


@lru_cache(maxsize=16)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS(src), CRS(dst), always_xy=True)


def to_crs(geom: BaseGeometry, dst: str, src: str = "EPSG:4326") -> BaseGeometry:
    """Reproject one shapely geometry (lon/lat in, ``dst`` out by default)."""
    transformer = _transformer(src, dst)

    def _xy(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(coords[:, 0], coords[:, 1]))

    return shapely.transform(geom, _xy)


def geodesic_length_km(geom: BaseGeometry) -> float:
    """Length of a (multi)line on the WGS84 ellipsoid in km; polygons give their perimeter."""
    return GEOD.geometry_length(geom) / 1000.0


def area_km2(geom: BaseGeometry) -> float:
    """Area of a (multi)polygon in km², measured in an equal-area projection."""
    return to_crs(geom, EQUAL_AREA_CRS).area / 1e6


def buffer_m(geom: BaseGeometry, metres: float, crs: str = METRIC_CRS, **kwargs) -> BaseGeometry:
    """Buffer by ``metres`` in the metric CRS ``crs`` (UTM 38N by default), back in lon/lat."""
    projected = to_crs(geom, crs)
    return to_crs(projected.buffer(metres, **kwargs), "EPSG:4326", src=crs)


def distance_km(a: BaseGeometry, b: BaseGeometry) -> float:
    """Geodesic distance in km between the nearest points of two geometries."""
    pa, pb = ops.nearest_points(a, b)
    return GEOD.inv(pa.x, pa.y, pb.x, pb.y)[2] / 1000.0


def offset_point(
    line: BaseGeometry, fraction: float, metres: float, inside: BaseGeometry, crs: str = METRIC_CRS
) -> BaseGeometry:
    """The point ``metres`` to the side of ``line`` at ``fraction`` of its length, on the side
    that falls in ``inside`` (e.g. a country), measured in the metric CRS ``crs``."""
    from shapely.geometry import Point

    projected = to_crs(line, crs)
    at = projected.interpolate(fraction, normalized=True)
    step = min(50.0, projected.length / 100)
    a = projected.interpolate(max(0.0, fraction * projected.length - step))
    b = projected.interpolate(min(projected.length, fraction * projected.length + step))
    dx, dy = b.x - a.x, b.y - a.y
    norm = (dx * dx + dy * dy) ** 0.5
    for sign in (1, -1):
        candidate = Point(at.x - sign * dy / norm * metres, at.y + sign * dx / norm * metres)
        back = to_crs(candidate, "EPSG:4326", src=crs)
        if inside.contains(back):
            return back
    raise ValueError("neither side of the line at that point lies inside the given area")
