"""Offline web assets: Leaflet and its plugins copied from the ``xstatic-*`` packages.

Streamlit serves ``./static/*`` at ``/app/static/*`` (``server.enableStaticServing``), on the
same origin as the map component, so the map loads every script and stylesheet from the app
itself and never from a CDN. ``python -m geo assets`` (run by ``make install``) copies them;
the app also calls :func:`ensure_assets` at start.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from geo.paths import ROOT

STATIC_DIR = ROOT / "static"
URL_PREFIX = "/app/static"


@dataclass(frozen=True)
class Bundle:
    """Files of one xstatic package copied into ``static/<target>/``."""

    package: str  # import path of the xstatic package
    target: str  # folder under static/
    files: tuple[str, ...]  # files or folders relative to the package's data dir


BUNDLES = (
    Bundle("xstatic.pkg.leaflet", "leaflet", ("leaflet.js", "leaflet.css", "images")),
    Bundle("xstatic.pkg.jquery", "jquery", ("jquery.min.js",)),
    Bundle(
        "xstatic.pkg.leaflet_markercluster",
        "markercluster",
        ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
    ),
    Bundle(
        "xstatic.pkg.font_awesome",
        "fontawesome",
        ("css/all.min.css", "webfonts", "LICENSE.txt"),
    ),
)

# URL of every asset the map uses, by folium's resource names.
LEAFLET_JS = f"{URL_PREFIX}/leaflet/leaflet.js"
LEAFLET_CSS = f"{URL_PREFIX}/leaflet/leaflet.css"
LEAFLET_IMAGES = f"{URL_PREFIX}/leaflet/images/"
JQUERY_JS = f"{URL_PREFIX}/jquery/jquery.min.js"
MARKERCLUSTER_JS = f"{URL_PREFIX}/markercluster/leaflet.markercluster.js"
MARKERCLUSTER_CSS = f"{URL_PREFIX}/markercluster/MarkerCluster.css"
MARKERCLUSTER_DEFAULT_CSS = f"{URL_PREFIX}/markercluster/MarkerCluster.Default.css"
FONTAWESOME_CSS = f"{URL_PREFIX}/fontawesome/css/all.min.css"


class AssetError(RuntimeError):
    """An xstatic package or one of its files is missing."""


def _data_dir(package: str) -> Path:
    try:
        module = __import__(package, fromlist=["BASE_DIR"])
    except ImportError as exc:
        raise AssetError(f"package {package!r} is not installed ({exc})") from exc
    return Path(module.BASE_DIR)


def required_files(static_dir: Path = STATIC_DIR) -> list[Path]:
    """Paths (under ``static_dir``) that must exist for the map to work offline."""
    return [static_dir / b.target / f for b in BUNDLES for f in b.files]


def assets_present(static_dir: Path = STATIC_DIR) -> bool:
    """True when every asset has been copied."""
    return all(p.exists() for p in required_files(static_dir))


def copy_assets(static_dir: Path = STATIC_DIR) -> list[Path]:
    """Copy every bundle into ``static_dir``; return the copied top-level paths."""
    copied = []
    for bundle in BUNDLES:
        src_root = _data_dir(bundle.package)
        for rel in bundle.files:
            src = src_root / rel
            dst = static_dir / bundle.target / rel
            if not src.exists():
                raise AssetError(f"{bundle.package}: {src} is missing")
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                shutil.copy2(src, dst)
            copied.append(dst)
    return copied


def ensure_assets(static_dir: Path = STATIC_DIR) -> None:
    """Copy the assets unless they are already in place."""
    if not assets_present(static_dir):
        copy_assets(static_dir)


def main(argv: list[str] | None = None) -> int:
    """``python -m geo assets [--dest DIR]``: copy Leaflet and plugins for offline use."""
    parser = argparse.ArgumentParser(prog="python -m geo assets", description=main.__doc__)
    parser.add_argument("--dest", type=Path, default=STATIC_DIR, help="target folder")
    args = parser.parse_args(argv)
    try:
        copied = copy_assets(args.dest)
    except (AssetError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"copied {len(copied)} asset paths into {args.dest}")
    return 0
