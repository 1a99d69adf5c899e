"""Load an ACLED conflict-event export and query it by date and place.

ACLED (Armed Conflict Location & Event Data, https://acleddata.com) publishes events as CSV
exports with one row per event. :func:`load_acled` reads such an export (extra columns are
ignored), checks it and returns a GeoDataFrame of points sorted by date; :func:`window` answers
"which events between these dates (and inside this box)" with two binary searches on the sorted
dates, so a date change on 100,000 events costs a slice, not a scan.

Errors name the file and what is wrong; rows are counted from 1 after the header line (row 1
is the first event), which is the spreadsheet line number minus one.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
)
# ACLED's six event types (ACLED Codebook); other values are kept but are listed by summary().
EVENT_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)
# Date spellings seen in ACLED exports: "12 September 2022" (classic export), ISO (API, new tool).
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y")

_INT_COLUMNS = ("year", "geo_precision", "fatalities")
_FLOAT_COLUMNS = ("latitude", "longitude")
# Few distinct values: kept as pandas categoricals (a fraction of the memory of strings).
_CATEGORY_COLUMNS = ("event_type", "sub_event_type", "admin1", "admin2", "actor1", "actor2")
_MEASURE_COLUMNS = (*_INT_COLUMNS, *_FLOAT_COLUMNS)

Bbox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
DateLike = dt.date | str | pd.Timestamp | None


class AcledError(ValueError):
    """An ACLED file cannot be read as an event table; the message says where and why."""


def load_acled(path: str | Path) -> gpd.GeoDataFrame:
    """Read an ACLED CSV export into a GeoDataFrame of EPSG:4326 points, sorted by date.

    Columns: the :data:`ACLED_COLUMNS` (others in the file are ignored) with ``event_date`` as
    ``datetime64``, ``year``/``geo_precision``/``fatalities`` as integers, ``latitude`` and
    ``longitude`` as floats, plus ``geometry``. Raises :class:`AcledError` naming the file and
    the missing columns, or the first bad row and its value.
    """
    path = Path(path)
    header = _read_header(path)
    missing = [c for c in ACLED_COLUMNS if c not in header]
    if missing:
        raise AcledError(
            f"{path}: not an ACLED export, missing columns {missing} "
            f"(found {len(header)} columns: {', '.join(header[:20])})"
        )
    dupes = sorted({c for c in header if header.count(c) > 1 and c in ACLED_COLUMNS})
    if dupes:
        raise AcledError(f"{path}: columns {dupes} appear more than once in the header")
    table = _read_table(path)
    df = table.to_pandas()
    del table
    # Hand the parser's scratch memory back to the system (tens of MB on a large export).
    pa.default_memory_pool().release_unused()
    if len(df):
        df = df.sort_values("event_date", kind="stable", ignore_index=True)
    geometry = gpd.points_from_xy(df["longitude"], df["latitude"], crs="EPSG:4326")
    return gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")


def window(
    events: gpd.GeoDataFrame,
    start: DateLike = None,
    end: DateLike = None,
    bbox: Bbox | None = None,
) -> gpd.GeoDataFrame:
    """Events with ``start <= event_date <= end`` (inclusive, either may be None), in ``bbox``.

    ``events`` should be sorted by date as :func:`load_acled` returns it; then the date cut is
    two binary searches. Unsorted input is sorted first (correct, slower).
    """
    dates = events["event_date"]
    if not dates.is_monotonic_increasing:
        events = events.sort_values("event_date", kind="stable", ignore_index=True)
        dates = events["event_date"]
    values = dates.to_numpy()
    lo = 0 if start is None else int(np.searchsorted(values, _day(start), side="left"))
    hi = (
        len(values)
        if end is None
        else int(np.searchsorted(values, _day(end) + np.timedelta64(1, "D"), side="left"))
    )
    part = events.iloc[lo:max(lo, hi)]
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        lon = part["longitude"].to_numpy()
        lat = part["latitude"].to_numpy()
        inside = (lon >= min_lon) & (lon <= max_lon) & (lat >= min_lat) & (lat <= max_lat)
        part = part[inside]
    return part


def summary(events: pd.DataFrame) -> dict[str, Any]:
    """Counts for a legend or caption: events, fatalities, first/last date, events by type."""
    if len(events) == 0:
        return {"events": 0, "fatalities": 0, "first": None, "last": None, "by_type": {}}
    by_type = events["event_type"].value_counts(sort=True)
    return {
        "events": int(len(events)),
        "fatalities": int(events["fatalities"].sum()),
        "first": events["event_date"].min().date(),
        "last": events["event_date"].max().date(),
        "by_type": {str(k): int(v) for k, v in by_type.items() if v > 0},
    }


def points(events: pd.DataFrame, digits: int = 4) -> list[list[float]]:
    """``[[lat, lon], ...]`` rounded to ``digits`` (about 11 m at 4), the compact form a
    client-side clusterer (Leaflet.markercluster via folium's FastMarkerCluster) takes."""
    lat = np.round(events["latitude"].to_numpy(dtype="float64"), digits)
    lon = np.round(events["longitude"].to_numpy(dtype="float64"), digits)
    return np.column_stack([lat, lon]).tolist()


def aggregate(events: pd.DataFrame, cell_deg: float = 0.1) -> pd.DataFrame:
    """Events binned on a ``cell_deg`` grid: one row per non-empty cell, for drawing many
    events as a few hundred sized circles (server-side clustering).

    Columns: ``lat``, ``lon`` (mean position of the cell's events), ``events``,
    ``fatalities``, ``first``/``last`` (dates), ``top_type`` (most frequent event type),
    sorted by ``events``, largest first.
    """
    columns = ["lat", "lon", "events", "fatalities", "first", "last", "top_type"]
    if len(events) == 0:
        return pd.DataFrame(columns=columns)
    lat = events["latitude"].to_numpy(dtype="float64")
    lon = events["longitude"].to_numpy(dtype="float64")
    frame = pd.DataFrame(
        {
            "row": np.floor(lat / cell_deg).astype("int64"),
            "col": np.floor(lon / cell_deg).astype("int64"),
            "lat": lat,
            "lon": lon,
            "fatalities": events["fatalities"].to_numpy(),
            "date": events["event_date"].to_numpy(),
            "type": events["event_type"].astype("str").to_numpy(),
        }
    )
    cells = frame.groupby(["row", "col"], sort=False)
    out = cells.agg(
        lat=("lat", "mean"),
        lon=("lon", "mean"),
        events=("lat", "size"),
        fatalities=("fatalities", "sum"),
        first=("date", "min"),
        last=("date", "max"),
    )
    counts = frame.groupby(["row", "col", "type"], sort=False).size()
    top = counts.sort_values(ascending=False, kind="stable").reset_index()
    top = top.drop_duplicates(["row", "col"]).set_index(["row", "col"])["type"]
    out["top_type"] = top.reindex(out.index).to_numpy()
    out = out.sort_values("events", ascending=False, kind="stable").reset_index(drop=True)
    return out[columns]


# --- reading ------------------------------------------------------------------------------


def _read_header(path: Path) -> list[str]:
    try:
        with path.open("rb") as fh:
            first = fh.readline()
            if first[:2] == b"PK":
                raise AcledError(
                    f"{path}: this looks like an Excel/zip file; export the ACLED data as CSV"
                )
    except FileNotFoundError:
        raise AcledError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AcledError(f"{path}: is a directory, expected an ACLED CSV export") from None
    if not first.strip():
        raise AcledError(f"{path}: empty file (expected a header line with the ACLED columns)")
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        reason = f"{exc.reason} at byte {exc.start}"
        raise AcledError(f"{path}: line 1 is not UTF-8 ({reason})") from None
    return [c.strip() for c in next(csv.reader([line]))]


def _convert_options(types: dict[str, pa.DataType]) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(
        include_columns=list(ACLED_COLUMNS),
        column_types=types,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def _fast_types() -> dict[str, pa.DataType]:
    types: dict[str, pa.DataType] = {c: pa.string() for c in ACLED_COLUMNS}
    types.update({c: pa.int64() for c in _INT_COLUMNS})
    types.update({c: pa.float64() for c in _FLOAT_COLUMNS})
    types.update({c: pa.dictionary(pa.int32(), pa.string()) for c in _CATEGORY_COLUMNS})
    return types


def _pyarrow_read(path: Path, types: dict[str, pa.DataType]) -> pa.Table:
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 22),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=_convert_options(types),
    )


