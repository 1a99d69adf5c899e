"""``python -m bench``: measure the atlas and write ``bench/results.json`` and ``RESULTS.md``.

``--smoke`` runs every measurement at small sizes in seconds and writes to a temporary folder
(or ``--out``), never over the committed results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import report

HERE = Path(__file__).resolve().parent
SECTIONS = ("page", "click", "payload", "linker", "scale")


def _chromium_version() -> str:
    from bench.browser import CHROMIUM

    try:
        out = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=20
        )
        return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "Chromium ?"
    except (OSError, subprocess.SubprocessError):
        return "Chromium (not found)"


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def run(smoke: bool, only: tuple[str, ...], workdir: Path) -> dict:
    """Run the chosen sections; a failing section is recorded, the others still run."""
    from bench import click, linking, page, scale

    results: dict = {
        "meta": {
            "command": "python -m bench" + (" --smoke" if smoke else ""),
            "mode": "smoke" if smoke else "full",
            "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "cpus": os.cpu_count(),
            "platform": platform.platform(terse=True),
            "python": platform.python_version(),
            "chromium": _chromium_version(),
            "loadavg_start": _loadavg(),
        },
        "sections": {},
        "errors": {},
        "notes": [],
    }
    t_start = time.perf_counter()
    jobs: list[tuple[tuple[str, ...], Callable[[], dict]]] = [
        (("page", "payload"), lambda: page.run(workdir, smoke)),
        (("click",), lambda: {"click": click.run(workdir, smoke)}),
        (("linker",), lambda: {"linker": linking.run(smoke)}),
        (("scale",), lambda: {"scale": scale.run(workdir, smoke)}),
    ]
    for names, job in jobs:
        if not set(names) & set(only):
            continue
        t0 = time.perf_counter()
        print(f"bench: {', '.join(names)} ...", file=sys.stderr, flush=True)
        try:
            got = job()
        except Exception as exc:  # noqa: BLE001 - record the failure, measure the rest
            for name in names:
                results["errors"][name] = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
            continue
        for name, section in got.items():
            if name in only:
                section["section_seconds"] = time.perf_counter() - t0
                results["sections"][name] = section
                notes = section.pop("notes", [])
                results["notes"] += notes
    results["meta"]["seconds"] = time.perf_counter() - t_start
    results["meta"]["loadavg_end"] = _loadavg()
    results["table"] = report.rows(results)
    return results


def write(results: dict, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "results.json", out / "RESULTS.md"
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    md_path.write_text(report.markdown(results), encoding="utf-8")
    return json_path, md_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small sizes, seconds")
    parser.add_argument("--out", type=Path, help="folder for results.json and RESULTS.md")
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}"
    )
    args = parser.parse_args(argv)
    only = tuple(s.strip() for s in args.only.split(",") if s.strip())
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    out = args.out or (Path(tempfile.mkdtemp(prefix="bench-smoke-")) if args.smoke else HERE)
    with tempfile.TemporaryDirectory(prefix="bench-work-") as tmp:
        results = run(args.smoke, only, Path(tmp))
    json_path, md_path = write(results, out)
    print(report.markdown(results))
    print(f"wrote {json_path} and {md_path}", file=sys.stderr)
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
