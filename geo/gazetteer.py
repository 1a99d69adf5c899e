"""The gazetteer: every place the atlas knows, with all the spellings people write.

The curated file is ``data/gazetteer.yaml`` (see its header for the conventions). It has three
sections:

``places``
    ``{id, name, label, kind, lat, lon, layer, features, see_also, aliases, note, source}``.
    ``id`` is the
    map feature id when the place is a map feature (``layer`` then names its layer); otherwise a
    slug following ``region-*``, ``river-*``, ``crossing-*``, ``town-*``, ``village-*`` ...
    ``lat``/``lon`` are both set or both null; a place without a point must name its ``layer`` or
    the map ``features`` that show it (kinds that have no single point, such as rivers, seas and
    mountains, may carry neither but then explain why in ``note``). ``see_also`` names places
    whose excerpts and events also concern this one (the same corridor on another alignment, the
    route a segment belongs to); the side panel offers them beside the place's own. ``source``
    cites where the coordinate comes from.
``ambiguous``
    Spellings shared by several places, with the default place and the context rules that pick
    another one (words before or after the mention). An alias may belong to two places only when
    it is listed here.
``not_places``
    Phrases that contain a place name but do not mention the place (a journal title, a person's
    first name). The linker consumes them so that the name inside is not linked.

:func:`load_gazetteer` validates all of it and raises :class:`GazetteerError` naming the file,
the place and the field at fault.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from geo.paths import GAZETTEER
from geo.schema import LAYERS

KINDS = frozenset(
    {
        "country",
        "exclave",
        "autonomous-republic",
        "province",
        "district",
        "region",
        "historical-region",
        "city",
        "town",
        "village",
        "river",
        "sea",
        "mountain",
        "road",
        "corridor",
        "route",
        "pipeline",
        "railway",
        "crossing",
        "checkpoint",
        "line",
        "border-section",
        "clash-area",
        "facility",
    }
)
# Kinds that have no single representative point: they may go without coordinates and features.
POINTLESS_KINDS = frozenset({"river", "sea", "mountain"})

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PLACE_FIELDS = (
    "id",
    "name",
    "label",
    "kind",
    "lat",
    "lon",
    "layer",
    "features",
    "see_also",
    "aliases",
    "note",
    "source",
)
_REQUIRED = ("id", "name", "kind", "source")
_RULE_FIELDS = ("words_before", "words_after", "window_before", "window_after")


class GazetteerError(ValueError):
    """The gazetteer file is missing or breaks the rules (the message says where)."""


@dataclass(frozen=True)
class Place:
    """One place: a map feature or a named place the articles mention."""

    id: str
    name: str
    label: str
    kind: str
    lat: float | None
    lon: float | None
    layer: str
    aliases: tuple[str, ...]
    note: str
    source: str
    features: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        """The name followed by every alias, without duplicates."""
        return tuple(dict.fromkeys((self.name, *self.aliases)))

    @property
    def has_point(self) -> bool:
        """True when the place has coordinates."""
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class ContextRule:
    """Pick ``place`` when one of ``words_before``/``words_after`` is near the mention.

    ``window_before``/``window_after``: how many words before/after the mention are looked at.
    """

    place: str
    words_before: frozenset[str] = frozenset()
    words_after: frozenset[str] = frozenset()
    window_before: int = 2
    window_after: int = 1


@dataclass(frozen=True)
class Ambiguity:
    """Spellings shared by several places and how context chooses among them."""

    aliases: tuple[str, ...]
    places: tuple[str, ...]
    default: str
    rules: tuple[ContextRule, ...]
    note: str = ""


@dataclass(frozen=True)
class Gazetteer:
    """The whole validated file."""

    places: dict[str, Place]
    ambiguities: tuple[Ambiguity, ...] = ()
    not_places: tuple[str, ...] = field(default_factory=tuple)


def fold(text: str) -> str:
    """Matching key of a spelling: casefolded, without diacritics, one kind of dash/apostrophe.

    The linker folds texts the same way (:func:`fold_with_map`), so a key is found wherever the
    spelling is written in any case, with or without diacritics, with any dash.
    """
    return fold_with_map(text)[0]


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Folded copy of ``text`` and, for each folded character, its index in ``text``.

    Characters fold one by one (:func:`fold_char`); a run of whitespace becomes one space and
    whitespace around a dash is dropped, so "Baku – Tbilisi" folds like "Baku–Tbilisi" and a
    line break after a hyphen ("Nagorno-\\nKarabakh") disappears.
    """
    table = _one_to_one_table(text)
    if table is None:
        return _fold_with_map_slow(text)
    folded = text.translate(table)
    cuts = []
    for m in _SPACE_CUTS.finditer(folded):
        a, b = m.span()
        near_dash = folded[a - 1 : a] == "-" or folded[b : b + 1] == "-"
        cuts.append((a if near_dash else a + 1, b))
    if not cuts:
        return folded, list(range(len(text)))
    parts: list[str] = []
    index: list[int] = []
    pos = 0
    for a, b in cuts:
        parts.append(folded[pos:a])
        index.extend(range(pos, a))
        pos = b
    parts.append(folded[pos:])
    index.extend(range(pos, len(folded)))
    return "".join(parts), index