def _read_table(path: Path) -> pa.Table:
    """Typed table with parsed dates; any failure is turned into a precise AcledError."""
    try:
        table = _pyarrow_read(path, _fast_types())
    except pa.ArrowInvalid as exc:
        raise _explain(path, exc) from None
    for col in _MEASURE_COLUMNS:
        column = table.column(col)
        if column.null_count:
            empty = column.is_null().to_numpy(zero_copy_only=False)
            first = int(np.flatnonzero(empty)[0])
            raise AcledError(f"{path}: row {first + 1}: {col} is empty")
    _check_ranges(path, table)
    dates = _parse_dates(path, table.column("event_date").to_pandas())
    table = table.set_column(
        table.schema.get_field_index("event_date"), "event_date", pa.array(dates)
    )
    ids = table.column("event_id_cnty").to_pandas()
    dup = ids.duplicated()
    if dup.any():
        first = int(np.flatnonzero(dup.to_numpy())[0])
        raise AcledError(
            f"{path}: row {first + 1}: event_id_cnty {ids.iloc[first]!r} appears more than once"
        )
    return table


def _check_ranges(path: Path, table: pa.Table) -> None:
    lat = table.column("latitude").to_numpy()
    lon = table.column("longitude").to_numpy()
    for name, values, limit in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        bad = ~np.isfinite(values) | (np.abs(values) > limit)
        if bad.any():
            rows = np.flatnonzero(bad)
            more = f" ({len(rows)} rows in all, first rows {[int(r) + 1 for r in rows[:10]]})"
            raise AcledError(
                f"{path}: row {rows[0] + 1}: {name} {float(values[rows[0]])!r} is outside "
                f"[-{limit:g}, {limit:g}]{more if len(rows) > 1 else ''}"
            )
    fat = table.column("fatalities").to_numpy()
    if (fat < 0).any():
        row = int(np.flatnonzero(fat < 0)[0])
        raise AcledError(f"{path}: row {row + 1}: fatalities {int(fat[row])} is negative")


