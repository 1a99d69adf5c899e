"""Synthetic inputs for the benchmarks: ACLED-layout event tables and gazetteers of made-up names.

Everything here is invented and says so (ids start with ``SYN``, ``source`` is ``Synthetic``);
only the layout (ACLED's columns and event-type vocabulary) and the region box are real.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from geo.acled import ACLED_COLUMNS

# Armenia, Azerbaijan and Nakhchivan with a margin (min lon, min lat, max lon, max lat).
EVENT_BOX = (43.4, 38.3, 50.6, 41.95)
# Spans the atlas's own timeline up to its last events, so the app's default date has events.
FIRST_DAY = np.datetime64("2018-01-01")
LAST_DAY = np.datetime64("2026-06-30")

# ACLED Codebook event types and some of their sub-event types.
SUB_EVENT_TYPES = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Shelling/artillery/missile attack",
        "Drone strike",
        "Remote explosive/landmine/IED",
        "Air/drone strike",
    ),
    "Violence against civilians": ("Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Headquarters or base established",
        "Non-violent transfer of territory",
        "Other",
    ),
}
TYPE_WEIGHTS = (0.22, 0.30, 0.06, 0.22, 0.04, 0.16)
ACTORS = (
    "Military Forces of Armenia (2018-)",
    "Military Forces of Azerbaijan (2018-)",
    "Police Forces of Armenia (2018-)",
    "Police Forces of Azerbaijan (2003-)",
    "Protesters (Armenia)",
    "Protesters (Azerbaijan)",
    "Rioters (Armenia)",
    "Civilians (Armenia)",
    "Civilians (Azerbaijan)",
    "Unidentified Armed Group (Azerbaijan)",
    "",
)
_WORDS = (
    "reported near the village",
    "sources differ on the number of casualties",
    "shelling continued overnight",
    "positions along the line of contact",
    "a group gathered outside the administration building",
    "the ministry said",
    "local residents said",
    "no fatalities were reported",
    "drones were used",
    "the road was closed for several hours",
)


def generate_synthetic(n: int, seed: int, path: str | Path, *, iso_dates: bool = False) -> Path:
    """Write ``n`` synthetic events in ACLED's CSV layout to ``path`` and return it.

    Points fall around 400 random centres inside :data:`EVENT_BOX` (events cluster around
    places, as real ones do). Dates are spelled "12 September 2022" as classic ACLED exports
    do, or ISO when ``iso_dates``. Rows are written in random order, not by date.
    """
    rng = np.random.default_rng(seed)
    path = Path(path)
    min_lon, min_lat, max_lon, max_lat = EVENT_BOX
    n_sites = 400
    site_lon = rng.uniform(min_lon, max_lon, n_sites)
    site_lat = rng.uniform(min_lat, max_lat, n_sites)
    site = rng.integers(0, n_sites, n)
    lon = np.clip(site_lon[site] + rng.normal(0, 0.03, n), min_lon, max_lon).round(4)
    lat = np.clip(site_lat[site] + rng.normal(0, 0.03, n), min_lat, max_lat).round(4)
    span = int((LAST_DAY - FIRST_DAY).astype(int)) + 1
    days = FIRST_DAY + rng.integers(0, span, n).astype("timedelta64[D]")
    dates = pd.DatetimeIndex(days)
    date_text = dates.strftime("%Y-%m-%d" if iso_dates else "%d %B %Y")
    types = np.array(list(SUB_EVENT_TYPES))
    type_idx = rng.choice(len(types), n, p=TYPE_WEIGHTS)
    sub = np.array(
        [SUB_EVENT_TYPES[types[t]][k % len(SUB_EVENT_TYPES[types[t]])]
         for t, k in zip(type_idx, rng.integers(0, 6, n), strict=True)]
    )
    actors = np.array(ACTORS)
    fatalities = np.where(type_idx <= 2, rng.poisson(0.6, n), 0)
    words = np.array(_WORDS)
    notes = [
        f"SYNTHETIC event {i}: " + "; ".join(words[rng.integers(0, len(words), 3)]) + "."
        for i in range(n)
    ]
    frame = pd.DataFrame(
        {
            "event_id_cnty": [f"SYN{i:07d}" for i in range(n)],
            "event_date": date_text,
            "year": dates.year,
            "event_type": types[type_idx],
            "sub_event_type": sub,
            "actor1": actors[rng.integers(0, len(actors) - 1, n)],
            "actor2": actors[rng.integers(0, len(actors), n)],
            "admin1": [f"Admin-{s % 24}" for s in site],
            "admin2": [f"District-{s % 90}" for s in site],
            "location": [f"Site-{s}" for s in site],
            "latitude": lat,
            "longitude": lon,
            "geo_precision": rng.integers(1, 4, n),
            "source": "Synthetic",
            "notes": notes,
            "fatalities": fatalities,
        },
        columns=list(ACLED_COLUMNS),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
    return path


_ONSETS = ("b", "d", "g", "k", "l", "m", "n", "r", "s", "t", "v", "z", "sh", "kh", "gh", "ch")
_VOWELS = ("a", "e", "i", "o", "u", "ya", "ai")
_CODAS = ("", "", "n", "r", "sk", "st", "ly", "n")


def pronounceable_names(n: int, seed: int) -> list[str]:
    """``n`` distinct made-up place names such as "Talinsk" or "Vora Kheshin" (1–2 words)."""
    rng = np.random.default_rng(seed)
    names: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        words = []
        for _ in range(1 if rng.random() < 0.7 else 2):
            syllables = int(rng.integers(2, 4))
            word = "".join(
                _ONSETS[rng.integers(len(_ONSETS))] + _VOWELS[rng.integers(len(_VOWELS))]
                for _ in range(syllables)
            ) + _CODAS[rng.integers(len(_CODAS))]
            words.append(word.capitalize())
        name = " ".join(words)
        if name not in names:
            names.add(name)
            out.append(name)
    return out
