"""Start and stop a Streamlit server for a script, the way a user's ``streamlit run`` does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil

from geo.paths import ROOT

STREAMLIT_FLAGS = (
    "--server.headless=true",
    "--server.address=127.0.0.1",
    "--server.enableStaticServing=true",
    "--server.runOnSave=false",
    "--server.fileWatcherType=none",
    "--browser.gatherUsageStats=false",
)


@dataclass
class Server:
    """A running Streamlit server: its URL and process."""

    url: str
    process: subprocess.Popen
    started_s: float  # seconds from spawn to the health endpoint answering "ok"

    def rss_bytes(self) -> int:
        """Resident memory of the server process and its children."""
        proc = psutil.Process(self.process.pid)
        procs = [proc, *proc.children(recursive=True)]
        total = 0
        for p in procs:
            with suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as resp:
            return resp.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def serve(
    script: Path,
    *,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    log: Path | None = None,
) -> Iterator[Server]:
    """Run ``streamlit run script`` on a free port; stop its process group on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        f"--server.port={port}", *STREAMLIT_FLAGS,
    ]
    full_env = {**os.environ, **(env or {})}
    out = log.open("wb") if log else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        while not _healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode} for {script}")
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"streamlit did not answer on {url} within {timeout:.0f} s")
            time.sleep(0.05)
        yield Server(url=url, process=proc, started_s=time.perf_counter() - t0)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if log:
            out.close()
