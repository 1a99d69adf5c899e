"""The knowledge index: precomputed lookups between places, passages and events.

``build_index(articles, places, events, linker)`` does all the work once; afterwards every
lookup is a dictionary access:

``place_passages[place_id]``
    ``Hit(passage_id, mentions)`` for each passage that mentions the place, in corpus order;
    ``mentions`` are ``(start, end)`` offsets into the PASSAGE text (not the article), so
    ``passage.text[start:end]`` is the spelling the linker found.
``place_events[place_id]``
    ids of the events whose ``place_ids`` contain the place, in date order. Only the event's own
    list counts: a click on a town does not inherit the events of its district (the gazetteer has
    no containment relation to derive that from).
``event_passages[event_id]``
    ids of the passages that discuss the event, best first (see the rule below), at most
    ``MAX_PASSAGES_PER_EVENT``; ``passage_events`` is the reverse lookup.
``resolve(query)``
    the place for any spelling (id, name, label, either half of a "A / B" label, alias), matched
    after casefolding, stripping diacritics and unifying dashes and apostrophes. A spelling
    shared by several places goes to the gazetteer's default for it (its ``ambiguous``
    section: "Kelbecer" and "Kalbajar" give the town ``town-kalbajar``, "Nakhichevan" gives
    ``nakhchivan-ar``); otherwise the place whose id, name or label it is wins over places
    that only list it as an alias, then the larger unit (country, autonomous republic,
    province, district, region) over the smaller.

Which passages discuss an event
-------------------------------
A passage is scored against an event from four kinds of evidence:

* places: the linker finds one of the event's places in the passage: +3 for a specific place,
  +1 when only a broad one is mentioned (``country-*``, ``region-*`` and the capitals Yerevan,
  Baku and Tbilisi, which articles use for their governments);
* keywords: each distinct single-word keyword of the event found as a word (plural and
  ``-ed``/``-ing`` forms included, each spelling counted once): +2, at most three counted;
* phrases: each keyword of two or more words is distinctive ("Bishkek Protocol", "Madrid
  Principles"): +5, at most two counted;
* dates: every date expression in the passage ("26 February 1992", "February 22, 2023",
  "12-14 September", "November 2020", "in October", "1994") is read, a missing year taken
  from the last full date before it in the passage or else from the article's publication
  date, and compared with the event's period. The best relation counts: +4 for a day inside a
  day-dated event of at most a month; +3 for a month or day inside a longer or month-dated
  event, or a year inside a year-dated one (the event's ``date_terms`` count +4); +1 when only
  the month or the year overlaps; 0 within a month of the period; when every date of the
  passage is further away it is about another time: -4 (-2 when a phrase matched) if it gives
  other days or months, -1 if it gives only other years.

A passage discusses the event when its score is at least 5, it has a keyword, a phrase or an
exact date, and it names one of the event's places, a phrase or an exact date. In practice: a
specific place plus one keyword, a broad place plus two keywords, an exact date plus a
keyword, or a distinctive phrase alone, unless the passage's own dates point elsewhere.
Passages of an article published before the event began are never linked to it. Each event
keeps its ``MAX_PASSAGES_PER_EVENT`` best passages (ties in corpus order).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from geo.articles import Article, Passage, load_corpus, split_passages
from geo.events import Event, load_events
from geo.gazetteer import Ambiguity, Place, fold, read_gazetteer
from geo.linker import Linker
from geo.paths import EVENTS, GAZETTEER

MAX_PASSAGES_PER_EVENT = 8
MIN_SCORE = 5
BROAD_PREFIXES = ("country-", "region-")
# Capitals stand for their governments ("Yerevan fears", "Baku argued"): broad, like countries.
BROAD_PLACES = frozenset({"town-yerevan", "town-baku", "town-tbilisi"})

# Larger units first: a spelling shared without a gazetteer default goes to the first kind.
_KIND_RANK = {
    k: i
    for i, k in enumerate(
        ("country", "autonomous-republic", "province", "district", "region", "historical-region")
    )
}

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_M = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_D = r"(\d{1,2})(?:st|nd|rd|th)?(?!\d)"
_Y = r"(1[89]\d\d|20\d\d)(?!\d)"
_DAY_FIRST = re.compile(rf"(?<!\d){_D}(?:\s*-\s*{_D})?\s+(?:of\s+)?{_M}(?:,?\s+{_Y})?")
_MONTH_FIRST = re.compile(rf"(?<![\w-]){_M}\s+{_D}(?:\s*-\s*{_D})?(?:,?\s+{_Y})?")
_MONTH_YEAR = re.compile(rf"(?<![\w-]){_M},?\s+(?:of\s+)?{_Y}")
_YEAR = re.compile(rf"(?<![\d,.]){_Y}(?![,.]\d)")
_BARE_MONTH = re.compile(
    rf"(?<![\w-])(?:in|since|by|from|until|last|early|mid|late|end of|beginning of)\s+{_M}"
    r"(?!\s*\d)"
)

_EXACT_DAY, _EXACT, _PARTIAL, _CLOSE, _FAR_DATE, _FAR_YEAR = 4, 3, 1, 0, -4, -1
_FAR_PHRASE = -2  # a distinctive phrase outweighs other dates more than a keyword does
_SUFFIX = r"(?:s|es|ed|d|ing)?"


@dataclass(frozen=True)
class Hit:
    """A passage that mentions a place; ``mentions`` are offsets into the passage text."""

    passage_id: str
    mentions: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class DateMention:
    """A date written in a text: any of day, month, year may be missing (not all)."""

    year: int | None
    month: int | None
    days: tuple[int, ...] = ()


@dataclass
class KnowledgeIndex:
    """Lookups between articles, passages, places and events (see the module docstring)."""

    articles: dict[str, Article]
    passages: dict[str, Passage]
    events: dict[str, Event]
    places: dict[str, Place]
    place_passages: dict[str, list[Hit]]
    place_events: dict[str, list[str]]
    event_passages: dict[str, list[str]]
    passage_events: dict[str, list[str]] = field(default_factory=dict)
    spellings: dict[str, str] = field(default_factory=dict)
    related: dict[str, list[str]] = field(default_factory=dict)

    def resolve(self, query: str) -> Place | None:
        """The place for any spelling or id of it, or None."""
        place_id = self.spellings.get(_key(query))
        return self.places.get(place_id) if place_id else None

    def passages_for_place(self, place_id: str) -> list[Hit]:
        """Hits for a place (empty when none)."""
        return self.place_passages.get(place_id, [])

    def events_for_place(self, place_id: str) -> list[Event]:
        """Events at a place, in date order."""
        return [self.events[e] for e in self.place_events.get(place_id, [])]

    def related_places(self, place_id: str) -> list[Place]:
        """Places whose excerpts and events also concern ``place_id`` (see :func:`relate`)."""
        return [self.places[p] for p in self.related.get(place_id, [])]

    def passages_for_event(self, event_id: str) -> list[Passage]:
        """Passages that discuss an event, best first."""
        return [self.passages[p] for p in self.event_passages.get(event_id, [])]


# --- spellings ------------------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(fold(text).split())


def build_spellings(
    places: Mapping[str, Place], ambiguities: Iterable[Ambiguity] = ()
) -> dict[str, str]:
    """Folded spelling -> place id, for every id, name, label, label half and alias."""
    candidates: dict[str, dict[str, tuple[int, int]]] = {}
    for place in places.values():
        rank = _KIND_RANK.get(place.kind, len(_KIND_RANK))
        own = [place.id, place.name, place.label, *place.label.split(" / ")]
        for tier, spellings in ((0, own), (1, place.aliases)):
            for spelling in spellings:
                key = _key(spelling)
                if not key:
                    continue
                best = candidates.setdefault(key, {})
                best[place.id] = min(best.get(place.id, (tier, rank)), (tier, rank))
    defaults = {}
    for amb in ambiguities:
        for alias in amb.aliases:
            defaults[_key(alias)] = amb.default
    out = {}
    for key, options in candidates.items():
        default = defaults.get(key)
        if default in options:
            out[key] = default
        else:
            out[key] = min(options, key=lambda pid: (*options[pid], pid))
    return out


# --- dates in text --------------------------------------------------------------------------


def find_dates(text: str, reference: dt.date | None = None) -> list[DateMention]:
    """Date expressions in ``text`` (any case, any dash), most specific reading first.

    A date written without a year ("on 24 May", "in August") takes the year of the last
    date before it in the text that has one; failing that, ``reference`` (the publication
    date) supplies the year of the latest such date not after it. Without either the year
    stays ``None``; bare month names are read only when a year can be supplied.
    """
    folded = fold(text)
    found: list[tuple[int, int, DateMention]] = []

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b, _ in found)

    for match in _DAY_FIRST.finditer(folded):
        d1, d2, month, year = match.groups()
        found.append((*match.span(), _mention(year, month, d1, d2)))
    for match in _MONTH_FIRST.finditer(folded):
        if free(match.span()):
            month, d1, d2, year = match.groups()
            found.append((*match.span(), _mention(year, month, d1, d2)))
    for match in _MONTH_YEAR.finditer(folded):
        if free(match.span()):
            found.append((*match.span(), DateMention(int(match.group(2)), _MONTHS[match.group(1)])))
    for match in _YEAR.finditer(folded):
        if free(match.span()):
            found.append((*match.span(), DateMention(int(match.group(1)), None)))
    for match in _BARE_MONTH.finditer(folded):
        if free(match.span()):
            found.append((*match.span(), DateMention(None, _MONTHS[match.group(1)])))
    out: list[DateMention] = []
    last_year: int | None = None
    for _, _, m in sorted(found, key=lambda f: f[0]):
        if m.year is not None:
            last_year = m.year
        elif last_year is not None:
            m = DateMention(last_year, m.month, m.days)
        elif reference is not None and m.month is not None:
            year = reference.year if m.month <= reference.month else reference.year - 1
            m = DateMention(year, m.month, m.days)
        elif not m.days:
            continue  # a bare month name with no year anywhere: not a date
        out.append(m)
    return [m for m in out if _valid(m)]


def _mention(year: str | None, month: str, d1: str, d2: str | None) -> DateMention:
    days = tuple(range(int(d1), int(d2) + 1)) if d2 and int(d2) >= int(d1) else (int(d1),)
    return DateMention(int(year) if year else None, _MONTHS[month], days[:31])


def _valid(m: DateMention) -> bool:
    return all(1 <= d <= 31 for d in m.days)


def _month_span(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def _gap(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> int:
    """Days between two periods (0 when they overlap)."""
    if a[1] < b[0]:
        return (b[0] - a[1]).days
    if b[1] < a[0]:
        return (a[0] - b[1]).days
    return 0


def date_relation(mention: DateMention, event: Event) -> int:
    """Score of one date mention against an event's period (see the module docstring)."""
    period = (event.date, event.end)
    coarse = event.precision != "day" or (event.end - event.date).days > 31
    if mention.month is None:  # a year alone
        year = mention.year or 0
        if period[0].year <= year <= period[1].year:
            return _EXACT if event.precision == "year" else _PARTIAL
        return _FAR_YEAR
    if mention.year is None:  # no year and no publication date to supply it: no evidence
        return _CLOSE
    month = _month_span(mention.year, mention.month)
    if not mention.days:
        gap = _gap(month, period)
        if gap == 0:
            return _EXACT if coarse else _PARTIAL
        return _CLOSE if gap <= 31 else _FAR_DATE
    best = _FAR_DATE
    for day in mention.days:
        try:
            when = dt.date(mention.year, mention.month, day)
        except ValueError:
            continue
        gap = _gap((when, when), period)
        inside = _EXACT if coarse else _EXACT_DAY
        best = max(best, inside if gap == 0 else _CLOSE if gap <= 31 else _FAR_DATE)
    return best


