"""The one schema every map layer shares.

Every layer is a GeoDataFrame in EPSG:4326 with exactly these columns (plus ``geometry``).
GeoPackage has no list type, so ``names`` holds other spellings joined by ``"; "``; dates are
ISO strings (``YYYY-MM-DD``) or ``""`` when the feature is not time-bound. Measurements are
computed (geodesic lengths, equal-area areas), never typed in; ``stated_length_km`` is a length
a cited source gives, shown beside the computed one.
"""

from __future__ import annotations

import math
import re
from typing import Any

import geopandas as gpd
import pandas as pd

CRS = "EPSG:4326"
REGION_BOX = (35.0, 36.0, 52.0, 44.0)  # min lon, min lat, max lon, max lat
LAYERS = (
    "context",
    "nakhchivan",
    "contested_areas",
    "lachin_corridor",
    "zangezur_corridor",
    "villages",
    "pipelines",
    "towns",
)

TEXT_COLUMNS = (
    "id",  # stable slug, unique across all layers, e.g. "district-lachin"
    "layer",  # one of LAYERS
    "name",  # English name
    "label",  # display label; contested places carry both names: "Khankendi / Stepanakert"
    "names",  # other spellings, "; "-joined (Azerbaijani, Armenian, Russian transliterations)
    "kind",  # country, district, province, town, village, exclave, road, corridor, ...
    "description",  # our own words
    "valid_from",  # ISO date or ""
    "valid_to",  # ISO date or ""
    "source",  # dataset or cited fact the geometry and facts come from
    "accuracy",  # "Natural Earth 1:10m", "schematic through waypoints", ...
    "stated_length_source",  # citation for stated_length_km, or ""
)
FLOAT_COLUMNS = (
    "length_km",  # computed geodesic length (lines), NaN otherwise
    "area_km2",  # computed equal-area area (polygons), NaN otherwise
    "stated_length_km",  # length given by a cited source, NaN when none
)
COLUMNS = TEXT_COLUMNS + FLOAT_COLUMNS

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SchemaError(ValueError):
    """A layer does not follow the shared schema."""


def make_layer(layer: str, records: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """Build a layer GeoDataFrame from records holding schema fields and ``geometry``.

    Missing text fields become ``""`` and missing measures ``NaN``; ``layer`` is filled in.
    """
    rows = []
    for rec in records:
        row: dict[str, Any] = {c: "" for c in TEXT_COLUMNS}
        row.update({c: math.nan for c in FLOAT_COLUMNS})
        unknown = set(rec) - set(COLUMNS) - {"geometry"}
        if unknown:
            raise SchemaError(f"{layer}: unknown fields {sorted(unknown)} in {rec.get('id')!r}")
        row.update(rec)
        row["layer"] = layer
        if not row["label"]:
            row["label"] = row["name"]
        rows.append(row)
    gdf = gpd.GeoDataFrame(rows, columns=[*COLUMNS, "geometry"], geometry="geometry", crs=CRS)
    for c in FLOAT_COLUMNS:
        gdf[c] = pd.to_numeric(gdf[c]).astype("float64")
    validate_layer(gdf, layer)
    return gdf


def validate_layer(gdf: gpd.GeoDataFrame, layer: str | None = None) -> None:
    """Raise :class:`SchemaError` naming the layer and feature when ``gdf`` breaks the schema."""
    name = layer or (str(gdf["layer"].iloc[0]) if len(gdf) else "?")
    missing = [c for c in COLUMNS if c not in gdf.columns]
    if missing:
        raise SchemaError(f"layer {name!r}: missing columns {missing}")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise SchemaError(f"layer {name!r}: CRS is {gdf.crs}, expected {CRS}")
    dupes = gdf["id"][gdf["id"].duplicated()].tolist()
    if dupes:
        raise SchemaError(f"layer {name!r}: duplicate ids {dupes}")
    for _, row in gdf.iterrows():
        fid = row["id"]
        if not isinstance(fid, str) or not _SLUG.match(fid):
            raise SchemaError(f"layer {name!r}: id {fid!r} is not a lowercase slug")
        if not str(row["name"]).strip():
            raise SchemaError(f"layer {name!r}, feature {fid!r}: empty name")
        if not str(row["source"]).strip():
            raise SchemaError(f"layer {name!r}, feature {fid!r}: empty source")
        for col in ("valid_from", "valid_to"):
            val = row[col]
            if val and not _DATE.match(str(val)):
                raise SchemaError(
                    f"layer {name!r}, feature {fid!r}: {col}={val!r} is not YYYY-MM-DD"
                )
        geom = row.geometry
        if geom is None or geom.is_empty:
            raise SchemaError(f"layer {name!r}, feature {fid!r}: empty geometry")
        if not geom.is_valid:
            raise SchemaError(f"layer {name!r}, feature {fid!r}: invalid geometry")


def split_names(names: str) -> list[str]:
    """The ``names`` column back as a list."""
    return [n.strip() for n in str(names or "").split(";") if n.strip()]
