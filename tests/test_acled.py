"""The ACLED loader on a real-layout export and on broken variants of it."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from geo.acled import (
    ACLED_COLUMNS,
    AcledError,
    aggregate,
    load_acled,
    points,
    summary,
    window,
)

SAMPLE = Path(__file__).parent / "data" / "acled_sample.csv"


def _lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)


def _variant(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _replace_in_row(tmp_path: Path, event_id: str, old: str, new: str) -> Path:
    """The sample with ``old`` replaced by ``new`` on the line of ``event_id`` only."""
    lines = _lines()
    hits = [i for i, line in enumerate(lines) if line.startswith(event_id + ",")]
    assert len(hits) == 1 and old in lines[hits[0]]
    lines[hits[0]] = lines[hits[0]].replace(old, new, 1)
    return _variant(tmp_path, "broken.csv", "".join(lines))


def test_sample_loads_every_row_typed_and_sorted() -> None:
    events = load_acled(SAMPLE)
    assert len(events) == 12
    assert list(events.columns) == [*ACLED_COLUMNS, "geometry"]
    assert events.crs.to_epsg() == 4326
    assert events["event_date"].is_monotonic_increasing
    assert str(events["event_date"].dtype).startswith("datetime64")
    assert events["fatalities"].dtype.kind == "i"
    assert events["year"].dtype.kind == "i"
    # Both date spellings parse to the same calendar day.
    by_id = events.set_index("event_id_cnty")
    assert by_id.loc["SYNARM0001", "event_date"] == pd.Timestamp("2022-09-12")
    assert by_id.loc["SYNARM0003", "event_date"] == pd.Timestamp("2022-09-13")
    assert by_id.loc["SYNAZE0010", "event_date"] == pd.Timestamp("2023-10-02")
    assert (events["event_date"].dt.year == events["year"]).all()
    # Points are (lon, lat) of the row.
    row = by_id.loc["SYNARM0005"]
    assert (row.geometry.x, row.geometry.y) == (row["longitude"], row["latitude"])
    # Quoted notes keep their comma, quote, non-ASCII letters and line break.
    assert '"quoted"' in by_id.loc["SYNAZE0004", "notes"]
    assert "Azərbaycan" in by_id.loc["SYNAZE0004", "notes"]
    assert "\n" in by_id.loc["SYNAZE0009", "notes"]
    assert "time_precision" not in events.columns


def test_quoted_crlf_bom_export_reads_the_same(tmp_path: Path) -> None:
    """Every field quoted, Windows line ends and a byte-order mark, as spreadsheets save it."""
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    path = tmp_path / "quoted.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    plain, quoted = load_acled(SAMPLE), load_acled(path)
    pd.testing.assert_frame_equal(
        plain.drop(columns="geometry"), quoted.drop(columns="geometry"), check_dtype=False
    )
    assert quoted["fatalities"].dtype.kind == "i"


def test_window_is_inclusive_and_filters_by_box() -> None:
    events = load_acled(SAMPLE)
    part = window(events, "2022-09-13", dt.date(2023, 4, 23))
    assert sorted(part["event_id_cnty"]) == [
        "SYNARM0002",
        "SYNARM0003",
        "SYNARM0005",
        "SYNAZE0004",
        "SYNAZE0006",
    ]
    assert len(window(events)) == len(events)
    assert len(window(events, "2030-01-01", "2031-01-01")) == 0
    assert len(window(events, "2024-01-01", "2023-01-01")) == 0
    karabakh = window(events, None, None, bbox=(46.0, 39.0, 47.0, 40.0))
    assert set(karabakh["location"]) == {
        "Goris",
        "Hakari bridge",
        "Khankendi / Stepanakert",
        "Shusha / Shushi",
    }
    both = window(events, "2023-09-01", "2023-09-30", bbox=(46.0, 39.0, 47.0, 40.0))
    assert sorted(both["event_id_cnty"]) == ["SYNAZE0008", "SYNAZE0009"]


def test_window_agrees_with_a_plain_filter_on_unsorted_input() -> None:
    events = load_acled(SAMPLE)
    shuffled = events.sample(frac=1.0, random_state=3)
    start, end = pd.Timestamp("2022-09-14"), pd.Timestamp("2023-09-20")
    expected = shuffled[(shuffled.event_date >= start) & (shuffled.event_date <= end)]
    got = window(shuffled, start, end)
    assert sorted(got["event_id_cnty"]) == sorted(expected["event_id_cnty"])


def test_summary_and_points() -> None:
    events = load_acled(SAMPLE)
    info = summary(events)
    assert info["events"] == 12
    assert info["fatalities"] == int(events["fatalities"].sum()) == 23
    assert info["first"] == dt.date(2022, 9, 12) and info["last"] == dt.date(2024, 5, 12)
    assert info["by_type"]["Battles"] == 3
    assert sum(info["by_type"].values()) == 12
    assert summary(window(events, "2030-01-01"))["events"] == 0
    pts = points(events)
    assert len(pts) == 12
    assert pts[0] == [round(events["latitude"].iloc[0], 4), round(events["longitude"].iloc[0], 4)]


def test_aggregate_bins_events_on_a_grid() -> None:
    events = load_acled(SAMPLE)
    cells = aggregate(events, cell_deg=0.5)
    assert cells["events"].sum() == len(events)
    assert cells["fatalities"].sum() == events["fatalities"].sum()
    # Hakari bridge, Khankendi (twice) and Shusha share the cell 39.5-40.0 N, 46.5-47.0 E.
    top = cells.iloc[0]
    assert top["events"] == 4 and top["fatalities"] == 14
    assert top["first"] == pd.Timestamp("2023-04-23") and top["last"] == pd.Timestamp("2023-10-02")
    assert top["top_type"] == "Strategic developments"
    assert 39.5 <= top["lat"] < 40.0 and 46.5 <= top["lon"] < 47.0
    assert list(cells["events"]) == sorted(cells["events"], reverse=True)
    # A finer grid never merges more: every cell of it lies inside one coarse cell.
    assert len(aggregate(events, cell_deg=0.01)) >= len(cells)
    assert aggregate(window(events, "2030-01-01")).empty


def test_missing_column_is_named(tmp_path: Path) -> None:
    lines = _lines()
    lines[0] = lines[0].replace(",fatalities,", ",deaths,")
    path = _variant(tmp_path, "nofat.csv", "".join(lines))
    with pytest.raises(AcledError, match=r"nofat\.csv: .*missing columns \['fatalities'\]"):
        load_acled(path)


@pytest.mark.parametrize(
    ("event_id", "old", "new", "error"),
    [
        pytest.param(
            "SYNARM0005", "10 January 2023", "10 Janvier 2023",
            r"broken\.csv: row 5: event_date '10 Janvier 2023'", id="bad-date",
        ),
        # The comma shifts the columns: a parse error, named with the file.
        pytest.param(
            "SYNARM0007", "40.1776", "40,1776", r"broken\.csv: not a well-formed CSV",
            id="comma-in-latitude",
        ),
        pytest.param(
            "SYNARM0007", "40.1776", "N40.1776",
            r"broken\.csv: row 7: latitude 'N40\.1776' is not a num", id="bad-latitude",
        ),
        # Reported, not dropped.
        pytest.param(
            "SYNAZE0004", "40.1053", "140.1053",
            r"row 4: latitude 140\.1053 is outside \[-90, 90\]", id="latitude-out-of-range",
        ),
        pytest.param(
            "SYNARM0002", ",5,1700000000", ",,1700000000", r"row 2: fatalities is empty",
            id="empty-fatalities",
        ),
        pytest.param(
            "SYNARM0002", ",5,1700000000", ",five,1700000000",
            r"row 2: fatalities 'five' is not an integer", id="bad-fatalities",
        ),
        pytest.param(
            "SYNARM0011", "SYNARM0011", "SYNARM0005",
            r"event_id_cnty 'SYNARM0005' appears more than once", id="duplicate-event-id",
        ),
    ],
)
def test_broken_row_is_named(
    tmp_path: Path, event_id: str, old: str, new: str, error: str
) -> None:
    path = _replace_in_row(tmp_path, event_id, old, new)
    with pytest.raises(AcledError, match=error):
        load_acled(path)


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    with pytest.raises(AcledError, match=r"empty\.csv: empty file"):
        load_acled(_variant(tmp_path, "empty.csv", ""))
    header_only = load_acled(_variant(tmp_path, "header.csv", _lines()[0]))
    assert len(header_only) == 0
    assert list(header_only.columns) == [*ACLED_COLUMNS, "geometry"]
    assert len(window(header_only, "2022-01-01", "2023-01-01")) == 0


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    data = SAMPLE.read_text(encoding="utf-8").replace("Azərbaycan", "Az\u00e9rbaycan")
    latin = data.encode("cp1252", errors="replace")
    path = _variant(tmp_path, "latin.csv", latin)
    line = data[: data.index("Az\u00e9rbaycan")].count("\n") + 1
    with pytest.raises(AcledError, match=rf"latin\.csv: line {line} is not UTF-8"):
        load_acled(path)


def test_missing_file_and_spreadsheet(tmp_path: Path) -> None:
    with pytest.raises(AcledError, match=r"nope\.csv: no such file"):
        load_acled(tmp_path / "nope.csv")
    with pytest.raises(AcledError, match=r"export the ACLED data as CSV"):
        load_acled(_variant(tmp_path, "export.xlsx", b"PK\x03\x04rest-of-a-zip"))


def test_command_line_summary_and_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from geo.acled import main

    assert main([str(SAMPLE), "--from", "2023-01-01", "--to", "2023-12-31"]) == 0
    out = capsys.readouterr().out
    assert "12 events; 6 in the window (2023-01-10 to 2023-10-02), 14 reported fatalities" in out
    assert "Strategic developments" in out
    assert main([str(_variant(tmp_path, "empty.csv", ""))]) == 1
    assert "empty.csv: empty file" in capsys.readouterr().err
