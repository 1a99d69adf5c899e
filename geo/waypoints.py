"""Schematic lines from named, cited waypoints (``data/waypoints.yaml``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from shapely.geometry import LineString, Point

from geo import paths
from geo.measure import METRIC_CRS, geodesic_length_km, to_crs

_ROUTE_KEYS = {
    "id", "name", "label", "names", "kind", "source", "accuracy", "description", "valid_from",
    "valid_to", "stated_length_km", "stated_length_source", "stated_segments",
    "follow_border", "waypoints",
}  # fmt: skip
_REQUIRED = ("id", "name", "kind", "source", "accuracy", "description", "waypoints")
_WAYPOINT_KEYS = {"name", "lat", "lon", "coord_source", "route_source", "note"}


class WaypointError(ValueError):
    """``waypoints.yaml`` is malformed; the message names the file, route and waypoint."""


@dataclass(frozen=True)
class Waypoint:
    """One named point a route passes; ``lat``/``lon`` are None when no source gives them."""

    name: str
    lat: float | None
    lon: float | None
    coord_source: str
    route_source: str
    note: str = ""

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def point(self) -> Point:
        return Point(self.lon, self.lat)


@dataclass(frozen=True)
class Route:
    """A route from ``waypoints.yaml`` with its cited facts."""

    id: str
    name: str
    label: str
    kind: str
    source: str
    accuracy: str
    description: str
    valid_from: str
    valid_to: str
    stated_length_km: float | None
    stated_length_source: str
    waypoints: tuple[Waypoint, ...]
    stated_segments: tuple[dict[str, Any], ...] = ()
    follow_border: dict[str, Any] = field(default_factory=dict)
    names: str = ""

    @property
    def located(self) -> list[Waypoint]:
        return [w for w in self.waypoints if w.located]

    @property
    def skipped(self) -> list[Waypoint]:
        return [w for w in self.waypoints if not w.located]

    def waypoint(self, name: str) -> Waypoint:
        for w in self.waypoints:
            if w.name == name:
                return w
        raise KeyError(f"route {self.id!r} has no waypoint {name!r}")

    def line(self) -> LineString:
        """The straight-segment line through the located waypoints, in order."""
        return LineString([(w.lon, w.lat) for w in self.located])

    def skipped_note(self) -> str:
        """Sentence naming the waypoints drawn around for lack of a coordinate."""
        if not self.skipped:
            return ""
        names = ", ".join(w.name for w in self.skipped)
        return f"named waypoints without a sourced coordinate, skipped: {names}"


def _coord(value: Any, where: str, axis: str, lo: float, hi: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise WaypointError(f"{where}: {axis} must be a number or null, got {value!r}")
    if not lo <= value <= hi:
        raise WaypointError(f"{where}: {axis}={value} is outside the map region {lo}..{hi}")
    return float(value)


def _waypoint(raw: Any, where: str) -> Waypoint:
    if not isinstance(raw, dict):
        raise WaypointError(f"{where}: expected a mapping, got {type(raw).__name__}")
    unknown = set(raw) - _WAYPOINT_KEYS
    if unknown:
        raise WaypointError(f"{where}: unknown keys {sorted(unknown)}")
    name = str(raw.get("name") or "").strip()
    if not name:
        raise WaypointError(f"{where}: waypoint without a name")
    where = f"{where} ({name!r})"
    # Routes may run beyond the map region (TANAP ends in Thrace): lon is checked loosely.
    lat = _coord(raw.get("lat"), where, "lat", 30.0, 50.0)
    lon = _coord(raw.get("lon"), where, "lon", 20.0, 60.0)
    if (lat is None) != (lon is None):
        raise WaypointError(f"{where}: lat and lon must both be given or both be null")
    coord_source = str(raw.get("coord_source") or "")
    if lat is not None and not coord_source:
        raise WaypointError(f"{where}: a coordinate needs its coord_source")
    route_source = str(raw.get("route_source") or "")
    if not route_source:
        raise WaypointError(f"{where}: route_source (why the route passes here) is missing")
    return Waypoint(name, lat, lon, coord_source, route_source, str(raw.get("note") or ""))


def _route(raw: Any, where: str) -> Route:
    if not isinstance(raw, dict):
        raise WaypointError(f"{where}: expected a mapping, got {type(raw).__name__}")
    rid = raw.get("id", "?")
    where = f"{where}, route {rid!r}"
    unknown = set(raw) - _ROUTE_KEYS
    if unknown:
        raise WaypointError(f"{where}: unknown keys {sorted(unknown)}")
    for key in _REQUIRED:
        if raw.get(key) in (None, "", []):
            raise WaypointError(f"{where}: {key} is missing or empty")
    if not isinstance(raw["waypoints"], list):
        raise WaypointError(f"{where}: waypoints must be a list")
    points = tuple(
        _waypoint(w, f"{where}, waypoint {i + 1}") for i, w in enumerate(raw["waypoints"])
    )
    if sum(w.located for w in points) < 2:
        raise WaypointError(f"{where}: fewer than two waypoints with coordinates")
    names = [w.name for w in points]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise WaypointError(f"{where}: duplicate waypoint names {dupes}")
    stated = raw.get("stated_length_km")
    if stated is not None and (not isinstance(stated, int | float) or stated <= 0):
        raise WaypointError(f"{where}: stated_length_km must be a positive number or null")
    if stated is not None and not raw.get("stated_length_source"):
        raise WaypointError(f"{where}: stated_length_km needs stated_length_source")
    border = raw.get("follow_border") or {}
    if border:
        for key in ("from", "to", "country", "offset_m"):
            if key not in border:
                raise WaypointError(f"{where}: follow_border needs {key!r}")
        for key in ("from", "to"):
            if border[key] not in names or not points[names.index(border[key])].located:
                raise WaypointError(
                    f"{where}: follow_border {key}={border[key]!r} is not a located waypoint"
                )
    segments = tuple(raw.get("stated_segments") or ())
    for seg in segments:
        if not isinstance(seg, dict) or not {"name", "km", "source"} <= set(seg):
            raise WaypointError(f"{where}: stated_segments entries need name, km and source")
    return Route(
        id=str(rid),
        name=str(raw["name"]),
        label=str(raw.get("label") or raw["name"]),
        kind=str(raw["kind"]),
        source=str(raw["source"]),
        accuracy=str(raw["accuracy"]),
        description=str(raw["description"]),
        valid_from=str(raw.get("valid_from") or ""),
        valid_to=str(raw.get("valid_to") or ""),
        stated_length_km=None if stated is None else float(stated),
        stated_length_source=str(raw.get("stated_length_source") or ""),
        waypoints=points,
        stated_segments=segments,
        follow_border=dict(border),
        names=str(raw.get("names") or ""),
    )


def load_routes(path: Path | str | None = None) -> dict[str, Route]:
    """Read and validate ``waypoints.yaml`` (default ``geo.paths.WAYPOINTS``); route id →
    :class:`Route` in file order."""
    path = Path(path or paths.WAYPOINTS)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WaypointError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise WaypointError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("routes"), list):
        raise WaypointError(f"{path}: expected a mapping with a 'routes' list")
    routes: dict[str, Route] = {}
    for i, item in enumerate(raw["routes"]):
        route = _route(item, f"{path}: route {i + 1}")
        if route.id in routes:
            raise WaypointError(f"{path}: duplicate route id {route.id!r}")
        routes[route.id] = route
    return routes


def route_record(route: Route, line) -> dict:
    """Schema fields of a waypoint route, with its computed and stated lengths compared."""
    length = geodesic_length_km(line)
    accuracy = route.accuracy
    if route.skipped:
        accuracy += f"; {route.skipped_note()}"
    if route.stated_length_km:
        diff = (length - route.stated_length_km) / route.stated_length_km
        relation = "shorter" if diff < 0 else "longer"
        accuracy += (
            f"; schematic line {length:,.1f} km, {abs(diff):.0%} {relation} than the stated "
            f"{route.stated_length_km:,g} km"
        )
    return {
        "id": route.id, "name": route.name, "label": route.label, "names": route.names,
        "kind": route.kind,
        "description": route.description, "valid_from": route.valid_from,
        "valid_to": route.valid_to, "source": route.source, "accuracy": accuracy,
        "stated_length_km": route.stated_length_km, "stated_length_source":
        route.stated_length_source, "geometry": line, "length_km": length,
    }  # fmt: skip


def border_path(a: Point, b: Point, country, offset_m: float) -> LineString:
    """Path from near ``a`` to near ``b`` along the inside of ``country``'s outline.

    The outline is shrunk by ``offset_m`` (in UTM 38N) and followed the shorter way round
    between the points nearest ``a`` and ``b``.
    """
    from shapely.ops import substring

    shrunk = to_crs(country, METRIC_CRS).buffer(-offset_m)
    ring = max(getattr(shrunk, "geoms", [shrunk]), key=lambda p: p.area).exterior
    ta, tb = (ring.project(to_crs(p, METRIC_CRS)) for p in (a, b))
    lo, hi = sorted((ta, tb))
    inner = substring(ring, lo, hi)
    outer = LineString(
        list(substring(ring, hi, ring.length).coords) + list(substring(ring, 0, lo).coords)
    )
    path = inner if inner.length <= outer.length else outer
    coords = list(path.coords)
    if (ta > tb) == (path is inner):
        coords.reverse()
    return to_crs(LineString(coords), "EPSG:4326", src=METRIC_CRS)


def route_line(route: Route, countries: dict | None = None) -> LineString:
    """The route's line; with ``follow_border`` the stretch between its two waypoints follows
    the inside of that country's outline (``countries`` maps ISO A3 code to geometry)."""
    if not route.follow_border:
        return route.line()
    rule = route.follow_border
    if not countries or rule["country"] not in countries:
        raise WaypointError(f"route {route.id!r}: outline of {rule['country']} not given")
    located = route.located
    names = [w.name for w in located]
    i, j = names.index(rule["from"]), names.index(rule["to"])
    path = border_path(
        located[i].point, located[j].point, countries[rule["country"]], float(rule["offset_m"])
    )
    coords = [(w.lon, w.lat) for w in located[: i + 1]]
    coords += list(path.coords)
    coords += [(w.lon, w.lat) for w in located[j:]]
    return LineString(coords)
