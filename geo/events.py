"""The event timeline: dated events of the conflict, read from ``data/events.yaml``.

``load_events()`` validates the file and returns the events sorted by date. Every problem is
reported as an ``EventError`` naming the file, the event (id or position) and the field.
Dates keep their precision: ``"1992-02-26"`` (day), ``"1994-05"`` (month) or ``"1988"``
(year); ``Event.date`` is the first day of that period and ``Event.end`` the last day of the
event (the end of ``end_date``'s period, or of ``date``'s when there is no ``end_date``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from geo.paths import EVENTS

KINDS: dict[str, str] = {
    "war": "a war lasting weeks or years",
    "offensive": "a military operation by one side",
    "capture": "a town or district taken by force",
    "clash": "fighting or shooting on a border or front line",
    "atrocity": "mass violence against civilians",
    "ceasefire": "an agreed end or pause of fighting",
    "agreement": "a signed or jointly announced text",
    "proposal": "a proposal one side puts to the other",
    "meeting": "a summit, talks or an official visit",
    "mediation": "a change in the international mediation of the conflict",
    "resolution": "a resolution of an international body",
    "ruling": "an order or judgment of a court",
    "mission": "an international monitoring, peacekeeping or fact-finding presence",
    "blockade": "a road or border closed to traffic",
    "checkpoint": "a control post set up on a route",
    "delimitation": "border delimitation or demarcation work",
    "handover": "territory passing from one side's control to the other's",
    "withdrawal": "troops, a mission or a state leaving a place or an organisation",
    "displacement": "people forced or driven to leave",
    "return": "displaced people returning",
    "political": "a declaration, decree or movement inside one side",
    "infrastructure": "a pipeline, railway, road or bridge opened or begun",
    "incident": "another dated event that bears on the conflict",
}
PRECISIONS = ("day", "month", "year")
REQUIRED = ("id", "date", "precision", "title", "summary", "kind", "place_ids", "sources")
OPTIONAL = ("end_date", "keywords", "date_terms", "note")
SOURCE_FIELDS = ("publisher", "title", "url", "citation")

_DATE_FORMS = {
    "day": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "year": re.compile(r"^(\d{4})$"),
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when libyaml is there


class EventError(ValueError):
    """The events file is missing or malformed; the message names file, event and field."""


@dataclass(frozen=True)
class Event:
    """One dated event. ``date`` is the first day of the period the date string names."""

    id: str
    date: dt.date
    end_date: dt.date | None
    precision: str
    title: str
    summary: str
    kind: str
    place_ids: tuple[str, ...]
    sources: tuple[dict[str, str], ...]
    keywords: tuple[str, ...] = ()
    date_terms: tuple[str, ...] = ()
    note: str = ""
    date_text: str = ""
    end_text: str = ""

    @property
    def end(self) -> dt.date:
        """Last day of the event (inclusive)."""
        if self.end_date is not None:
            return _period_end(self.end_date, self.end_text or _text_for(self.end_date))
        return _period_end(self.date, self.date_text or _text_for(self.date, self.precision))

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        """True when the event's period intersects ``[start, end]``."""
        return self.date <= end and self.end >= start

    def label_date(self) -> str:
        """The date as written, with the end date for ranges: ``1992-05-08 – 1992-05-09``."""
        if self.end_text:
            return f"{self.date_text} – {self.end_text}"
        return self.date_text


def _text_for(day: dt.date, precision: str = "day") -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _precision_of(text: str) -> str | None:
    for precision, pattern in _DATE_FORMS.items():
        if pattern.match(text):
            return precision
    return None


def _period_end(start: dt.date, text: str) -> dt.date:
    precision = _precision_of(text)
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "month":
        return dt.date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start


