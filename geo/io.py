"""Read and write the atlas GeoPackage (``data/atlas.gpkg``), one table per layer."""

from __future__ import annotations

import math
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo.paths import ATLAS_GPKG
from geo.schema import COLUMNS, FLOAT_COLUMNS, LAYERS, TEXT_COLUMNS, SchemaError, validate_layer

_SQLITE_MAGIC = b"SQLite format 3\x00"


class AtlasDataError(Exception):
    """The atlas GeoPackage is missing, not a GeoPackage, lacks a table or breaks the schema."""


def _check_file(path: Path) -> None:
    if not path.exists():
        raise AtlasDataError(f"{path}: atlas GeoPackage not found (run `python -m geo build`)")
    if not path.is_file():
        raise AtlasDataError(f"{path}: not a file")
    with open(path, "rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise AtlasDataError(f"{path}: not a GeoPackage (no SQLite header)")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _conform(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> gpd.GeoDataFrame:
    """Bring a table read from disk back to the schema: column order, str and float64 types."""
    missing = [c for c in (*COLUMNS, "geometry") if c not in gdf.columns]
    if missing:
        raise AtlasDataError(f"{path}: table {layer!r} lacks columns {missing}")
    gdf = gdf[[*COLUMNS, "geometry"]].copy()
    for col in TEXT_COLUMNS:
        gdf[col] = gdf[col].map(_text).astype(str)
    for col in FLOAT_COLUMNS:
        gdf[col] = pd.to_numeric(gdf[col], errors="coerce").astype("float64")
    try:
        validate_layer(gdf, layer)
    except SchemaError as exc:
        raise AtlasDataError(f"{path}: {exc}") from exc
    if set(gdf["layer"]) - {layer}:
        raise AtlasDataError(f"{path}: table {layer!r} holds features of other layers")
    return gdf


@lru_cache(maxsize=4)
def _read_cached(path: str, mtime_ns: int, size: int) -> dict[str, gpd.GeoDataFrame]:
    del mtime_ns, size  # part of the cache key only: a rewritten file is read again
    p = Path(path)
    try:
        tables = {name for name, _ in pyogrio.list_layers(p)}
    except (DataSourceError, DataLayerError) as exc:
        raise AtlasDataError(f"{p}: not a readable GeoPackage ({exc})") from exc
    missing = [layer for layer in LAYERS if layer not in tables]
    if missing:
        raise AtlasDataError(f"{p}: missing tables {missing}")
    layers = {}
    for layer in LAYERS:
        try:
            gdf = pyogrio.read_dataframe(p, layer=layer)
        except (DataSourceError, DataLayerError) as exc:
            raise AtlasDataError(f"{p}: table {layer!r} unreadable ({exc})") from exc
        layers[layer] = _conform(gdf, p, layer)
    return layers


def read_atlas(path: Path | str = ATLAS_GPKG) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of the atlas, layer name → GeoDataFrame in schema column order.

    Text columns are ``str`` (``""`` when empty), measures ``float64`` (NaN when absent).
    Results are cached per file version; callers get their own copies.
    Raises :class:`AtlasDataError` naming the file and the problem.
    """
    p = Path(path)
    _check_file(p)
    stat = p.stat()
    cached = _read_cached(str(p.resolve()), stat.st_mtime_ns, stat.st_size)
    return {name: gdf.copy() for name, gdf in cached.items()}


def write_atlas(layers: dict[str, gpd.GeoDataFrame], path: Path | str = ATLAS_GPKG) -> Path:
    """Write every layer as its own table of a new GeoPackage at ``path``.

    The file is written beside ``path`` and moved into place only when complete, so a failed
    write leaves the previous atlas untouched.
    """
    path = Path(path)
    unknown = set(layers) - set(LAYERS)
    if unknown:
        raise AtlasDataError(f"{path}: unknown layers {sorted(unknown)}")
    for name, gdf in layers.items():
        try:
            validate_layer(gdf, name)
        except SchemaError as exc:
            raise AtlasDataError(f"{path}: refusing to write: {exc}") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".gpkg", prefix=".atlas-", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        for name in LAYERS:
            if name not in layers:
                continue
            gdf = layers[name][[*COLUMNS, "geometry"]]
            pyogrio.write_dataframe(
                gdf, tmp, layer=name, driver="GPKG", promote_to_multi=False,
                layer_options={"SPATIAL_INDEX": "YES"},
            )  # fmt: skip
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