# --- passages and events --------------------------------------------------------------------


def _flat(text: str) -> str:
    """Folded text with hyphens and slashes as spaces, for keyword matching."""
    return " " + " ".join(re.sub(r"[-/]", " ", fold(text)).split()) + " "


@dataclass(frozen=True)
class _PassageFacts:
    passage: Passage
    order: int
    flat: str
    dates: tuple[DateMention, ...]
    place_ids: frozenset[str]
    published_by: dt.date | None


@dataclass(frozen=True)
class _Term:
    """A keyword or date term: a plain substring test first, the word-boundary regex after."""

    text: str
    pattern: re.Pattern[str]

    def found(self, flat: str) -> set[str]:
        """The distinct spellings matched ("resolution" and "resolutions" count once each)."""
        if self.text not in flat:
            return set()
        return {m.group(0) for m in self.pattern.finditer(flat)}


@dataclass(frozen=True)
class _EventTerms:
    event: Event
    phrases: tuple[_Term, ...]
    words: tuple[_Term, ...]
    date_terms: tuple[_Term, ...]
    specific: frozenset[str]
    broad: frozenset[str]


def _term(text: str, suffix: bool) -> _Term:
    flat = _flat(text).strip()
    tail = _SUFFIX if suffix else ""
    return _Term(flat, re.compile(r"(?<!\w)" + re.escape(flat) + tail + r"(?!\w)"))