def _parse_dates(path: Path, raw: pd.Series) -> np.ndarray:
    text = raw.astype("str").str.strip()
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = np.ones(len(text), dtype=bool)
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        got = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        parsed[todo] = got
        todo = parsed.isna().to_numpy()
    if todo.any():
        row = int(np.flatnonzero(todo)[0])
        raise AcledError(
            f"{path}: row {row + 1}: event_date {raw.iloc[row]!r} is not a date like "
            f"'12 September 2022' or '2022-09-12'"
        )
    return parsed.to_numpy(dtype="datetime64[ns]")


def _explain(path: Path, exc: pa.ArrowInvalid) -> AcledError:
    """Turn a pyarrow failure into an error with the row and value (re-reading as text)."""
    msg = str(exc)
    if "UTF8" in msg or "UTF-8" in msg:
        return _utf8_error(path)
    if msg.startswith("CSV parse error"):
        detail = msg.removeprefix("CSV parse error: ")
        return AcledError(f"{path}: not a well-formed CSV file: {detail}")
    text = _pyarrow_read(path, {c: pa.string() for c in ACLED_COLUMNS}).to_pandas()
    for col in _MEASURE_COLUMNS:
        series = text[col].str.strip()
        numbers = pd.to_numeric(series, errors="coerce")
        bad = numbers.isna() & (series != "")
        if col in _INT_COLUMNS:
            bad |= numbers.notna() & (numbers != numbers.round())
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            kind = "an integer" if col in _INT_COLUMNS else "a number"
            return AcledError(f"{path}: row {row + 1}: {col} {text[col].iloc[row]!r} is not {kind}")
    return AcledError(f"{path}: cannot read as an ACLED export: {msg}")


def _utf8_error(path: Path) -> AcledError:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        snippet = raw[max(0, exc.start - 20) : exc.start + 10]
        return AcledError(
            f"{path}: line {line} is not UTF-8 (byte {raw[exc.start]:#04x} near {snippet!r}); "
            "save the export as UTF-8"
        )
    return AcledError(f"{path}: invalid UTF-8 text")


def _day(value: DateLike) -> np.datetime64:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return np.datetime64(pd.Timestamp(value).normalize().to_datetime64(), "ns")


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.acled EXPORT.csv [--from DAY] [--to DAY]``: check an export and print
    what the atlas would show of it (exit status 1 and the reason when it cannot be read)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m geo.acled", description=main.__doc__)
    parser.add_argument("path", type=Path, help="ACLED CSV export")
    parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
    args = parser.parse_args(argv)
    try:
        events = load_acled(args.path)
        part = window(events, args.start, args.end)
    except (AcledError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    info = summary(part)
    print(f"{args.path}: {len(events):,} events; {info['events']:,} in the window "
          f"({info['first']} to {info['last']}), {info['fatalities']:,} reported fatalities")
    for kind, count in info["by_type"].items():
        print(f"  {count:>8,}  {kind}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__: Sequence[str] = (
    "ACLED_COLUMNS",
    "EVENT_TYPES",
    "AcledError",
    "aggregate",
    "load_acled",
    "main",
    "points",
    "summary",
    "window",
)
