"""The real page on a real server, and the browser that drives it.

Shared by the end-to-end tests and bench/concurrency.py, so both start the
server and Chromium the same way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ENV = "RELUNET_CHROMIUM"
MISSING_CHROMIUM = (
    "Browser tests need Debian's Chromium: sudo apt-get install chromium "
    f"(or set {CHROMIUM_ENV} to a Chromium binary)"
)
# Playwright's own browser download is not used: Debian's Chromium is driven
# directly. These flags keep it from sandboxing as root and from phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def chromium_path() -> str:
    return os.environ.get(CHROMIUM_ENV) or DEBIAN_CHROMIUM


def chromium_available(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def launch_options() -> dict:
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS, "headless": True}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StreamlitServer:
    """`streamlit run streamlit_app.py` on a free port, as a context manager;
    the server is always stopped on exit (terminate, then kill).

    `script` runs another page instead (the benchmarks' peer app); `launcher`
    goes in front of the command, e.g. ["taskset", "-c", "0"] to pin the server
    to one core (it must exec the command, so the process is the server itself)."""

    def __init__(self, log_path: str | os.PathLike, port: int | None = None, start_timeout: float = 60.0,
                 script: str | os.PathLike = "streamlit_app.py", launcher: tuple[str, ...] = ()):
        self.script = str(script)
        self.launcher = list(launcher)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> StreamlitServer:
        command = [
            *self.launcher, sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true",
            "--server.port", str(self.port), "--browser.gatherUsageStats", "false",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass  # not listening yet
            time.sleep(0.05)  # fine-grained: bench/browser_ratio.py times the start
        raise RuntimeError(f"streamlit not healthy after {self.start_timeout:.0f} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"