def _event_terms(event: Event) -> _EventTerms:
    phrases, words = [], []
    for keyword in event.keywords:
        (phrases if len(_flat(keyword).split()) > 1 else words).append(_term(keyword, True))
    return _EventTerms(
        event=event,
        phrases=tuple(phrases),
        words=tuple(words),
        date_terms=tuple(_term(t, False) for t in event.date_terms),
        specific=frozenset(p for p in event.place_ids if not _is_broad(p)),
        broad=frozenset(p for p in event.place_ids if _is_broad(p)),
    )


def _is_broad(place_id: str) -> bool:
    return place_id.startswith(BROAD_PREFIXES) or place_id in BROAD_PLACES


def _article_end(date: str) -> dt.date | None:
    parts = [int(p) for p in date.split("-")] if date else []
    if not parts:
        return None
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return _month_span(parts[0], parts[1])[1]
    return dt.date(*parts[:3])


def score(terms: _EventTerms, facts: _PassageFacts) -> int | None:
    """Score of a passage for an event, or None when the passage does not discuss it."""
    event = terms.event
    if facts.published_by is not None and facts.published_by < event.date:
        return None
    phrases = len({m for p in terms.phrases for m in p.found(facts.flat)})
    words = len({m for w in terms.words for m in w.found(facts.flat)})
    specific = bool(terms.specific & facts.place_ids)
    broad = bool(terms.broad & facts.place_ids)
    if any(t.found(facts.flat) for t in terms.date_terms):
        dating = _EXACT_DAY
    elif facts.dates:
        dating = _date_score([date_relation(m, event) for m in facts.dates])
    else:
        dating = 0
    if phrases:
        dating = max(dating, _FAR_PHRASE)
    total = 5 * min(phrases, 2) + 2 * min(words, 3) + (3 if specific else 1 if broad else 0)
    total += dating
    exact = dating >= _EXACT
    placed = specific or broad or phrases > 0 or exact
    evidence = phrases > 0 or words > 0 or exact
    return total if total >= MIN_SCORE and placed and evidence else None


