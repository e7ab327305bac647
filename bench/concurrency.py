"""A class opening the page at once: one server, many browser sessions.

usage: python bench/concurrency.py [--sessions 8] [--extra-settings 40] [--batch 10]
                                   [--gif-size 640] [--gif-tween 0]

Starts the real server (streamlit run) and Debian's Chromium (or RELUNET_CHROMIUM).
Phase 1: --sessions browser sessions run at the same time, each opened from a
link with its own weights; each clicks "Next" through all seven stages (timed
from the click until the new heading and chart are drawn) and then makes and
downloads the GIF of its own weights. Phase 2: --extra-settings more distinct
weight settings, --batch sessions at a time, each stepping through all stages
and making its GIF, to show the server's memory levels off once its caches
are full. Reports errors (exceptions, console errors, error boxes, bad or
mixed-up GIFs), p50/p95 of click -> stage drawn, the server's peak RSS
(itself and its children) and its RSS after each batch.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests", "e2e")]

from PIL import Image  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402
from streamlit_server import StreamlitServer, chromium_available, chromium_path, launch_options  # noqa: E402

from relunet.stages import STAGE_COUNT, stage  # noqa: E402

TIMEOUT_MS = 180_000  # generous: a loaded two-core machine renders slowly, and slow is measured, not an error


# --- the server's memory ------------------------------------------------------


def _status_kb(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass  # the process ended between listing and reading
    return 0


def _descendants(pid: int) -> list[int]:
    children = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                children += [int(child) for child in listing.read().split()]
    except OSError:
        return []
    return children + [grandchild for child in children for grandchild in _descendants(child)]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of the process and every process it started (render helpers)."""
    return sum(_status_kb(p, "VmRSS") for p in [pid, *_descendants(pid)]) / 1024


class MemorySampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_mb = pid, interval, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- one student --------------------------------------------------------------


@dataclass
class Outcome:
    click_seconds: list[float] = field(default_factory=list)
    export_seconds: float | None = None
    gif_name: str | None = None
    errors: list[str] = field(default_factory=list)


def weights_link(index: int) -> str:
    """A distinct setting per session: w4 = 2.60, 2.61, ... and b1 nudged for the later ones."""
    return f"/?w4={2.6 + (index % 100) / 100:.2f}&b1={-0.85 - (index // 100) / 100:.2f}"


async def wait_for_stage(page, number: int) -> None:
    heading = f"Stage {number} of {STAGE_COUNT} · {stage(number).title}"
    await page.get_by_role("heading", name=heading, exact=True).wait_for()
    chart = f'[data-testid="stVegaLiteChart"][aria-label^="Stage {number} chart:"]'
    await page.locator(f"{chart} .mark-line path").first.wait_for()


async def make_gif(page, args, outcome: Outcome) -> None:
    await page.locator('[data-testid="stExpander"] summary', has_text="Export for slides").click()
    make = page.get_by_role("button", name="Make the GIF")
    await make.wait_for()
    size = page.get_by_role("combobox", name="Frame size")
    for _ in range(3):  # a click while the expander is still opening can leave the list shut
        await size.click()
        if await size.get_attribute("aria-expanded") == "true" or await page.get_by_role("option").count():
            break
        await page.wait_for_timeout(500)
    await page.get_by_role("option", name=args.gif_size).first.click()
    tween = page.get_by_role("spinbutton", name="In-between frames")
    await tween.fill(str(args.gif_tween))
    await tween.press("Enter")
    started = time.perf_counter()
    await make.click()
    download_button = page.locator(".st-key-download_gif").get_by_role("button", name="Download GIF")
    await download_button.wait_for(timeout=TIMEOUT_MS)
    async with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        await download_button.click()
    download = await download_info.value
    path = await download.path()
    outcome.export_seconds = time.perf_counter() - started
    outcome.gif_name = download.suggested_filename
    with open(path, "rb") as gif_file, Image.open(io.BytesIO(gif_file.read())) as gif:
        expected = 7 + 6 * args.gif_tween
        if gif.format != "GIF" or gif.n_frames != expected or gif.info.get("loop") != 0:
            outcome.errors.append(f"bad GIF: {gif.format}, {gif.n_frames} frames (wanted {expected})")