_SPACE_CUTS = re.compile(r" {2,}|(?<=-) +| +(?=-)")
_TABLE: dict[int, str] = {}
_NOT_ONE_TO_ONE: set[str] = set()


def _one_to_one_table(text: str) -> dict[int, str] | None:
    """Translation table when every character of ``text`` folds to exactly one character."""
    chars = set(text)
    if chars & _NOT_ONE_TO_ONE:
        return None
    for c in chars:
        if ord(c) not in _TABLE:
            f = fold_char(c)
            if len(f) != 1:
                _NOT_ONE_TO_ONE.add(c)
                return None
            _TABLE[ord(c)] = f
    return _TABLE


def _fold_with_map_slow(text: str) -> tuple[str, list[int]]:
    """:func:`fold_with_map` character by character (texts with combining marks, ligatures)."""
    out: list[str] = []
    index: list[int] = []
    for i, c in enumerate(text):
        for ch in fold_char(c):
            if ch == " " and out and out[-1] in " -":
                continue
            if ch == "-":
                while out and out[-1] == " ":
                    out.pop()
                    index.pop()
            out.append(ch)
            index.append(i)
    return "".join(out), index


_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212-"
_APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u2032`\u00b4'"
_SPECIAL = {
    "\u00ad": "",  # soft hyphen: invisible, inside words
    "ı": "i",
    "ə": "e",
    "Ə": "e",
    "ß": "ss",
    "ø": "o",
    "Ø": "o",
    "đ": "d",
    "ł": "l",
}


@lru_cache(maxsize=4096)
def fold_char(c: str) -> str:
    """Fold one character (may return several characters or none)."""
    if c in _DASHES:
        return "-"
    if c in _APOSTROPHES:
        return "'"
    if c in _SPECIAL:
        return _SPECIAL[c]
    if c.isspace():
        return " "
    decomposed = unicodedata.normalize("NFD", c)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return base.casefold()


def _fail(path: Path, where: str, msg: str) -> GazetteerError:
    return GazetteerError(f"{path}: {where}: {msg}")


def _text(path: Path, where: str, rec: dict[str, Any], key: str, required: bool) -> str:
    val = rec.get(key)
    if val is None or val == "":
        if required:
            raise _fail(path, where, f"field {key!r} is missing or empty")
        return ""
    if not isinstance(val, str):
        raise _fail(path, where, f"field {key!r} must be text, got {type(val).__name__}")
    return val.strip()


def _str_list(path: Path, where: str, rec: dict[str, Any], key: str) -> tuple[str, ...]:
    val = rec.get(key) or []
    if not isinstance(val, list) or not all(isinstance(v, str) and v.strip() for v in val):
        raise _fail(path, where, f"field {key!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in val)


def _coord(path: Path, where: str, rec: dict[str, Any], key: str, limit: float) -> float | None:
    val = rec.get(key)
    if val is None:
        return None
    if isinstance(val, bool) or not isinstance(val, int | float) or not math.isfinite(val):
        raise _fail(path, where, f"field {key!r} must be a number or null, got {val!r}")
    if not -limit <= float(val) <= limit:
        raise _fail(path, where, f"field {key!r}={val} is out of range ±{limit}")
    return float(val)


def _parse_place(path: Path, index: int, rec: Any) -> Place:
    if not isinstance(rec, dict):
        raise _fail(path, f"places[{index}]", "each place must be a mapping")
    pid = rec.get("id")
    where = f"place {pid!r}" if isinstance(pid, str) else f"places[{index}]"
    unknown = sorted(set(rec) - set(_PLACE_FIELDS))
    if unknown:
        raise _fail(path, where, f"unknown fields {unknown} (allowed: {', '.join(_PLACE_FIELDS)})")
    values = {k: _text(path, where, rec, k, k in _REQUIRED) for k in ("id", "name", "kind")}
    if not _SLUG.match(values["id"]):
        raise _fail(path, where, "field 'id' must be a lowercase slug like 'town-lachin'")
    if values["kind"] not in KINDS:
        raise _fail(path, where, f"kind {values['kind']!r} is not one of {sorted(KINDS)}")
    layer = _text(path, where, rec, "layer", False)
    if layer and layer not in LAYERS:
        raise _fail(path, where, f"layer {layer!r} is not one of {list(LAYERS)}")
    lat = _coord(path, where, rec, "lat", 90.0)
    lon = _coord(path, where, rec, "lon", 180.0)
    if (lat is None) != (lon is None):
        raise _fail(path, where, "lat and lon must both be set or both be null")
    features = _str_list(path, where, rec, "features")
    note = _text(path, where, rec, "note", False)
    if lat is None and not layer and not features:
        if values["kind"] not in POINTLESS_KINDS:
            raise _fail(path, where, "no coordinates, no layer and no features to show it by")
        if not note:
            raise _fail(path, where, "a place without coordinates needs a note saying why")
    place = Place(
        id=values["id"],
        name=values["name"],
        label=_text(path, where, rec, "label", False) or values["name"],
        kind=values["kind"],
        lat=lat,
        lon=lon,
        layer=layer,
        aliases=_str_list(path, where, rec, "aliases"),
        note=note,
        source=_text(path, where, rec, "source", True),
        features=features,
        see_also=_str_list(path, where, rec, "see_also"),
    )
    spelled = {fold(s) for s in place.spellings}
    for part in place.label.split(" / ") if " / " in place.label else ():
        if fold(part.strip()) not in spelled:
            raise _fail(path, where, f"label part {part.strip()!r} is not among name/aliases")
    return place


def _words(path: Path, where: str, val: Any, key: str) -> frozenset[str]:
    if val is None:
        return frozenset()
    if not isinstance(val, list) or not all(isinstance(v, str) and v.strip() for v in val):
        raise _fail(path, where, f"{key!r} must be a list of words")
    return frozenset(fold(v.strip()) for v in val)


def _parse_ambiguity(path: Path, index: int, rec: Any, places: dict[str, Place]) -> Ambiguity:
    where = f"ambiguous[{index}]"
    if not isinstance(rec, dict):
        raise _fail(path, where, "each entry must be a mapping")
    unknown = sorted(set(rec) - {"aliases", "places", "default", "when", "note"})
    if unknown:
        raise _fail(path, where, f"unknown fields {unknown}")
    aliases = _str_list(path, where, rec, "aliases")
    ids = _str_list(path, where, rec, "places")
    if not aliases or len(ids) < 2:
        raise _fail(path, where, "needs 'aliases' and at least two 'places'")
    for pid in ids:
        if pid not in places:
            raise _fail(path, where, f"unknown place id {pid!r}")
    default = _text(path, where, rec, "default", True)
    if default not in ids:
        raise _fail(path, where, f"default {default!r} is not one of its places {list(ids)}")
    when = rec.get("when")
    if not isinstance(when, list) or not when:
        raise _fail(path, where, "needs a 'when' list of context rules")
    rules = []
    for j, r in enumerate(when):
        rw = f"{where}.when[{j}]"
        if not isinstance(r, dict) or r.get("place") not in ids:
            raise _fail(path, rw, f"'place' must be one of {list(ids)}")
        unknown = sorted(set(r) - {"place", *_RULE_FIELDS})
        if unknown:
            raise _fail(path, rw, f"unknown fields {unknown}")
        before = _words(path, rw, r.get("words_before"), "words_before")
        after = _words(path, rw, r.get("words_after"), "words_after")
        if not before and not after:
            raise _fail(path, rw, "needs 'words_before' or 'words_after'")
        windows = []
        for key, fallback in (("window_before", 2), ("window_after", 1)):
            w = r.get(key, fallback)
            if not isinstance(w, int) or isinstance(w, bool) or not 1 <= w <= 10:
                raise _fail(path, rw, f"{key!r} must be an integer from 1 to 10")
            windows.append(w)
        rules.append(ContextRule(r["place"], before, after, *windows))
    for alias in aliases:
        owners = [p for p in ids if fold(alias) in {fold(s) for s in places[p].spellings}]
        if len(owners) < 2:
            raise _fail(path, where, f"alias {alias!r} is not shared by two of {list(ids)}")
    note = _text(path, where, rec, "note", False)
    return Ambiguity(aliases, ids, default, tuple(rules), note)


def parse_gazetteer(data: Any, path: Path) -> Gazetteer:
    """Validate already-parsed YAML ``data`` (``path`` is used in messages)."""
    if not isinstance(data, dict) or not isinstance(data.get("places"), list):
        raise _fail(path, "top level", "expected a mapping with a 'places' list")
    unknown = sorted(set(data) - {"places", "ambiguous", "not_places"})
    if unknown:
        raise _fail(path, "top level", f"unknown sections {unknown}")
    places: dict[str, Place] = {}
    for i, rec in enumerate(data["places"]):
        place = _parse_place(path, i, rec)
        if place.id in places:
            raise _fail(path, f"place {place.id!r}", "duplicate id")
        places[place.id] = place
    for place in places.values():
        for field_name in ("features", "see_also"):
            for fid in getattr(place, field_name):
                if fid not in places or fid == place.id:
                    raise _fail(path, f"place {place.id!r}",
                                f"{field_name}: unknown or own place id {fid!r}")
    amb_raw = data.get("ambiguous") or []
    if not isinstance(amb_raw, list):
        raise _fail(path, "ambiguous", "must be a list")
    ambiguities = tuple(_parse_ambiguity(path, i, r, places) for i, r in enumerate(amb_raw))
    covered: dict[str, set[str]] = {}
    for amb in ambiguities:
        for alias in amb.aliases:
            covered.setdefault(fold(alias), set()).update(amb.places)
    owners: dict[str, list[str]] = {}
    for place in places.values():
        for s in place.spellings:
            key = fold(s)
            if place.id not in owners.setdefault(key, []):
                owners[key].append(place.id)
    for key, ids in owners.items():
        if len(ids) > 1 and not set(ids) <= covered.get(key, set()):
            raise _fail(
                path,
                f"place {ids[1]!r}",
                f"alias {key!r} is shared with {ids[0]!r} but not listed in 'ambiguous'",
            )
    not_places = _str_list(path, "not_places", {"not_places": data.get("not_places")}, "not_places")
    for phrase in not_places:
        if fold(phrase) in owners:
            raise _fail(path, "not_places", f"{phrase!r} is also a place spelling")
    return Gazetteer(places, ambiguities, not_places)


def read_gazetteer(path: Path | str = GAZETTEER) -> Gazetteer:
    """Read and validate the whole gazetteer file (places, ambiguities, non-place phrases)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GazetteerError(f"{path}: gazetteer file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{path}: cannot read gazetteer: {exc}") from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise GazetteerError(f"{path}: not valid YAML: {exc}") from exc
    return parse_gazetteer(data, path)


def load_gazetteer(path: Path | str = GAZETTEER) -> dict[str, Place]:
    """Places by id from the validated gazetteer file."""
    return read_gazetteer(path).places