def _date_score(relations: list[int]) -> int:
    """Best evidence wins; other days or months count against only when nothing fits."""
    best = max(relations)
    if best >= _CLOSE:
        return best
    return _FAR_DATE if _FAR_DATE in relations else _FAR_YEAR


def link_events(
    passages: Sequence[Passage],
    passage_places: Mapping[str, Iterable[str]],
    events: Iterable[Event],
    article_dates: Mapping[str, str] | None = None,
    limit: int = MAX_PASSAGES_PER_EVENT,
) -> dict[str, list[tuple[str, int]]]:
    """Event id -> [(passage id, score)], best first, at most ``limit`` per event."""
    article_dates = article_dates or {}
    facts = [
        _PassageFacts(
            passage=p,
            order=i,
            flat=_flat(p.text),
            dates=tuple(find_dates(p.text, _article_end(article_dates.get(p.article_id, "")))),
            place_ids=frozenset(passage_places.get(p.id, ())),
            published_by=_article_end(article_dates.get(p.article_id, "")),
        )
        for i, p in enumerate(passages)
    ]
    out: dict[str, list[tuple[str, int]]] = {}
    for event in events:
        terms = _event_terms(event)
        scored = []
        for f in facts:
            s = score(terms, f)
            if s is not None:
                scored.append((-s, f.order, f.passage.id))
        out[event.id] = [(pid, -neg) for neg, _, pid in sorted(scored)[:limit]]
    return out