async def student(browser, url: str, index: int, args, export: bool) -> Outcome:
    outcome = Outcome()
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda m: outcome.errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: outcome.errors.append(f"uncaught: {e}"))
    try:
        await page.goto(url + weights_link(index))
        await wait_for_stage(page, 1)
        next_button = page.get_by_role("button", name="Next")
        for number in range(2, STAGE_COUNT + 1):
            started = time.perf_counter()
            await next_button.click()
            await wait_for_stage(page, number)
            outcome.click_seconds.append(time.perf_counter() - started)
        if export:
            await make_gif(page, args, outcome)
        if await page.locator('[data-testid="stException"]').count():
            outcome.errors.append("an exception box is shown")
    except Exception as problem:  # counted and reported: the point is to see every failure
        outcome.errors.append(f"{type(problem).__name__}: {str(problem).splitlines()[0]}")
    finally:
        await context.close()
    return outcome


# --- the run ------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report_errors(outcomes: list[Outcome], label: str) -> int:
    errors = [(i, e) for i, o in enumerate(outcomes) for e in o.errors]
    gif_names = [o.gif_name for o in outcomes if o.gif_name]
    if len(set(gif_names)) != len(gif_names):
        errors.append((-1, f"sessions got the same GIF file name: {gif_names}"))
    print(f"{label}: {len(errors)} errors")
    for index, error in errors[:20]:
        print(f"  session {index}: {error}")
    return len(errors)


async def run(args) -> int:
    with tempfile.TemporaryDirectory() as folder, StreamlitServer(os.path.join(folder, "streamlit.log")) as server:
        sampler = MemorySampler(server.process.pid)
        sampler.start()
        print(f"server pid {server.process.pid} on {server.url}; RSS at start {tree_rss_mb(server.process.pid):.0f} MB")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**launch_options())
            started = time.perf_counter()
            outcomes = await asyncio.gather(
                *(student(browser, server.url, i, args, export=True) for i in range(args.sessions))
            )
            print(f"\nphase 1: {args.sessions} sessions at once, {time.perf_counter() - started:.1f} s")
            errors = report_errors(outcomes, "phase 1")
            clicks = [s for o in outcomes for s in o.click_seconds]
            if clicks:
                print(f"click -> stage drawn: n={len(clicks)}, p50 {statistics.median(clicks) * 1000:.0f} ms, "
                      f"p95 {percentile(clicks, 0.95) * 1000:.0f} ms, max {max(clicks) * 1000:.0f} ms")
            exports = [o.export_seconds for o in outcomes if o.export_seconds is not None]
            if exports:
                print(f"make + download GIF: p50 {statistics.median(exports):.1f} s, max {max(exports):.1f} s")
            print(f"RSS after phase 1: {tree_rss_mb(server.process.pid):.0f} MB")

            print(f"\nphase 2: {args.extra_settings} more distinct weight settings, {args.batch} at a time")
            done = 0
            while done < args.extra_settings:
                size = min(args.batch, args.extra_settings - done)
                first = args.sessions + done
                batch = await asyncio.gather(
                    *(student(browser, server.url, first + i, args, export=True) for i in range(size))
                )
                done += size
                errors += report_errors(batch, f"  batch ending at setting {done}")
                print(f"  RSS after {args.sessions + done} distinct settings: {tree_rss_mb(server.process.pid):.0f} MB")
            await browser.close()
        sampler.stop()
        print(f"\nerrors in all: {errors}")
        print(f"server peak RSS (sampled, with children): {sampler.peak_mb:.0f} MB; "
              f"VmHWM of the server process: {_status_kb(server.process.pid, 'VmHWM') / 1024:.0f} MB")
    return 1 if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=8, help="browser sessions at once in phase 1")
    parser.add_argument("--extra-settings", type=int, default=40, help="more distinct weight settings in phase 2")
    parser.add_argument("--batch", type=int, default=10, help="sessions at once in phase 2")
    parser.add_argument("--gif-size", default="640", help="start of the 'Frame size' option to pick")
    parser.add_argument("--gif-tween", type=int, default=0, help="'In-between frames' for each GIF")
    args = parser.parse_args()
    if not chromium_available(chromium_path()):
        sys.exit(f"no Chromium at {chromium_path()}: sudo apt-get install chromium, or set RELUNET_CHROMIUM")
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
