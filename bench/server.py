"""Start and stop a Streamlit server for a script, the way a user's ``streamlit run`` does.

The benchmark and the browser tests both start their servers here: on a free port, in a
process group of their own (stopped as a group), ready once ``/_stcore/health`` answers "ok".
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import nullcontext, suppress
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
STOP_GRACE_S = 15.0  # SIGTERM first; SIGKILL for a group still running after this


@dataclass
class Server:
    """A running Streamlit server: its URL and process."""

    url: str
    process: subprocess.Popen
    started_s: float  # seconds from spawn to the health endpoint answering "ok"
    log: Path | None = None  # the server's stdout and stderr

    def rss_bytes(self) -> int:
        """Resident memory of the server process and its children."""
        proc = psutil.Process(self.process.pid)
        procs = [proc, *proc.children(recursive=True)]
        total = 0
        for p in procs:
            with suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        return total

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the server's process group (SIGTERM, then SIGKILL); safe to call twice."""
        proc = self.process
        if proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as resp:
            return resp.read().strip() == b"ok"
    except OSError:
        return False


def serve(
    script: Path,
    *,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    log: Path | None = None,
    port: int | None = None,
) -> Server:
    """Run ``streamlit run script`` on ``port`` (default: a free one) in its own process group
    and wait for it to answer; a server that exits or stays silent is stopped and reported.

    Stop it with :meth:`Server.stop`, or use it as a context manager (``with serve(...) as
    server:``), which stops it on leaving the block."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        f"--server.port={port}", *STREAMLIT_FLAGS,
    ]
    t0 = time.perf_counter()
    with (log.open("wb") if log else nullcontext(subprocess.DEVNULL)) as out:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env={**os.environ, **(env or {})},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Server(url=url, process=proc, started_s=0.0, log=log)
    where = f"; log: {log}" if log else ""
    try:
        while not _healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode} for {script}{where}")
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(
                    f"streamlit did not answer on {url} within {timeout:.0f} s{where}"
                )
            time.sleep(0.05)
    except BaseException:
        server.stop()
        raise
    server.started_s = time.perf_counter() - t0
    return server