def parse_date(text: Any, where: str) -> tuple[dt.date, str]:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; return (first day, precision)."""
    if isinstance(text, dt.date):  # YAML turns unquoted 2020-11-10 into a date
        text = text.isoformat()
    if isinstance(text, int):
        text = str(text)
    if not isinstance(text, str):
        raise EventError(f"{where}: expected a date string, got {text!r}")
    text = text.strip()
    precision = _precision_of(text)
    if precision is None:
        raise EventError(f"{where}: {text!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        return dt.date(parts[0], parts[1], parts[2]), precision
    except ValueError as exc:
        raise EventError(f"{where}: {text!r} is not a real date ({exc})") from exc


def _texts(value: Any, where: str, *, required: bool) -> tuple[str, ...]:
    if value is None:
        if required:
            raise EventError(f"{where}: missing")
        return ()
    if not isinstance(value, list):
        raise EventError(f"{where}: expected a list, got {type(value).__name__}")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise EventError(f"{where}[{i}]: expected text, got {item!r}")
        text = str(item).strip()
        if not text:
            raise EventError(f"{where}[{i}]: empty")
        out.append(text)
    if required and not out:
        raise EventError(f"{where}: empty list")
    return tuple(out)


def _source(item: Any, refs: Mapping[str, dict[str, str]], where: str) -> dict[str, str]:
    if isinstance(item, str):
        if item not in refs:
            raise EventError(f"{where}: unknown reference {item!r} (not in `references`)")
        return dict(refs[item], ref=item)
    if not isinstance(item, dict):
        raise EventError(f"{where}: expected a reference key or a mapping, got {item!r}")
    return _source_fields(item, where)


def _source_fields(item: Mapping[str, Any], where: str) -> dict[str, str]:
    unknown = sorted(set(item) - set(SOURCE_FIELDS))
    if unknown:
        raise EventError(f"{where}: unknown source field(s) {unknown}")
    out = {k: str(v).strip() for k, v in item.items() if v is not None and str(v).strip()}
    if not (out.get("publisher") or out.get("title")):
        raise EventError(f"{where}: a source needs a publisher or a title")
    if not (out.get("url") or out.get("citation")):
        raise EventError(f"{where}: a source needs a url or a citation")
    if "url" in out and not out["url"].startswith(("http://", "https://")):
        raise EventError(f"{where}: url {out['url']!r} is not http(s)")
    return out


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"{where}: field {key!r} must be non-empty text")
    return " ".join(value.split())


def _event(raw: Any, refs: Mapping[str, dict[str, str]], name: str, index: int) -> Event:
    label = raw.get("id") if isinstance(raw, dict) else None
    where = f"{name}: event #{index + 1}" + (f" ({label!r})" if label else "")
    if not isinstance(raw, dict):
        raise EventError(f"{where}: expected a mapping, got {type(raw).__name__}")
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        raise EventError(f"{where}: missing field(s) {missing}")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise EventError(f"{where}: unknown field(s) {unknown}")
    event_id = raw["id"]
    if not isinstance(event_id, str) or not _SLUG.match(event_id):
        raise EventError(f"{where}: field 'id' {event_id!r} is not a lowercase slug")
    where = f"{name}: event {event_id!r}"
    start, precision = parse_date(raw["date"], f"{where}, field 'date'")
    if raw["precision"] not in PRECISIONS:
        raise EventError(f"{where}, field 'precision': {raw['precision']!r} not in {PRECISIONS}")
    if raw["precision"] != precision:
        raise EventError(
            f"{where}, field 'precision': {raw['precision']!r} does not match the date "
            f"{_text_for(start, precision)!r} ({precision})"
        )
    date_text = _text_for(start, precision)
    end_date, end_text = None, ""
    if raw.get("end_date") is not None:
        end_date, end_precision = parse_date(raw["end_date"], f"{where}, field 'end_date'")
        end_text = _text_for(end_date, end_precision)
        if _period_end(end_date, end_text) < start:
            raise EventError(f"{where}, field 'end_date': {end_text} is before {date_text}")
    kind = raw["kind"]
    if kind not in KINDS:
        raise EventError(f"{where}, field 'kind': {kind!r} not in {sorted(KINDS)}")
    sources = raw["sources"]
    if not isinstance(sources, list) or not sources:
        raise EventError(f"{where}, field 'sources': needs at least one source")
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise EventError(f"{where}, field 'note': expected text")
    return Event(
        id=event_id,
        date=start,
        end_date=end_date,
        precision=precision,
        title=_text(raw, "title", where),
        summary=_text(raw, "summary", where),
        kind=kind,
        place_ids=_texts(raw["place_ids"], f"{where}, field 'place_ids'", required=True),
        sources=tuple(
            _source(s, refs, f"{where}, field 'sources'[{i}]") for i, s in enumerate(sources)
        ),
        keywords=_texts(raw.get("keywords"), f"{where}, field 'keywords'", required=False),
        date_terms=_texts(raw.get("date_terms"), f"{where}, field 'date_terms'", required=False),
        note=" ".join((note or "").split()),
        date_text=date_text,
        end_text=end_text,
    )


def _references(raw: Any, name: str) -> dict[str, dict[str, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise EventError(f"{name}: `references` must be a mapping of key -> source")
    refs = {}
    for key, value in raw.items():
        if not isinstance(value, dict):
            raise EventError(f"{name}: reference {key!r} must be a mapping")
        refs[str(key)] = _source_fields(value, f"{name}: reference {key!r}")
    return refs


def load_events(
    path: str | Path = EVENTS, places: Mapping[str, object] | Iterable[str] | None = None
) -> list[Event]:
    """Read, validate and sort the events file.

    ``places`` (a gazetteer dict or any collection of ids) turns on the check that every
    ``place_ids`` entry exists.
    """
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise EventError(f"{path}: events file not found")
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise EventError(f"{name}: not valid YAML ({exc})") from exc
    if isinstance(doc, list):
        doc = {"events": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise EventError(f"{name}: expected a mapping with an `events` list")
    refs = _references(doc.get("references"), name)
    known = set(places) if places is not None else None
    events: list[Event] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(doc["events"]):
        event = _event(raw, refs, name, i)
        if event.id in seen:
            raise EventError(
                f"{name}: event {event.id!r}, field 'id': duplicate id "
                f"(events #{seen[event.id] + 1} and #{i + 1})"
            )
        seen[event.id] = i
        if known is not None:
            unknown = [p for p in event.place_ids if p not in known]
            if unknown:
                raise EventError(
                    f"{name}: event {event.id!r}, field 'place_ids': not in the gazetteer: "
                    f"{unknown}"
                )
        events.append(event)
    if not events:
        raise EventError(f"{name}: no events")
    return sorted(events, key=lambda e: (e.date, e.end, e.id))


def missing_places(events: Iterable[Event], places: Iterable[str]) -> dict[str, list[str]]:
    """Event id -> place ids it uses that are not in ``places`` (empty when all resolve)."""
    known = set(places)
    out = {e.id: [p for p in e.place_ids if p not in known] for e in events}
    return {k: v for k, v in out.items() if v}


def events_between(events: Iterable[Event], start: dt.date, end: dt.date) -> list[Event]:
    """Events whose period overlaps ``[start, end]`` (inclusive), in date order."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    return sorted((e for e in events if e.overlaps(start, end)), key=lambda e: (e.date, e.id))


def events_near(events: Iterable[Event], day: dt.date, n: int = 5) -> list[Event]:
    """The ``n`` events closest in time to ``day`` (0 days when ``day`` is inside the event)."""

    def distance(event: Event) -> int:
        if event.date <= day <= event.end:
            return 0
        return min(abs((event.date - day).days), abs((event.end - day).days))

    return sorted(events, key=lambda e: (distance(e), e.date, e.id))[: max(n, 0)]
