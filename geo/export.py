"""Downloads: the visible layers as GeoJSON or GeoPackage, a place's excerpts as Markdown or CSV.

The layers are exported with their full geometry and every schema column (the map draws a
simplified copy), filtered to the date on the time control.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.mapview import layer_on
from geo.panel import is_web_url
from geo.schema import COLUMNS, CRS


@dataclass(frozen=True)
class Excerpt:
    """One passage that mentions a place, with its article's attribution."""

    place_id: str
    place_label: str
    article_id: str
    title: str
    author: str
    publisher: str
    date: str
    url: str
    passage_id: str
    text: str
    mentions: tuple[tuple[int, int], ...]

    @property
    def mentioned(self) -> list[str]:
        """The mentioned spellings, in order."""
        return [self.text[s:e] for s, e in self.mentions]


CSV_FIELDS = ("place_id", "place_label", "article_id", "title", "author", "publisher", "date",
              "url", "passage_id", "mentioned", "text")


def excerpts_for(index: Any, place_id: str, label: str) -> list[Excerpt]:
    """Every passage of the knowledge index that mentions ``place_id``, in index order."""
    out = []
    for hit in index.place_passages.get(place_id, []):
        passage = index.passages.get(hit.passage_id)
        if passage is None:
            continue
        art = index.articles.get(passage.article_id)
        out.append(Excerpt(
            place_id=place_id,
            place_label=label,
            article_id=passage.article_id,
            title=getattr(art, "title", ""),
            author=getattr(art, "author", ""),
            publisher=getattr(art, "publisher", ""),
            date=getattr(art, "date", ""),
            url=getattr(art, "url", ""),
            passage_id=passage.id,
            text=passage.text,
            mentions=tuple(tuple(m) for m in hit.mentions),
        ))
    return out


def visible_frame(layers: Mapping[str, gpd.GeoDataFrame], visible: Iterable[str],
                  day: date | None) -> gpd.GeoDataFrame:
    """Features of the visible layers that exist on ``day``, in one frame (schema columns)."""
    keep = [layer_on(layers[k], day) for k in visible if k in layers]
    keep = [g for g in keep if len(g)]
    if not keep:
        return gpd.GeoDataFrame(columns=[*COLUMNS, "geometry"], geometry="geometry", crs=CRS)
    return gpd.GeoDataFrame(pd.concat(keep, ignore_index=True), geometry="geometry", crs=CRS)


def geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    """A GeoJSON FeatureCollection (UTF-8, coordinates to 6 decimals)."""
    data = json.loads(frame.to_json(na="null", drop_id=True, to_wgs84=True))
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def gpkg_bytes(layers: Mapping[str, gpd.GeoDataFrame], visible: Sequence[str],
               day: date | None) -> bytes:
    """A GeoPackage with one table per visible layer (tables with no feature on the date are
    left out)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "atlas-export.gpkg"
        wrote = False
        for key in visible:
            if key not in layers:
                continue
            part = layer_on(layers[key], day)
            if len(part):
                part.to_file(path, layer=key, driver="GPKG", engine="pyogrio")
                wrote = True
        if not wrote:
            empty = gpd.GeoDataFrame(columns=[*COLUMNS, "geometry"], geometry="geometry", crs=CRS)
            empty.to_file(path, layer="empty", driver="GPKG", engine="pyogrio")
        return path.read_bytes()


def excerpts_csv(rows: Sequence[Excerpt]) -> bytes:
    """The excerpts as CSV (UTF-8 with BOM so spreadsheets read the diacritics)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({
            "place_id": r.place_id, "place_label": r.place_label, "article_id": r.article_id,
            "title": r.title, "author": r.author, "publisher": r.publisher, "date": r.date,
            "url": r.url, "passage_id": r.passage_id, "mentioned": "; ".join(r.mentioned),
            "text": r.text,
        })
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _md_line(text: str) -> str:
    """Text safe inside a Markdown blockquote line (no accidental markup)."""
    flat = " ".join(text.split())
    for ch in "\\`*_[]<>#|":
        flat = flat.replace(ch, "\\" + ch)
    return flat


def excerpts_markdown(label: str, rows: Sequence[Excerpt]) -> bytes:
    """The excerpts as a Markdown document: one quotation per passage, with attribution."""
    lines = [f"# {_md_line(label)}: excerpts from the atlas corpus", ""]
    if not rows:
        lines.append("No article in the corpus mentions this place.")
    for r in rows:
        who = ", ".join(x for x in (r.author, r.publisher, r.date) if x)
        lines.append(f"> {_md_line(r.text)}")
        lines.append(">")
        source = f"*{_md_line(r.title or '(untitled)')}*" + (f", {_md_line(who)}" if who else "")
        if is_web_url(r.url) and not set(r.url) & set("<>"):
            source += f" <{r.url}>"
        lines.append(f"> — {source}")
        lines.append("")
    return "\n".join(lines).encode("utf-8")
