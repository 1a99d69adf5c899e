"""Linker throughput: the atlas's linker against one-regex-per-alias, on one core.

Text: the article corpus (``geo.articles.load_corpus()``), repeated to the sizes measured.
Gazetteers: the shipped one (``Linker.default()``), and synthetic ones of 1k/10k/100k made-up
names (one place per name) for growth with gazetteer size; a fixed set of synthetic names is
spliced into the text so every size has mentions to find.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from bench.synthetic import pronounceable_names
from geo.paths import ARTICLES_DIR, ROOT


def corpus_text() -> tuple[str, str]:
    """The corpus as one text (articles joined by blank lines) and where it came from."""
    try:
        from geo.articles import load_corpus

        articles = load_corpus()
        if articles:
            return "\n\n".join(a.text for a in articles), "geo.articles.load_corpus()"
    except Exception:  # noqa: BLE001 - fall back to the raw files below, and say so
        pass
    for folder in (ARTICLES_DIR, ROOT.parent / "shared" / "seeds"):
        files = sorted(Path(folder).glob("*.txt"))
        if files:
            text = "\n\n".join(f.read_text(encoding="utf-8") for f in files)
            return text, f"raw text files in {folder}"
    raise FileNotFoundError("no article text found for the linker benchmark")


def corpus_passages(text: str) -> list[str]:
    """The corpus as the knowledge index links it: passage by passage
    (``geo.articles.split_passages``), or paragraphs of ``text`` without that module."""
    try:
        from geo.articles import load_corpus, split_passages

        passages = [p.text for a in load_corpus() for p in split_passages(a)]
        if passages:
            return passages
    except Exception:  # noqa: BLE001 - fall back to paragraphs
        pass
    return [part for part in text.split("\n\n") if part.strip()]


def aliases_of(places: dict) -> list[tuple[str, str]]:
    """(alias, place id) for every spelling of every place (its name and aliases)."""
    out: set[tuple[str, str]] = set()
    for pid, place in places.items():
        spellings = getattr(place, "spellings", None) or (place.name, *place.aliases)
        out |= {(s, pid) for s in spellings if s and s.strip()}
    return sorted(out)


class NaiveLinker:
    """The simplest correct linker: one compiled word-bounded regex per alias, run in turn."""

    def __init__(self, aliases: Iterable[tuple[str, str]], ignore_case: bool = True) -> None:
        flags = re.IGNORECASE if ignore_case else 0
        self.patterns = [
            (re.compile(r"(?<!\w)" + re.escape(alias) + r"(?!\w)", flags), pid)
            for alias, pid in aliases
        ]

    def link(self, text: str) -> list[tuple[int, int, str]]:
        found = [
            (m.start(), m.end(), pid)
            for pattern, pid in self.patterns
            for m in pattern.finditer(text)
        ]
        found.sort()
        return found


def synthetic_places(n: int, seed: int = 7) -> dict:
    """``n`` synthetic places (one made-up name each) as gazetteer ``Place`` records."""
    from geo.gazetteer import Place

    places = {}
    for i, name in enumerate(pronounceable_names(n, seed)):
        pid = f"syn-{i}"
        places[pid] = Place(
            id=pid, name=name, label=name, kind="town", lat=40.0, lon=45.0, layer="",
            aliases=(), note="synthetic", source="synthetic benchmark gazetteer",
        )
    return places


def spliced(text: str, names: list[str], every: int = 400) -> str:
    """``text`` with one of ``names`` inserted (as a word) after every ``every`` characters."""
    parts = []
    for k, start in enumerate(range(0, len(text), every)):
        parts.append(text[start : start + every])
        parts.append(f" {names[k % len(names)]} ")
    return "".join(parts)


def best_seconds(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Fastest of ``repeat`` runs (the least disturbed by other load) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def _pin_one_core() -> Callable[[], None]:
    if not hasattr(os, "sched_setaffinity"):
        return lambda: None
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {max(before)})
    return lambda: os.sched_setaffinity(0, before)


def run(smoke: bool = False) -> dict:
    """Measure and return the linker section of the results."""
    from geo.linker import Linker

    restore = _pin_one_core()
    try:
        return _run(Linker, smoke)
    finally:
        restore()


def _run(linker_cls, smoke: bool) -> dict:  # noqa: ANN001 - the Linker class
    repeat = 1 if smoke else 3
    text, origin = corpus_text()
    if smoke:
        text = text[:20_000]
    mb = len(text.encode("utf-8")) / 1e6
    t0 = time.perf_counter()
    linker = linker_cls.default()
    default_build_s = time.perf_counter() - t0
    places = getattr(linker, "places", None)
    if not places:
        from geo.gazetteer import load_gazetteer

        places = load_gazetteer()
    aliases = aliases_of(places)

    # The real workload: the knowledge index links the corpus passage by passage.
    passages = corpus_passages(text)
    if smoke:
        passages = passages[:20]
    passages_mb = sum(len(p.encode("utf-8")) for p in passages) / 1e6
    naive = NaiveLinker(aliases)
    real_s, mentions = best_seconds(
        lambda: [m for p in passages for m in linker.link(p)], repeat if smoke else 7
    )
    naive_s, naive_found = best_seconds(
        lambda: [m for p in passages for m in naive.link(p)], 1 if smoke else 2
    )
    joined_s, _ = best_seconds(lambda: linker.link(text), repeat if smoke else 7)

    sizes = (1, 2, 4) if smoke else (1, 2, 4, 8, 16)
    texts = {k: "\n\n".join([text] * k) for k in sizes}
    best = dict.fromkeys(sizes, float("inf"))
    # Rounds over all sizes, so that a burst of other load on the machine hits every size.
    for _ in range(repeat if smoke else 5):
        for k, big in texts.items():
            t0 = time.perf_counter()
            linker.link(big)
            best[k] = min(best[k], time.perf_counter() - t0)
    text_growth = [
        {"copies": k, "mb": round(mb * k, 3), "seconds": best[k]} for k in sizes
    ]

    gaz_sizes = (100, 300, 1000) if smoke else (1_000, 10_000, 100_000)
    base_names = pronounceable_names(gaz_sizes[0], 7)
    gaz_text = spliced(text, base_names[: min(200, len(base_names))])
    naive_text = gaz_text  # the naive baseline is timed on one copy (it takes seconds)
    if not smoke:
        gaz_text = "\n\n".join([gaz_text] * 4)  # long enough (~50 ms) to time well
    gaz_mb = len(gaz_text.encode("utf-8")) / 1e6
    gaz_growth = []
    linkers = {}
    for n in gaz_sizes:
        syn = synthetic_places(n)
        t0 = time.perf_counter()
        linkers[n] = linker_cls(syn)
        row = {"names": n, "build_seconds": time.perf_counter() - t0, "seconds": float("inf")}
        if n <= (gaz_sizes[0] if smoke else 10_000):
            syn_naive = NaiveLinker(aliases_of(syn))
            secs, _ = best_seconds(lambda nl=syn_naive: nl.link(naive_text), 1)
            row["naive_seconds"] = secs * len(gaz_text) / len(naive_text)  # same text length
        gaz_growth.append(row)
    # Interleaved rounds, as for the text sizes.
    for _ in range(repeat if smoke else 5):
        for row in gaz_growth:
            t0 = time.perf_counter()
            found = linkers[row["names"]].link(gaz_text)
            row["seconds"] = min(row["seconds"], time.perf_counter() - t0)
            row["mentions"] = len(found)

    first, last = text_growth[0], text_growth[-1]
    per_mb = [g["seconds"] / g["mb"] for g in text_growth]
    return {
        "corpus": origin,
        "corpus_mb": round(mb, 4),
        "gazetteer_places": len(places),
        "gazetteer_aliases": len(aliases),
        "default_build_seconds": default_build_s,
        "passages": len(passages),
        "passages_mb": round(passages_mb, 4),
        "linker_seconds": real_s,
        "linker_mb_per_s": passages_mb / real_s,
        "linker_mentions": len(mentions),
        "naive_seconds": naive_s,
        "naive_mb_per_s": passages_mb / naive_s,
        "linker_joined_mb_per_s": mb / joined_s,
        "naive_mentions": len(naive_found),
        "speedup_vs_naive": naive_s / real_s,
        "text_growth": text_growth,
        # seconds per MB at the largest text over the smallest: 1.0 is exactly linear
        "text_linearity": per_mb[-1] / per_mb[0],
        # k in time ∝ size^k, least squares over all sizes on log-log axes: 1.0 is linear
        "text_exponent": float(
            np.polyfit(
                np.log([g["mb"] for g in text_growth]),
                np.log([g["seconds"] for g in text_growth]),
                1,
            )[0]
        ),
        "text_size_ratio": last["mb"] / first["mb"],
        "gazetteer_text_mb": round(gaz_mb, 4),
        "gazetteer_growth": gaz_growth,
        # link time with the largest gazetteer over the smallest: 1.0 is flat
        "gazetteer_flatness": gaz_growth[-1]["seconds"] / gaz_growth[0]["seconds"],
    }
