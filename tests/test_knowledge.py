"""The knowledge index built from the shipped articles, gazetteer and events."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.articles import Passage
from geo.events import load_events
from geo.gazetteer import fold
from geo.knowledge import (
    MAX_PASSAGES_PER_EVENT,
    DateMention,
    Hit,
    KnowledgeIndex,
    find_dates,
    link_events,
    load_index,
)


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return load_index()


def key(text: str) -> str:
    return " ".join(fold(text).split())


def test_lookups_are_precomputed_dicts(index):
    for table in (index.place_passages, index.place_events, index.event_passages):
        assert isinstance(table, dict) and table
    assert all(isinstance(h, Hit) for hits in index.place_passages.values() for h in hits)
    assert load_index() is index  # cached


def test_every_hit_slices_a_spelling_of_its_place(index):
    checked = 0
    for place_id, hits in index.place_passages.items():
        spellings = {key(s) for s in index.places[place_id].spellings}
        for hit in hits:
            text = index.passages[hit.passage_id].text
            assert hit.mentions
            for start, end in hit.mentions:
                assert key(text[start:end]) in spellings, (place_id, text[start:end])
                checked += 1
    assert checked > 100


def test_lachin_corridor_is_discussed_in_several_articles(index):
    hits = index.place_passages["lachin-corridor-2020"]
    articles = {index.passages[h.passage_id].article_id for h in hits}
    assert len(articles) >= 2


def test_blockade_event_links_a_passage_about_the_blockade(index):
    passages = index.passages_for_event("2022-12-12-lachin-blockade")
    assert any("blockade" in p.text.casefold() for p in passages)


def test_operation_is_linked_despite_the_wrong_year_in_a_seed(index):
    texts = [p.text for p in index.passages_for_event("2023-09-19-azerbaijani-operation")]
    assert any("September 2024 counter" in t.replace("\u2011", "-") for t in texts)


def test_event_passages_are_capped_ranked_and_not_older_than_the_event(index):
    for event_id, pids in index.event_passages.items():
        event = index.events[event_id]
        assert len(pids) <= MAX_PASSAGES_PER_EVENT
        assert len(set(pids)) == len(pids)
        for pid in pids:
            article = index.articles[index.passages[pid].article_id]
            published = dt.date.fromisoformat((article.date + "-12-31")[:10])
            assert published.year >= event.date.year, (event_id, pid)
            assert event_id in index.passage_events[pid]
    linked = sum(1 for pids in index.event_passages.values() if pids)
    assert linked >= len(index.events) // 2


def test_every_event_place_lists_the_event(index):
    for event in index.events.values():
        for place_id in event.place_ids:
            assert event.id in index.place_events[place_id]
        for place_id in event.place_ids:
            assert event in index.events_for_place(place_id)
    for place_id, event_ids in index.place_events.items():
        dates = [index.events[e].date for e in event_ids]
        assert dates == sorted(dates), place_id


def test_resolve_any_spelling(index):
    assert index.resolve("Stepanakert").id == "town-khankendi"
    assert index.resolve("  STEPANAKERT ").id == "town-khankendi"
    assert index.resolve("Khankendi / Stepanakert").id == "town-khankendi"
    assert index.resolve("Xankəndi").id == "town-khankendi"  # diacritics
    # shared spellings go to the gazetteer's default: the town for Kalbajar, the AR for Nakhchivan
    assert index.resolve("Kelbecer").id == "town-kalbajar"
    assert index.resolve("Nakhichevan").id == "nakhchivan-ar"
    assert index.resolve("Kalbajar district").id == "district-kalbajar"
    assert index.resolve("district-lachin").id == "district-lachin"
    assert index.resolve("Goris-Stepanakert highway").id == "lachin-road"  # hyphen for en dash
    assert index.resolve("Atlantis") is None
    assert index.resolve("") is None


# ---- the rule, on passages written for the test ---------------------------------------------


def test_find_dates_forms():
    got = find_dates("On 12-14 September, and on February 22, 2023, and in 1988-1994.")
    assert DateMention(None, 9, (12, 13, 14)) in got
    assert DateMention(2023, 2, (22,)) in got
    assert DateMention(1988, None) in got and DateMention(1994, None) in got
    with_ref = find_dates("Azerbaijan agreed in October; on 24 May they met.", dt.date(2022, 11, 4))
    assert DateMention(2022, 10) in with_ref and DateMention(2022, 5, (24,)) in with_ref
    inherited = find_dates("On 1 March 2023 they met; invitations of March 13 followed.")
    assert DateMention(2023, 3, (13,)) in inherited
    assert find_dates("The ministers may meet in Brussels.") == []


def passage(pid: str, text: str) -> Passage:
    return Passage(pid, "test-article", 0, len(text), text)


def test_rule_place_keyword_date_and_contradicting_dates():
    events = {e.id: e for e in load_events()}
    passages = [
        passage("a:p1", "In December 2022 activists began a blockade of the Lachin corridor."),
        passage("a:p2", "The Lachin corridor stayed open in 2021."),
        passage("a:p3", "The Bishkek Protocol was remembered by diplomats."),
        passage("a:p4", "Quoting the International Court of Justice order of February 22, 2023."),
    ]
    places = {"a:p1": {"lachin-corridor-2020"}, "a:p2": {"lachin-corridor-2020"}}
    wanted = [
        events[i]
        for i in (
            "2022-12-12-lachin-blockade",
            "1994-05-05-bishkek-protocol",
            "2023-02-22-icj-order",
            "2023-07-06-icj-order",
        )
    ]
    linked = {k: [p for p, _ in v] for k, v in link_events(passages, places, wanted).items()}
    assert linked["2022-12-12-lachin-blockade"] == ["a:p1"]  # place + keyword, not place alone
    assert linked["1994-05-05-bishkek-protocol"] == ["a:p3"]  # a distinctive phrase alone
    assert linked["2023-02-22-icj-order"] == ["a:p4"]
    assert linked["2023-07-06-icj-order"] == []  # the passage's own date points elsewhere
    # an article published before the event cannot discuss it
    early = link_events(passages, places, wanted, {"test-article": "2022-06"})
    assert early["2022-12-12-lachin-blockade"] == []


def test_related_places_follow_see_also_and_features(index):
    related = [p.id for p in index.related_places("lachin-corridor-2022")]
    assert "lachin-corridor-2020" in related
    # Karabakh has no outline of its own; the former NKAO shows it, so a click there offers it.
    assert "region-karabakh" in [p.id for p in index.related_places("nkao-1991")]
    for place_id, others in index.related.items():
        assert place_id not in others
        assert all(o in index.places for o in others)
