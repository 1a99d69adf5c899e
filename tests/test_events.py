"""The shipped event timeline is valid, covers the required events, and bad files fail clearly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from geo.events import (
    KINDS,
    EventError,
    events_between,
    events_near,
    load_events,
    missing_places,
)
from geo.paths import EVENTS, GAZETTEER


@pytest.fixture(scope="module")
def events():
    return load_events()


@pytest.fixture(scope="module")
def by_id(events):
    return {e.id: e for e in events}


def test_at_least_40_events_from_1988_to_2024_or_later(events):
    assert len(events) >= 40
    assert events[0].date.year == 1988
    assert events[-1].date.year >= 2024
    assert [e.date for e in events] == sorted(e.date for e in events)


def test_every_event_is_complete(events):
    for e in events:
        assert e.kind in KINDS, e.id
        assert e.place_ids and e.sources and e.title and e.summary, e.id
        assert e.end >= e.date, e.id
        for s in e.sources:
            assert s.get("publisher") or s.get("title"), e.id
            assert s.get("url") or s.get("citation"), e.id


# (id, start, end or None): the dated statements of the seed articles, with correct dates.
REQUIRED = [
    ("1988-02-20-nkao-soviet-appeal", "1988-02-20", None),
    ("1992-02-26-khojaly-massacre", "1992-02-26", None),
    ("1992-05-08-shusha-captured", "1992-05-08", "1992-05-09"),
    ("1992-05-18-lachin-captured", "1992-05-18", None),
    ("1994-05-05-bishkek-protocol", "1994-05-05", None),
    ("1994-05-12-ceasefire", "1994-05-12", None),
    ("2016-04-02-four-day-war", "2016-04-02", "2016-04-05"),
    ("2020-09-27-44-day-war", "2020-09-27", "2020-11-10"),
    ("2020-11-10-trilateral-statement", "2020-11-10", None),
    ("2020-11-11-monitoring-centre-memorandum", "2020-11-11", None),
    ("2021-01-30-monitoring-centre-opens", "2021-01-30", None),
    ("2021-11-26-sochi-summit", "2021-11-26", None),
    ("2022-05-24-border-commissions-meet", "2022-05-24", None),
    ("2022-07-19-aghali-first-return", "2022-07-19", None),
    ("2022-08-26-lachin-town-handover", "2022-08-26", None),
    ("2022-09-12-border-clashes", "2022-09-12", "2022-09-14"),
    ("2022-12-12-lachin-blockade", "2022-12-12", None),
    ("2023-02-20-euma-launched", "2023-02-20", None),
    ("2023-02-22-icj-order", "2023-02-22", None),
    ("2023-04-23-hakari-checkpoint", "2023-04-23", None),
    ("2023-06-28-karabakh-soldiers-killed", "2023-06-28", None),
    ("2023-09-19-azerbaijani-operation", "2023-09-19", "2023-09-20"),
    ("2023-09-28-dissolution-decree", "2023-09-28", None),
    ("2023-10-01-un-mission-khankendi", "2023-10-01", None),
    ("2023-10-06-aras-route", "2023-10-06", None),
    ("2024-02-13-nerkin-hand-shooting", "2024-02-13", None),
    ("2024-02-22-armenia-freezes-csto", "2024-02-22", None),
    ("2024-04-05-brussels-armenia-eu-us", "2024-04-05", None),
    ("2024-04-19-tavush-gazakh-agreement", "2024-04-19", None),
    ("2024-05-24-tavush-gazakh-handover", "2024-05-24", None),
    ("2024-06-12-armenia-to-leave-csto", "2024-06-12", None),
    ("2025-03-13-peace-treaty-text-agreed", "2025-03-13", None),
    ("2025-08-08-washington-summit", "2025-08-08", None),
]


@pytest.mark.parametrize(("event_id", "start", "end"), REQUIRED)
def test_required_event_has_correct_dates(by_id, event_id, start, end):
    assert event_id in by_id
    event = by_id[event_id]
    assert event.date == dt.date.fromisoformat(start)
    assert event.end_date == (dt.date.fromisoformat(end) if end else None)
    assert event.precision == "day"


def test_month_and_year_precision(by_id):
    kalbajar = by_id["1993-04-kalbajar-captured"]
    assert (kalbajar.precision, kalbajar.date, kalbajar.end) == (
        "month",
        dt.date(1993, 4, 1),
        dt.date(1993, 4, 30),
    )
    artsvashen = by_id["1992-artsvashen-captured"]
    assert (artsvashen.precision, artsvashen.end) == ("year", dt.date(1992, 12, 31))


def test_seed_date_errors_are_corrected_and_noted(by_id):
    operation = by_id["2023-09-19-azerbaijani-operation"]
    assert operation.date.year == 2023
    assert "September 2024" in operation.note
    nerkin_hand = by_id["2024-02-13-nerkin-hand-shooting"]
    assert nerkin_hand.date.month == 2
    assert "13 September 2024" in nerkin_hand.note


def test_events_between_and_near(events):
    found = {e.id for e in events_between(events, dt.date(2023, 9, 20), dt.date(2023, 9, 30))}
    assert {"2023-09-19-azerbaijani-operation", "2023-09-28-dissolution-decree"} <= found
    assert "2022-12-12-lachin-blockade" not in found
    assert "2020-09-27-44-day-war" in {
        e.id for e in events_between(events, dt.date(2020, 10, 15), dt.date(2020, 10, 15))
    }
    near = events_near(events, dt.date(2023, 4, 24), 1)
    assert [e.id for e in near] == ["2023-04-23-hakari-checkpoint"]
    with pytest.raises(ValueError):
        events_between(events, dt.date(2024, 1, 2), dt.date(2024, 1, 1))


def test_place_ids_exist_in_the_gazetteer(events):
    if not GAZETTEER.exists():
        pytest.skip("data/gazetteer.yaml not built yet")
    from geo.gazetteer import load_gazetteer

    places = load_gazetteer()
    assert missing_places(events, places) == {}
    assert len(load_events(EVENTS, places=places)) == len(events)


# ---- broken files ---------------------------------------------------------------------------

GOOD = {
    "id": "2022-12-12-test-event",
    "date": "2022-12-12",
    "precision": "day",
    "title": "Test",
    "summary": "A test event.",
    "kind": "blockade",
    "place_ids": ["region-karabakh"],
    "sources": [{"publisher": "Test", "citation": "test citation"}],
    "keywords": ["blockade"],
}


def write(tmp_path: Path, events: list[dict]) -> Path:
    path = tmp_path / "events.yaml"
    path.write_text(yaml.safe_dump({"events": events}, allow_unicode=True), encoding="utf-8")
    return path


def test_minimal_file_loads(tmp_path):
    (event,) = load_events(write(tmp_path, [GOOD]))
    assert event.id == GOOD["id"] and event.end_date is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2022-13-01"}, "date"),
        ({"date": "12 Dec 2022"}, "date"),
        ({"precision": "month"}, "precision"),
        ({"kind": "skirmish"}, "kind"),
        ({"end_date": "2022-12-01"}, "end_date"),
        ({"sources": []}, "sources"),
        ({"sources": [{"publisher": "No url or citation"}]}, "sources"),
        ({"place_ids": []}, "place_ids"),
    ],
)
def test_bad_field_is_named(tmp_path, change, field):
    path = write(tmp_path, [dict(GOOD, **change)])
    with pytest.raises(EventError) as info:
        load_events(path)
    message = str(info.value)
    assert str(path) in message
    assert GOOD["id"] in message
    assert field in message


def test_duplicate_id(tmp_path):
    path = write(tmp_path, [GOOD, dict(GOOD, title="Again")])
    with pytest.raises(EventError, match="duplicate id") as info:
        load_events(path)
    assert str(path) in str(info.value) and GOOD["id"] in str(info.value)


def test_unknown_place_when_gazetteer_given(tmp_path):
    path = write(tmp_path, [dict(GOOD, place_ids=["region-karabakh", "town-atlantis"])])
    with pytest.raises(EventError, match="town-atlantis"):
        load_events(path, places={"region-karabakh"})
    assert load_events(path)  # without a gazetteer the ids are not checked


def test_unknown_reference_and_missing_file(tmp_path):
    path = write(tmp_path, [dict(GOOD, sources=["no-such-reference"])])
    with pytest.raises(EventError, match="no-such-reference"):
        load_events(path)
    with pytest.raises(EventError, match="not found"):
        load_events(tmp_path / "absent.yaml")
