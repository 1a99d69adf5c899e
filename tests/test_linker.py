"""The place-mention linker: each rule, the command line, and quality on hand-labelled gold."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from geo.gazetteer import load_gazetteer
from geo.linker import Linker, Mention
from geo.paths import ARTICLES_DIR, ROOT

GOLD = Path(__file__).parent / "gold" / "mentions.yaml"


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker.default()


def _pairs(linker: Linker, text: str) -> list[tuple[str, str]]:
    return [(m.surface, m.place_id) for m in linker.link(text)]


# -- rules ------------------------------------------------------------------------------------


def test_longest_match_wins(linker):
    assert _pairs(linker, "The Lachin corridor was closed.") == [
        ("Lachin corridor", "lachin-corridor-2020")
    ]
    assert _pairs(linker, "Oil of the Baku–Tbilisi–Ceyhan pipeline reaches Ceyhan.") == [
        ("Baku–Tbilisi–Ceyhan pipeline", "pipeline-btc"),
        ("Ceyhan", "town-ceyhan"),
    ]
    assert _pairs(linker, "the South Caucasus Pipeline and the South Caucasus") == [
        ("South Caucasus Pipeline", "pipeline-scp"),
        ("South Caucasus", "region-south-caucasus"),
    ]
    assert _pairs(linker, "the former Nagorno-Karabakh Autonomous Oblast") == [
        ("Nagorno-Karabakh Autonomous Oblast", "nkao-1991")
    ]


def test_mentions_never_overlap_and_are_sorted(linker):
    text = "Baku-Tbilisi-Kars railway, Baku, Tbilisi, Kars and the Zangezur corridor in Zangezur."
    found = linker.link(text)
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start
    assert [m.place_id for m in found] == [
        "railway-btk",
        "town-baku",
        "town-tbilisi",
        "town-kars",
        "zangezur-route",
        "region-zangezur",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Karsten wrote it.",
        "the Arasay hills",
        "Armenian troops",
        "Azerbaijani gas",
        "Iranian",
        "Shushaq",
    ],
)
def test_word_boundaries(linker, text):
    assert linker.link(text) == []


def test_boundaries_at_punctuation(linker):
    assert _pairs(linker, "(Kars) and Aras, then “Goris”.") == [
        ("Kars", "town-kars"),
        ("Aras", "river-aras"),
        ("Goris", "town-goris"),
    ]


@pytest.mark.parametrize("suffix", ["'s", "’s", "ʼs", "s"])
def test_possessives_exclude_the_suffix(linker, suffix):
    text = f"Armenia{suffix} border"
    found = linker.link(text)
    assert [(m.surface, m.start, m.end) for m in found] == [("Armenia", 0, 7)]


def test_possessive_of_names_not_ending_in_a(linker):
    assert _pairs(linker, "Syunik's roads and Kars’ station") == [
        ("Syunik", "province-syunik"),
        ("Kars", "town-kars"),
    ]
    assert linker.link("Syuniks") == []  # the bare-s form is only for names ending in "a"


@pytest.mark.parametrize("dash", ["-", "‐", "‑", "–", "—"])
def test_dash_variants(linker, dash):
    text = f"Nagorno{dash}Karabakh and the Baku{dash}Tbilisi{dash}Kars railway"
    assert [m.place_id for m in linker.link(text)] == ["region-karabakh", "railway-btk"]
    assert _pairs(linker, f"the Armenia{dash}Azerbaijan border") == [
        ("Armenia", "country-armenia"),
        ("Azerbaijan", "country-azerbaijan"),
    ]


def test_spaced_dashes_and_hyphen_at_line_break(linker):
    assert _pairs(linker, "the Baku – Tbilisi – Ceyhan pipeline") == [
        ("Baku – Tbilisi – Ceyhan pipeline", "pipeline-btc")
    ]
    text = "in Nagorno-\nKarabakh and Armenia – Azerbaijan"
    assert _pairs(linker, text) == [
        ("Nagorno-\nKarabakh", "region-karabakh"),
        ("Armenia", "country-armenia"),
        ("Azerbaijan", "country-azerbaijan"),
    ]


def test_case_rules(linker):
    assert linker.link("a turkey for dinner in georgia") == []
    assert _pairs(linker, "Lachin Corridor") == [("Lachin Corridor", "lachin-corridor-2020")]
    assert _pairs(linker, "THE FOREIGN POLICY SHIFT IN ARMENIA") == [("ARMENIA", "country-armenia")]
    assert _pairs(linker, "BTC carries oil") == [("BTC", "pipeline-btc")]
    assert linker.link("btc carries oil and Btc too") == []
    assert linker.link("https://example.org/armenia-azerbaijan-conflict") == []
    # lower-case generic words in a spelling take any case, capitalised ones do not
    assert _pairs(linker, "the Nagorno-Karabakh autonomous region") == [
        ("Nagorno-Karabakh", "region-karabakh")
    ]


def test_diacritics_and_scripts(linker):
    assert _pairs(linker, "Naxçıvan, Xankəndi, Şuşa and Ստեփանակերտ") == [
        ("Naxçıvan", "nakhchivan-ar"),
        ("Xankəndi", "town-khankendi"),
        ("Şuşa", "town-shusha"),
        ("Ստեփանակերտ", "town-khankendi"),
    ]
    assert _pairs(linker, "NAXCIVAN and Xankendi") == [
        ("NAXCIVAN", "nakhchivan-ar"),
        ("Xankendi", "town-khankendi"),
    ]


def test_not_places_block_the_name_inside(linker):
    text = (
        "Ararat Mirzoyan wrote in Baku Dialogues about Mount Ararat, “Western Azerbaijan” and Baku."
    )
    assert _pairs(linker, text) == [("Mount Ararat", "mount-ararat"), ("Baku", "town-baku")]


def test_lachin_town_district_and_corridor(linker):
    assert _pairs(linker, "They drove through Lachin to Goris.")[0] == ("Lachin", "town-lachin")
    assert _pairs(linker, "in the Lachin district")[0] == ("Lachin", "district-lachin")
    assert _pairs(linker, "the district of Lachin")[0] == ("Lachin", "district-lachin")
    assert _pairs(linker, "the Lachin (Berdzor) corridor")[0] == (
        "Lachin",
        "lachin-corridor-2020",
    )
    assert _pairs(linker, "Lachin, the district centre, was rebuilt.")[0] == (
        "Lachin",
        "town-lachin",
    )
    # context does not cross sentences
    assert _pairs(linker, "It was a quiet district. Lachin was empty.")[0] == (
        "Lachin",
        "town-lachin",
    )


def test_lists_share_context(linker):
    text = "mines in the Aghdam, Fuzuli, Jabrayil, and Zangilan districts; Fuzuli town"
    assert [m.place_id for m in linker.link(text)] == [
        "district-aghdam",
        "district-fuzuli",
        "district-jabrayil",
        "district-zangilan",
        "town-fuzuli",
    ]
    text = "the border regions called Lachin, Kelbecer, Zengilan and Dashkesan rather than"
    assert [m.place_id for m in linker.link(text)] == [
        "district-lachin",
        "district-kalbajar",
        "district-zangilan",
        "district-dashkasan",
    ]


def test_nakhchivan_exclave_and_city(linker):
    assert _pairs(linker, "access to Nakhchivan, an exclave")[0][1] == "nakhchivan-ar"
    assert _pairs(linker, "the Nakhchivan Autonomous Republic")[0] == (
        "Nakhchivan Autonomous Republic",
        "nakhchivan-ar",
    )
    assert _pairs(linker, "the city of Nakhchivan")[0][1] == "town-nakhchivan"
    assert _pairs(linker, "Nakhchivan city")[0][1] == "town-nakhchivan"


def test_nagorno_karabakh_oblast_context(linker):
    assert _pairs(linker, "in the autonomous oblast of Nagorno-Karabakh")[0][1] == "nkao-1991"
    assert _pairs(linker, "the war in Nagorno-Karabakh")[0][1] == "region-karabakh"


@pytest.mark.parametrize(
    "text",
    [
        "Çok güzel: Şuşa ve Laçın.\r\nThen Armenia’s Syunik 🇦🇲 and Kelbəcər.",
        "e\u0301te\u0301 in Gyumri\u00a0and  Yerevan\n\n\tKars",
        "Ｋars? İstanbul is not here, but İğdır... Goris\u200b and Jermuk",
        "Lac\u0327i\u0307n and Nagorno\u00adKarabakh",
    ],
)
def test_offsets_index_the_original_text(linker, text):
    found = linker.link(text)
    assert found
    for m in found:
        assert text[m.start : m.end] == m.surface


def test_offsets_with_crlf_and_emoji(linker):
    text = "🙂 A\r\nB Shusha\r\n\r\nand Shushi"
    found = linker.link(text)
    assert [(m.start, m.end, m.place_id) for m in found] == [
        (7, 13, "town-shusha"),
        (21, 27, "town-shusha"),
    ]


def test_multiword_spelling_across_a_line_break(linker):
    text = "the Zangezur\r\n   corridor"
    assert _pairs(linker, text) == [("Zangezur\r\n   corridor", "zangezur-route")]


def test_mention_fields(linker):
    (m,) = linker.link("Khankendi")
    assert m == Mention(0, 9, "Khankendi", "town-khankendi", "Khankendi", "city")


def test_default_is_cached():
    assert Linker.default() is Linker.default()


def test_a_linker_from_places_alone_works():
    places = load_gazetteer()
    linker = Linker(places)
    assert [m.place_id for m in linker.link("Yerevan and Zangezur")] == [
        "town-yerevan",
        "region-zangezur",
    ]


def test_linking_the_five_articles(linker):
    files = sorted(p for p in ARTICLES_DIR.iterdir() if p.suffix in (".txt", ".md"))
    texts = [p.read_text(encoding="utf-8") for p in files]
    assert len(texts) >= 5
    t0 = time.perf_counter()
    results = [linker.link(t) for t in texts]
    elapsed = time.perf_counter() - t0
    total = sum(len(r) for r in results)
    size = sum(len(t) for t in texts)
    print(f"\nlinked {len(texts)} articles ({size} chars): {total} mentions in {elapsed:.3f} s")
    for text, found in zip(texts, results, strict=True):
        assert found
        assert all(text[m.start : m.end] == m.surface for m in found)


# -- command line -----------------------------------------------------------------------------


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", "link", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_cli_reads_stdin(linker):
    text = "Armenia’s Syunik\r\nborders Iran; the BTC pipeline avoids it. 🙂 Lachin corridor"
    res = _cli("-", "--json", stdin=text.encode("utf-8"))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert set(out) == {"mentions"}
    got = out["mentions"]
    assert [m["surface"] for m in got] == [
        "Armenia",
        "Syunik",
        "Iran",
        "BTC pipeline",
        "Lachin corridor",
    ]
    for m in got:
        assert set(m) == {"start", "end", "surface", "place_id", "name", "kind"}
        assert text[m["start"] : m["end"]] == m["surface"]
    assert got == [vars(m) for m in linker.link(text)]


def test_cli_reads_a_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("Talks in Yerevan\r\nabout Kelbəcər.".encode())
    res = _cli(str(path), "--json")
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)["mentions"]
    assert [(m["start"], m["end"], m["place_id"]) for m in got] == [
        (9, 16, "town-yerevan"),
        (24, 32, "town-kalbajar"),
    ]


def test_cli_errors(tmp_path):
    res = _cli(str(tmp_path / "absent.txt"), "--json")
    assert res.returncode == 2 and "absent.txt" in res.stderr.decode()
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Bak\xfd".encode("latin-1"))
    res = _cli(str(bad), "--json")
    assert res.returncode == 2 and "latin1.txt" in res.stderr.decode()


# -- quality on the hand-labelled gold --------------------------------------------------------


def _whole_word_starts(text: str, surface: str) -> list[int]:
    """Start of each occurrence of ``surface`` not inside a longer word (see gold header)."""
    starts = []
    for m in re.finditer(re.escape(surface), text):
        s, e = m.start(), m.end()
        before = text[s - 1] if s else " "
        after = text[e] if e < len(text) else " "
        bare_s = surface.endswith("a") and after == "s" and not text[e + 1 : e + 2].isalnum()
        if not before.isalnum() and (not after.isalnum() or bare_s):
            starts.append(s)
    return starts


def _unwrap(text: str) -> str:
    return re.sub(r"[ \t]*\n[ \t]*", " ", text)


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return yaml.safe_load(GOLD.read_text(encoding="utf-8"))["passages"]


def _gold_spans(passage: dict) -> dict[tuple[int, int], str]:
    spans = {}
    for m in passage["mentions"]:
        starts = _whole_word_starts(passage["text"], m["surface"])
        assert len(starts) >= m["occurrence"], (passage["text"][:60], m)
        s = starts[m["occurrence"] - 1]
        spans[(s, s + len(m["surface"]))] = m["place_id"]
    return spans


def test_gold_is_well_formed(gold):
    places = load_gazetteer()
    assert len(gold) >= 40
    articles = {p["article"] for p in gold}
    assert len(articles) == 5
    sources = {a: _unwrap((ARTICLES_DIR / a).read_text(encoding="utf-8")) for a in articles}
    for p in gold:
        assert p["text"] in sources[p["article"]], p["text"][:60]
        spans = _gold_spans(p)
        assert len(spans) == len(p["mentions"]), "two labels for one span"
        assert all(pid in places for pid in spans.values())


def test_quality_on_gold(linker, gold):
    tp = fp = fn = right = 0
    for p in gold:
        expected = _gold_spans(p)
        found = {(m.start, m.end): m.place_id for m in linker.link(p["text"])}
        hits = expected.keys() & found.keys()
        tp += len(hits)
        fp += len(found.keys() - expected.keys())
        fn += len(expected.keys() - found.keys())
        right += sum(found[k] == expected[k] for k in hits)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    resolution = right / tp if tp else 0.0
    print(
        f"\ngold: {len(gold)} passages, {tp + fn} mentions; span precision {precision:.3f}, "
        f"recall {recall:.3f}, F1 {f1:.3f}; resolution accuracy {resolution:.3f} "
        f"({right}/{tp}); false positives {fp}, misses {fn}"
    )
    assert f1 >= 0.90
    assert resolution >= 0.90
