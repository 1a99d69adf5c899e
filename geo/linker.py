"""Find every mention of a gazetteer place in a text.

Rules (each has a unit test in ``tests/test_linker.py``):

* **One automaton.** Every spelling of every place (name and aliases) is folded
  (:func:`geo.gazetteer.fold`: casefold, diacritics removed, ``ə``→``e``, ``ı``→``i``, all
  hyphens and dashes ``‐ ‑ ‒ – — −`` → ``-``, all apostrophes → ``'``) and put in one
  Aho–Corasick automaton (``pyahocorasick``). The text is folded the same way, character by
  character, into a copy with an offset map (runs of whitespace, CR/LF included, become one
  space; spaces around dashes are dropped, so "Baku – Tbilisi – Ceyhan" and a hyphen at a line
  break match too), so every mention carries offsets into the text exactly as given:
  ``text[start:end] == surface``.
* **Word boundaries.** A match counts only when the characters before and after it are not
  letters or digits: "Kars" is not found in "Karsten", "Aras" not in "Arasay", "Armenia" not in
  "Armenian". Hyphens, dashes, slashes and apostrophes are boundaries, so "Armenia‑Azerbaijan"
  gives two mentions.
* **Possessives.** "Armenia's", "Syunik’s" and "Kars’" are found; the surface excludes the
  possessive suffix. Because PDF extraction drops apostrophes, "Armenias"/"Russias" (a spelling
  ending in "a" followed by a bare "s") also counts, again without the "s".
* **Case.** Each word of a spelling that starts with a capital must start with a capital in the
  text (or the whole match is in capitals, for titles); words written in lower case in the
  gazetteer ("corridor", "pipeline") match in any case. Spellings written all in capitals
  (acronyms: BTC, SCP, TANAP, BTK, NKAO) must match exactly. So "turkey", "georgia" or a
  lower-case word in a URL never link, and "Lachin Corridor" matches "Lachin corridor".
* **Longest match wins.** Of overlapping candidates the longest is kept ("Lachin corridor" over
  "Lachin", "Baku–Tbilisi–Ceyhan pipeline" over "Baku", "South Caucasus Pipeline" over "South
  Caucasus", "Nagorno-Karabakh Autonomous Oblast" over "Nagorno-Karabakh"); mentions never
  overlap.
* **Not places.** Phrases listed under ``not_places`` in the gazetteer ("Baku Dialogues", a
  journal; "Ararat Mirzoyan", a person; "Western Azerbaijan", a name for Armenia's territory)
  take part in the longest-match contest and are then dropped, so the name inside is not linked.
* **Ambiguity.** A spelling shared by several places (town/district "Lachin", AR/city
  "Nakhchivan", region/oblast "Nagorno-Karabakh") resolves by the context rules of the
  ``ambiguous`` section of the gazetteer: a rule fires when one of its words occurs within
  ``window_before`` (default 2) words before or ``window_after`` (default 1) words after the
  mention, in the same sentence ("Zangilan district", "the border regions called Lachin",
  "the city of Nakhchivan"; "Lachin, the district centre" stays the town). Mentions joined
  into a list by commas, "and" or "or" share the context of the whole list ("the Aghdam,
  Fuzuli, Jabrayil, and Zangilan districts"). Otherwise the entry's ``default`` applies (the
  town; the Autonomous Republic for "Nakhchivan", which is what the seed articles mean by it).
* **Generic words stay outside the surface.** "Syunik province", "Tavush region" and "Zangilan
  district" give the surfaces "Syunik", "Tavush", "Zangilan"; only words that make a different
  place are part of a spelling ("corridor", "pipeline", "railway", "Autonomous Republic").
* **Scope.** The gazetteer holds the map features and the places inside the map box
  (:data:`geo.schema.REGION_BOX`). Capitals far outside it (Moscow, Washington, Brussels, Paris,
  Ankara, Tehran) are not linked: the articles use them as names for governments.

Command line: ``python -m geo link PATH --json`` (``-`` reads stdin) prints
``{"mentions": [{"start", "end", "surface", "place_id", "name", "kind"}]}``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from geo.gazetteer import (
    Ambiguity,
    Gazetteer,
    GazetteerError,
    Place,
    fold,
    fold_char,
    fold_with_map,
    read_gazetteer,
)
from geo.paths import GAZETTEER

_NOT_A_PLACE = ""  # place id of the not_places phrases
_SENTENCE_END = re.compile(r"[.!?;:]\s|[\n\r]\s*[\n\r]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_LIST_GAP = re.compile(r"^\s*(?:,|,?\s*(?:and|or|&)|/)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A place mention: ``text[start:end] == surface``."""

    start: int
    end: int
    surface: str
    place_id: str
    name: str
    kind: str


