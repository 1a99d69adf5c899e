"""The benchmark still runs: ``python -m bench --smoke`` end to end, at small sizes.

Figures are not judged here (speed lives in the benchmark report); the test checks that every
section was measured and holds numbers, so that the benchmark itself cannot rot.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from bench.report import METRICS
from geo.paths import ROOT

pytestmark = pytest.mark.browser

SECTIONS = ("page", "click", "payload", "linker", "scale")


Smoke = tuple[dict, str, subprocess.CompletedProcess]
COMMITTED = ROOT / "bench" / "results.json"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Smoke:
    out = tmp_path_factory.mktemp("bench")
    committed = COMMITTED.read_bytes() if COMMITTED.exists() else None
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    after = COMMITTED.read_bytes() if COMMITTED.exists() else None
    assert after == committed, "a smoke run changed the committed bench/results.json"
    assert (out / "RESULTS.md").exists(), proc.stderr[-3000:]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return results, (out / "RESULTS.md").read_text(encoding="utf-8"), proc


def _numbers(value: object) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, list):
        return [x for v in value for x in _numbers(v)]
    return []


def test_every_section_measured(smoke: Smoke) -> None:
    results, _, proc = smoke
    assert results["meta"]["mode"] == "smoke"
    assert results["errors"] == {}, proc.stderr[-3000:]
    for name in SECTIONS:
        section = results["sections"][name]
        figures = _numbers(section)
        assert figures, name
        assert all(math.isfinite(x) for x in figures), name
    assert proc.returncode == 0


def test_every_metric_has_a_number(smoke: Smoke) -> None:
    results, markdown, _ = smoke
    table = {row["id"]: row for row in results["table"]}
    for metric in METRICS:
        row = table[f"{metric.section}.{metric.key}"]
        assert isinstance(row["value"], int | float) and math.isfinite(row["value"]), row
        assert row["value"] >= 0, row
        assert row["label"] in markdown
        if metric.check is not None:
            assert isinstance(row["pass"], bool), row


def test_figures_are_consistent(smoke: Smoke) -> None:
    s = smoke[0]["sections"]
    page, click, payload, linker, scale = (s[n] for n in SECTIONS)
    assert page["warm_ratio"] == pytest.approx(page["warm_s"] / page["bare_warm_s"])
    assert page["features_drawn"] > 1
    assert click["clicks"] == len(click["popup_s"]) == len(click["panel_s"])
    assert len(set(click["places"])) == click["clicks"]
    assert payload["default_total_bytes"] > payload["bare_total_bytes"] > 0
    assert sum(payload["layers"].values()) > 0
    assert linker["linker_mentions"] > 0 and linker["naive_mentions"] > 0
    assert [g["copies"] for g in linker["text_growth"]] == sorted(
        g["copies"] for g in linker["text_growth"]
    )
    assert scale["events"] > 0 and scale["window_events_median"] >= 0
    assert scale["load_seconds"] > 0 and scale["loader_process_peak_rss_bytes"] > 0