# --- the index ------------------------------------------------------------------------------


def build_index(
    articles: Iterable[Article],
    places: Mapping[str, Place],
    events: Iterable[Event],
    linker: Linker,
    *,
    ambiguities: Iterable[Ambiguity] = (),
) -> KnowledgeIndex:
    """Split, link and cross-reference everything once."""
    articles_by_id = {a.id: a for a in articles}
    passages: dict[str, Passage] = {}
    for article in articles_by_id.values():
        for passage in split_passages(article):
            passages[passage.id] = passage
    place_passages: dict[str, list[Hit]] = {}
    passage_places: dict[str, set[str]] = {}
    for passage in passages.values():
        found: dict[str, list[tuple[int, int]]] = {}
        for m in linker.link(passage.text):
            found.setdefault(m.place_id, []).append((m.start, m.end))
        for place_id, spans in found.items():
            place_passages.setdefault(place_id, []).append(Hit(passage.id, tuple(spans)))
        passage_places[passage.id] = set(found)
    events_by_id = {e.id: e for e in sorted(events, key=lambda e: (e.date, e.end, e.id))}
    place_events: dict[str, list[str]] = {}
    for event in events_by_id.values():
        for place_id in dict.fromkeys(event.place_ids):
            place_events.setdefault(place_id, []).append(event.id)
    linked = link_events(
        list(passages.values()),
        passage_places,
        events_by_id.values(),
        {a.id: a.date for a in articles_by_id.values()},
    )
    event_passages = {eid: [pid for pid, _ in hits] for eid, hits in linked.items()}
    passage_events: dict[str, list[str]] = {}
    for eid, pids in event_passages.items():
        for pid in pids:
            passage_events.setdefault(pid, []).append(eid)
    return KnowledgeIndex(
        articles=articles_by_id,
        passages=passages,
        events=events_by_id,
        places=dict(places),
        place_passages=place_passages,
        place_events=place_events,
        event_passages=event_passages,
        passage_events=passage_events,
        spellings=build_spellings(places, ambiguities),
        related=relate(places),
    )


def relate(places: Mapping[str, Place]) -> dict[str, list[str]]:
    """Related places of each place: its own ``see_also``, then the places it shows on the map.

    A place without a feature of its own names the features that show it (``features``:
    Karabakh → the former NKAO outline); a click on that feature should also offer what the
    articles say about Karabakh. ``see_also`` links the same thing in another form (the Lachin
    corridor of 2020 and of 2022, a route and its Armenian segment).
    """
    related: dict[str, list[str]] = {}
    for place in places.values():
        related.setdefault(place.id, []).extend(place.see_also)
    for place in places.values():
        for feature_id in place.features:
            related.setdefault(feature_id, []).append(place.id)
    return {pid: list(dict.fromkeys(ids)) for pid, ids in related.items() if ids}


@lru_cache(maxsize=1)
def load_index() -> KnowledgeIndex:
    """The index of the shipped articles, gazetteer and events (built once per process)."""
    gazetteer = read_gazetteer(GAZETTEER)
    return build_index(
        load_corpus(),
        gazetteer.places,
        load_events(EVENTS, places=gazetteer.places),
        Linker.from_gazetteer(gazetteer),
        ambiguities=gazetteer.ambiguities,
    )