@dataclass(frozen=True)
class _Spelling:
    text: str  # as written in the gazetteer
    place_ids: tuple[str, ...]
    acronym: bool
    capitals: tuple[bool, ...]  # per word: must start with a capital


def _word_starts(s: str) -> list[int]:
    """Indexes of the first character of each word (split at spaces and hyphens)."""
    starts = []
    prev_sep = True
    for i, c in enumerate(s):
        if c.isspace() or fold_char(c) == "-":
            prev_sep = True
        elif prev_sep:
            starts.append(i)
            prev_sep = False
    return starts


def _make_spelling(text: str, place_ids: tuple[str, ...]) -> _Spelling:
    letters = [c for c in text if c.isalpha()]
    acronym = len(letters) >= 2 and all(c.isupper() for c in letters)
    capitals = tuple(text[i].isupper() for i in _word_starts(text))
    return _Spelling(text, place_ids, acronym, capitals)


class Linker:
    """Place-mention linker over one Aho–Corasick automaton of all spellings."""

    def __init__(
        self,
        places: dict[str, Place],
        ambiguities: tuple[Ambiguity, ...] = (),
        not_places: tuple[str, ...] = (),
    ) -> None:
        """Build the automaton; without ``ambiguities`` a shared spelling means its first place."""
        self.places = places
        by_key: dict[str, list[tuple[str, str]]] = {}
        for place in places.values():
            for s in place.spellings:
                by_key.setdefault(fold(s), []).append((s, place.id))
        for phrase in not_places:
            by_key.setdefault(fold(phrase), []).append((phrase, _NOT_A_PLACE))
        self._spellings: dict[str, list[_Spelling]] = {}
        for key, pairs in by_key.items():
            grouped: dict[str, list[str]] = {}
            for s, pid in pairs:
                if pid not in grouped.setdefault(s, []):
                    grouped[s].append(pid)
            self._spellings[key] = [_make_spelling(s, tuple(p)) for s, p in grouped.items()]
        self._rules: dict[str, Ambiguity] = {}
        for amb in ambiguities:
            for alias in amb.aliases:
                self._rules[fold(alias)] = amb
        self._automaton = ahocorasick.Automaton()
        for key in self._spellings:
            if key.strip():
                self._automaton.add_word(key, key)
        self._automaton.make_automaton()

    @classmethod
    def from_gazetteer(cls, gaz: Gazetteer) -> Linker:
        """Linker with the gazetteer's ambiguity rules and non-place phrases."""
        return cls(gaz.places, gaz.ambiguities, gaz.not_places)

    @classmethod
    def from_file(cls, path: Path | str) -> Linker:
        """Linker for the gazetteer file at ``path``."""
        return cls.from_gazetteer(read_gazetteer(path))

    @staticmethod
    @lru_cache(maxsize=1)
    def default() -> Linker:
        """The linker for the shipped gazetteer (built once per process)."""
        return Linker.from_file(GAZETTEER)

    # -- matching ---------------------------------------------------------------------------

    def _case_ok(self, sp: _Spelling, surface: str) -> bool:
        letters = [c for c in surface if c.isalpha()]
        if sp.acronym:
            return surface.upper() == surface and sp.text.upper() == sp.text
        if len(letters) >= 4 and all(c.isupper() for c in letters):
            return True  # a title in capitals
        starts = _word_starts(surface)
        if len(starts) != len(sp.capitals):
            # the text splits words differently ("NagornoKarabakh"): check the first only
            return surface[:1].isupper() or not (sp.capitals and sp.capitals[0])
        return all(surface[i].isupper() for i, cap in zip(starts, sp.capitals, strict=True) if cap)

    def _candidates(self, text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
        folded, index = fold_with_map(text)
        n = len(folded)
        found = []
        for end_f, key in self._automaton.iter(folded):
            start_f = end_f - len(key) + 1
            if start_f > 0 and folded[start_f - 1].isalnum():
                continue
            after = end_f + 1
            if after < n and folded[after].isalnum():
                possessive = (
                    key.endswith("a")
                    and len(key) >= 5
                    and folded[after] == "s"
                    and (after + 1 >= n or not folded[after + 1].isalnum())
                )
                if not possessive:
                    continue
            start, end = index[start_f], index[end_f] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1  # keep combining marks that belong to the last letter
            surface = text[start:end]
            ids: list[str] = []
            for sp in self._spellings[key]:
                if self._case_ok(sp, surface):
                    ids.extend(p for p in sp.place_ids if p not in ids)
            if ids:
                found.append((start, end, key, tuple(ids)))
        return found

    @staticmethod
    def _select(cands: list[tuple[int, int, str, tuple[str, ...]]], size: int) -> list[tuple]:
        """Longest first, then leftmost; keep candidates that overlap nothing kept."""
        taken = bytearray(size)
        kept = []
        for cand in sorted(cands, key=lambda c: (c[0] - c[1], c[0])):
            s, e = cand[0], cand[1]
            if taken.find(1, s, e) != -1:
                continue
            taken[s:e] = b"\x01" * (e - s)
            kept.append(cand)
        kept.sort(key=lambda c: c[0])
        return kept

    # -- context ----------------------------------------------------------------------------

    @staticmethod
    def _words_before(text: str, pos: int, limit: int = 10) -> list[str]:
        chunk = text[max(0, pos - 120) : pos]
        ends = list(_SENTENCE_END.finditer(chunk))
        if ends:
            chunk = chunk[ends[-1].end() :]
        return [fold(w) for w in _WORD.findall(chunk)][-limit:][::-1]  # nearest first

    @staticmethod
    def _words_after(text: str, pos: int, limit: int = 10) -> list[str]:
        chunk = text[pos : pos + 120]
        if chunk[:1] in "'’" and chunk[1:2] in ("s", "S"):
            chunk = chunk[2:]
        m = _SENTENCE_END.search(chunk)
        if m:
            chunk = chunk[: m.start()]
        return [fold(w) for w in _WORD.findall(chunk)][:limit]

    def _resolve(self, amb: Ambiguity, contexts: list[tuple[list[str], list[str]]]) -> str:
        for rule in amb.rules:
            for before, after in contexts:
                if rule.words_before & set(before[: rule.window_before]):
                    return rule.place
                if rule.words_after & set(after[: rule.window_after]):
                    return rule.place
        return amb.default

    def link(self, text: str) -> list[Mention]:
        """Every place mention in ``text``, in order, with offsets into ``text``."""
        kept = self._select(self._candidates(text), len(text))
        # lists joined by commas/and/or share their context
        group_of: list[int] = []
        group_last: dict[int, int] = {}
        for i, cand in enumerate(kept):
            if i and _LIST_GAP.match(text[kept[i - 1][1] : cand[0]]):
                group_of.append(group_of[-1])
            else:
                group_of.append(i)
            group_last[group_of[-1]] = i
        mentions = []
        for i, (start, end, key, ids) in enumerate(kept):
            if ids == (_NOT_A_PLACE,) or _NOT_A_PLACE in ids:
                continue
            pid = ids[0]
            amb = self._rules.get(key)
            if amb is not None:
                first = group_of[i]
                last = group_last[first]
                contexts = [(self._words_before(text, start), self._words_after(text, end))]
                if last != first or i != first:
                    contexts.append(
                        (
                            self._words_before(text, kept[first][0]),
                            self._words_after(text, kept[last][1]),
                        )
                    )
                choice = self._resolve(amb, contexts)
                pid = choice if choice in ids or choice in amb.places else pid
            place = self.places[pid]
            mentions.append(Mention(start, end, text[start:end], pid, place.name, place.kind))
        return mentions


def main(argv: list[str] | None = None) -> int:
    """``python -m geo link PATH --json``: print the mentions found in a file or stdin."""
    parser = argparse.ArgumentParser(
        prog="python -m geo link", description="Find gazetteer place mentions in a text."
    )
    parser.add_argument("path", help="text file to read, or - for standard input")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--gazetteer", default=str(GAZETTEER), help="gazetteer YAML file")
    args = parser.parse_args(argv)
    try:
        if args.path == "-":
            text = sys.stdin.buffer.read().decode("utf-8")
        else:
            text = Path(args.path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.path}: {exc}", file=sys.stderr)
        return 2
    try:
        linker = (
            Linker.default()
            if Path(args.gazetteer) == GAZETTEER
            else Linker.from_file(args.gazetteer)
        )
    except GazetteerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mentions = linker.link(text)
    if args.json:
        out = {"mentions": [asdict(m) for m in mentions]}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    else:
        for m in mentions:
            print(f"{m.start}\t{m.end}\t{m.surface}\t{m.place_id}")
    return 0
