"""Locations of the files the atlas ships and builds."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("ATLAS_DATA", ROOT / "data"))

ATLAS_GPKG = DATA / "atlas.gpkg"
SOURCES_DIR = DATA / "sources"  # region-clipped extracts of the registry packages
ARTICLES_DIR = DATA / "articles"
GAZETTEER = DATA / "gazetteer.yaml"
EVENTS = DATA / "events.yaml"
WAYPOINTS = DATA / "waypoints.yaml"
