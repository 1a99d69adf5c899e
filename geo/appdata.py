"""Everything the app shows, loaded once: layers, knowledge index and their display forms.

:func:`load_app_data` reads the data folder (``ATLAS_DATA`` or ``data/``), builds the knowledge
index and precomputes what every rerun needs (display GeoJSON per layer, popup excerpts, feature
lookups, event positions). Any unusable input becomes a :class:`DataLoadError` whose message
names the file and the problem, for the page to show instead of a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo import mapview, panel
from geo.paths import ROOT


class DataLoadError(RuntimeError):
    """A data file is missing or broken; the message says which and why."""


@dataclass
class AppData:
    """The loaded atlas and the lookups the page uses."""

    data_dir: Path
    layers: dict[str, gpd.GeoDataFrame]
    index: Any  # geo.knowledge.KnowledgeIndex
    rows: dict[str, dict[str, Any]]  # feature id → schema row (full geometry)
    features: dict[str, list[dict[str, Any]]]  # layer → display features (escaped props)
    excerpts: dict[str, tuple[str, str]]  # place id → (popup snippet, source line)
    positions: dict[str, tuple[float, float]]  # place id → (lat, lon)
    events: list[Any]  # geo.events.Event, by date
    first_day: date
    last_day: date

    def label(self, place_id: str) -> str:
        """Display label of a feature or gazetteer place (its id when unknown)."""
        row = self.rows.get(place_id)
        if row is not None:
            return str(row["label"] or row["name"])
        place = self.index.places.get(place_id)
        return str(place.label or place.name) if place is not None else place_id

    def feature_ids(self, place_id: str) -> list[str]:
        """Map features that show a place."""
        return panel.feature_ids_for(place_id, self.index.places, self.rows)

    def view(self, place_id: str) -> tuple[tuple[float, float], int] | None:
        """Centre and zoom for a place, from its feature geometry or gazetteer point."""
        geoms = [self.rows[f]["geometry"] for f in self.feature_ids(place_id)]
        if geoms:
            geom = geoms[0] if len(geoms) == 1 else gpd.GeoSeries(geoms).union_all()
            if geom.geom_type == "Point":
                return (round(geom.y, 5), round(geom.x, 5)), 10
            return mapview.view_for(geom)
        if place_id in self.positions:
            return self.positions[place_id], 10
        return None


def data_dir() -> Path:
    """The data folder: ``$ATLAS_DATA`` when set, else ``data/`` beside the code."""
    return Path(os.environ.get("ATLAS_DATA") or ROOT / "data")


def signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the data files (a cache key)."""
    out = []
    for name in ("atlas.gpkg", "gazetteer.yaml", "events.yaml"):
        p = folder / name
        st = p.stat() if p.exists() else None
        out.append((name, st.st_size if st else -1, st.st_mtime_ns if st else -1))
    articles = folder / "articles"
    if articles.is_dir():
        for p in sorted(articles.iterdir()):
            st = p.stat()
            out.append((f"articles/{p.name}", st.st_size, st.st_mtime_ns))
    return tuple(out)


def build_knowledge(folder: Path) -> Any:
    """The knowledge index of the articles, gazetteer and events in ``folder``."""
    from geo.articles import load_corpus
    from geo.events import load_events
    from geo.gazetteer import read_gazetteer
    from geo.knowledge import build_index
    from geo.linker import Linker

    gazetteer = read_gazetteer(folder / "gazetteer.yaml")
    return build_index(
        load_corpus(folder / "articles"),
        gazetteer.places,
        load_events(folder / "events.yaml", places=gazetteer.places),
        Linker.from_gazetteer(gazetteer),
        ambiguities=gazetteer.ambiguities,
    )


def _known_errors() -> tuple[type[BaseException], ...]:
    from geo.articles import ArticleError
    from geo.events import EventError
    from geo.gazetteer import GazetteerError
    from geo.io import AtlasDataError

    return (AtlasDataError, ArticleError, EventError, GazetteerError, OSError, ValueError)


def load_app_data(folder: Path | None = None) -> AppData:
    """Load and prepare everything; raise :class:`DataLoadError` with a readable message."""
    from geo.io import read_atlas

    folder = Path(folder or data_dir())
    try:
        layers = read_atlas(folder / "atlas.gpkg")
        index = build_knowledge(folder)
    except _known_errors() as exc:
        raise DataLoadError(str(exc)) from exc
    rows = {}
    for gdf in layers.values():
        for rec in gdf.to_dict("records"):
            rows[str(rec["id"])] = rec
    excerpts = panel.first_excerpts(index)
    features = {k: mapview.feature_collection(layers[k], excerpts,
                                              tolerance=mapview.simplify_tolerance(k))
                for k in mapview.DRAW_ORDER}
    positions = panel.place_positions(index.places, panel.feature_positions(layers))
    events = sorted(index.events.values(), key=lambda e: (e.date, e.id))
    if not events:
        raise DataLoadError(f"{folder / 'events.yaml'}: no events")
    return AppData(
        data_dir=folder,
        layers=layers,
        index=index,
        rows=rows,
        features=features,
        excerpts=excerpts,
        positions=positions,
        events=events,
        first_day=events[0].date,
        last_day=max(e.end for e in events),
    )
