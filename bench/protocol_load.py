"""A class on one server, measured at the server: many sessions over Streamlit's own protocol, no browsers.

usage: python bench/protocol_load.py [--sessions 10 30 100] [--clicks 12] [--think 1.0] [--edit-every 3]
                                     [--ramp 0] [--click-timeout 30] [--open-timeout 120] [--timeout 600]
                                     [--config KEY=VALUE] [--server-core 0] [--server-nice 0]
                                     [--driver-core 1]

For each session count N, starts a fresh server (`streamlit run streamlit_app.py`, pinned to
--server-core with taskset) and, from this one process (asyncio, pinned to --driver-core), opens N
sessions (at once, or spread over --ramp seconds) over the websocket protocol the page's front end
speaks (bench/streamlit_protocol.py). Each session opens the page from its own link (its own
weights, so the server's caches cannot serve one class-wide answer); once all have opened, each
makes --clicks clicks, waiting --think seconds on average (0.5x to 1.5x, seeded) after each answer:
every --edit-every-th click types a new value into a weight's number input, the others press Next
(or stage 1's button once on the last stage).

Measured per N: click latency at the server (BackMsg sent -> script_finished received) p50/p95/max,
for steps and edits together and apart; the page-open run; errors (exception elements, error boxes,
a wrong stage after a step, a weight the page's link does not show, disconnects, timeouts, sessions
cut off by --timeout); the server's RSS (the process and any children, from /proc) over time and at
its peak; the CPU the server and the driver used, the server's CPU per click, and how long its
threads waited for a CPU that other processes held (on a shared machine that wait, not the server,
can make the clicks slow). Target (issue 12): 30 sessions with p95 <= 1 s and 0 errors. Exits 1 if
an N up to 30 misses it.

What a browser also does and this does not: fetch the page's HTML and scripts, and draw.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests", "e2e")]

import websockets  # noqa: E402
from streamlit_protocol import StreamlitSession  # noqa: E402
from streamlit_server import StreamlitServer  # noqa: E402

TARGET_SESSIONS, TARGET_P95_SECONDS = 30, 1.0
WEIGHT_KEYS = ("w1", "b1", "w2", "b2", "w3", "w4", "b3")
STAGE_HEADING = re.compile(r"Stage (\d+) of (\d+)")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the server process tree, from /proc --------------------------------------


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                for child in listing.read().split():
                    pids += _tree(int(child))
    except OSError:
        pass  # the process ended while being read
    return pids


def tree_rss_mb(pid: int) -> float:
    total_kb = 0
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/status") as status:
                total_kb += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total_kb / 1024


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and its live children."""
    ticks = 0
    for member in _tree(pid):
        try:
            with open(f"/proc/{member}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return ticks / CLOCK_TICKS


def tree_runqueue_wait_seconds(pid: int) -> float:
    """Time the tree's threads were ready to run but waited for a CPU (/proc/<pid>/task/<tid>/schedstat):
    on a shared machine, what other processes took from the server's core."""
    total_ns = 0
    for member in _tree(pid):
        try:
            for task in os.listdir(f"/proc/{member}/task"):
                with open(f"/proc/{member}/task/{task}/schedstat") as schedstat:
                    total_ns += int(schedstat.read().split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return total_ns / 1e9


class RssTimeline(threading.Thread):
    """Samples the server tree's RSS in a thread, so a busy event loop cannot skip samples."""

    def __init__(self, pid: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []
        self._origin = time.monotonic()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append((time.monotonic() - self._origin, tree_rss_mb(self.pid)))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def peak(self) -> float:
        return max((mb for _, mb in self.samples), default=0.0)

    def every(self, seconds: float) -> list[float]:
        """The first sample of each `seconds`-long slice: RSS over time, in print-sized steps."""
        picked, next_time = [], 0.0
        for when, mb in self.samples:
            if when >= next_time:
                picked.append(mb)
                next_time = when + seconds
        return picked


# --- one student --------------------------------------------------------------


@dataclass
class Outcome:
    open_seconds: float | None = None
    steps: list[float] = field(default_factory=list)
    edits: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished: bool = False


def link_query(index: int) -> str:
    """Distinct weights per session: w4 = 2.60, 2.61, ..., and b1 nudged past 100 sessions."""
    return f"w4={2.6 + (index % 100) / 100:.2f}&b1={-0.85 - (index // 100) / 100:.2f}"


def shown_stage(headings: list[str]) -> int | None:
    for heading in headings:
        match = STAGE_HEADING.search(heading)
        if match:
            return int(match.group(1))
    return None


def next_weight_value(proto, value: float, edit_number: int) -> float:
    """`value` moved by one of the input's own steps, up or down by turns, inside its bounds."""
    step = proto.step or 0.1
    candidate = value + (step if edit_number % 2 == 0 else -step)
    if proto.has_max and candidate > proto.max or proto.has_min and candidate < proto.min:
        candidate = value - (step if edit_number % 2 == 0 else -step)
    return round(candidate, 10)


class Gate:
    """Holds every session until all have opened the page (or failed to), so the class opening the
    link at once and the class clicking are measured apart."""

    def __init__(self, count: int):
        self.waiting, self.open = count, asyncio.Event()

    def arrive(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.open.set()


async def student(base_url: str, index: int, count: int, args, outcome: Outcome, gate: Gate) -> None:
    rng = random.Random(index)
    session = StreamlitSession(base_url, link_query(index))
    arrived = False
    try:
        await asyncio.sleep(args.ramp * index / max(count - 1, 1))  # the class opens the link over --ramp s
        await session.connect(args.open_timeout)
        opened = await session.open(args.open_timeout)
        outcome.open_seconds = opened.seconds
        outcome.errors += opened.problems
        gate.arrive()
        arrived = True
        await gate.open.wait()
        stage = shown_stage(opened.headings())  # None: the heading changed wording; steps are then not checked
        weights = [key for key in WEIGHT_KEYS
                   if session.widgets.get(key, ("",))[0] == "number_input" and session.number(key) is not None]
        edit_count = 0
        for click in range(args.clicks):
            await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))
            if weights and args.edit_every and click % args.edit_every == args.edit_every - 1:
                key = weights[(index + edit_count) % len(weights)]
                value = next_weight_value(session.widgets[key][1], session.number(key), index + edit_count)
                edit_count += 1
                result = await session.set_number(key, value, args.click_timeout)
                outcome.edits.append(result.seconds)
                linked = parse_qs(session.query_string).get(key)  # the page writes its weights into the link
                if linked and not math.isclose(float(linked[0]), value, abs_tol=1e-9):
                    outcome.errors.append(f"set {key} to {value:g}: the page's link says {linked[0]}")
            else:
                _, next_proto = session.widgets["next"]
                button = "goto_1" if next_proto.disabled and "goto_1" in session.widgets else "next"
                result = await session.click(button, args.click_timeout)
                outcome.steps.append(result.seconds)
                if stage is not None:
                    wanted = 1 if button == "goto_1" else stage + 1
                    stage = shown_stage(result.headings())
                    if stage != wanted:
                        outcome.errors.append(f"pressed {button}: wanted stage {wanted}, the page shows {stage}")
                        stage = stage or wanted
            outcome.errors += result.problems
        outcome.finished = True
    except TimeoutError:
        limit = args.click_timeout if arrived else args.open_timeout
        outcome.errors.append(f"timeout: no answer within {limit:g} s{'' if arrived else ' to opening the page'}")
    except websockets.ConnectionClosed as closed:
        outcome.errors.append(f"disconnected: {closed}")
    except OSError as problem:
        outcome.errors.append(f"cannot connect: {problem}")
    except KeyError as missing:
        outcome.errors.append(f"widget not on the page: {missing}")
    finally:
        if not arrived:
            gate.arrive()
        await session.close()


# --- one session count --------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_text(values: list[float]) -> str:
    if not values:
        return "none"
    return (f"n={len(values)} p50 {statistics.median(values) * 1000:.0f} ms, "
            f"p95 {percentile(values, 0.95) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms")


@dataclass
class Row:
    sessions: int
    clicks: list[float]
    errors: int
    rss_start: float
    rss_peak: float
    rss_end: float
    server_cpu: float
    cpu_per_click: float  # seconds of server CPU per click, opening the page left out
    cpu_wait: float  # seconds the server's threads waited for a CPU, per second of clicking

    def meets_target(self) -> bool:
        return bool(self.clicks) and percentile(self.clicks, 0.95) <= TARGET_P95_SECONDS and self.errors == 0


async def drive(base_url: str, count: int, args, when_all_opened) -> list[Outcome]:
    outcomes, gate = [Outcome() for _ in range(count)], Gate(count)
    tasks = [asyncio.create_task(student(base_url, i, count, args, outcomes[i], gate)) for i in range(count)]
    watcher = asyncio.create_task(gate.open.wait())
    watcher.add_done_callback(lambda waited: None if waited.cancelled() else when_all_opened())
    done, pending = await asyncio.wait(tasks, timeout=args.timeout)
    watcher.cancel()
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for outcome in outcomes:
        if not outcome.finished and not outcome.errors:
            outcome.errors.append(f"cut off by the global --timeout of {args.timeout:g} s")
    for task in done:
        if task.exception() is not None:  # a bug in the driver, not the server: say so loudly
            raise task.exception()
    return outcomes


def measure(count: int, args) -> Row:
    print(f"\n=== {count} sessions opening over {args.ramp:g} s, then {args.clicks} clicks each, "
          f"think {args.think:g} s, edit every {args.edit_every}")
    launcher = ("taskset", "-c", str(args.server_core))
    if args.server_nice:  # nice execs taskset, which execs the server: the process is still the server
        launcher = ("nice", "-n", str(args.server_nice), *launcher)
    with tempfile.TemporaryDirectory() as folder, \
            StreamlitServer(os.path.join(folder, "streamlit.log"), launcher=launcher) as server:
        pid = server.process.pid
        timeline = RssTimeline(pid)
        timeline.start()
        rss_start, cpu_start = tree_rss_mb(pid), tree_cpu_seconds(pid)
        started = time.perf_counter()
        opened = {"at": started, "cpu": cpu_start, "wait": tree_runqueue_wait_seconds(pid)}  # reset once all opened

        def when_all_opened() -> None:
            opened.update(at=time.perf_counter(), cpu=tree_cpu_seconds(pid), wait=tree_runqueue_wait_seconds(pid))

        driver_start = time.process_time()
        outcomes = asyncio.run(drive(server.url, count, args, when_all_opened))
        ended, cpu_end, wait_end = time.perf_counter(), tree_cpu_seconds(pid), tree_runqueue_wait_seconds(pid)
        driver_cpu = (time.process_time() - driver_start) / (ended - started)
        time.sleep(1.0)  # let the sessions' disconnects settle before the last RSS reading
        timeline.stop()
        rss_end = tree_rss_mb(pid)
        log = server.log()

    opens = [o.open_seconds for o in outcomes if o.open_seconds is not None]
    steps = [s for o in outcomes for s in o.steps]
    edits = [s for o in outcomes for s in o.edits]
    errors = [(i, e) for i, o in enumerate(outcomes) for e in o.errors]
    clicks = len(steps) + len(edits)
    click_seconds, click_cpu = ended - opened["at"], cpu_end - opened["cpu"]
    server_cpu, cpu_per_click = click_cpu / click_seconds, click_cpu / max(clicks, 1)
    print(f"opening: {opened['at'] - started:.1f} s, server CPU {opened['cpu'] - cpu_start:.1f} s "
          f"(the first run imports the page's modules)")
    print(f"clicking: {click_seconds:.1f} s, server CPU {server_cpu:.0%} of its core, {clicks / click_seconds:.1f} "
          f"clicks/s, {cpu_per_click * 1000:.0f} ms of server CPU per click; driver CPU {driver_cpu:.0%} of its core")
    cpu_wait = (wait_end - opened["wait"]) / click_seconds
    print(f"  the server's threads were ready but waited for a CPU {wait_end - opened['wait']:.1f} s in all, "
          f"{cpu_wait:.2f} s per second of clicking: other processes on its core (and its own threads queuing)")
    print(f"page open (first run): {latency_text(opens)}")
    print(f"click, all:            {latency_text(steps + edits)}")
    print(f"  step (Next):         {latency_text(steps)}")
    print(f"  edit (a weight):     {latency_text(edits)}")
    print(f"errors: {len(errors)}")
    for index, error in errors[:10]:
        print(f"  session {index}: {error}")
    if "Traceback" in log:
        print("  the server log holds a traceback; its tail:\n" + "\n".join(log.splitlines()[-15:]))
    step_seconds = max(1.0, (ended - started) / 12)
    rss_steps = " ".join(f"{mb:.0f}" for mb in timeline.every(step_seconds))
    print(f"RSS MB every {step_seconds:.1f} s: {rss_steps}")
    print(f"RSS: start {rss_start:.0f} MB, peak {timeline.peak():.0f} MB, end {rss_end:.0f} MB")
    return Row(count, steps + edits, len(errors), rss_start, timeline.peak(), rss_end, server_cpu, cpu_per_click,
               cpu_wait)


def print_table(rows: list[Row]) -> None:
    print(f"\ntarget: {TARGET_SESSIONS} sessions with p95 <= {TARGET_P95_SECONDS:g} s and 0 errors")
    print("| sessions | clicks | p50 ms | p95 ms | max ms | errors | RSS start MB | RSS peak MB | RSS end MB "
          "| server CPU | CPU ms per click | CPU wait s/s | p95 <= 1 s, 0 errors |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        if row.clicks:
            p50, p95 = statistics.median(row.clicks) * 1000, percentile(row.clicks, 0.95) * 1000
            figures = f"{p50:.0f} | {p95:.0f} | {max(row.clicks) * 1000:.0f}"
        else:
            figures = "- | - | -"
        print(f"| {row.sessions} | {len(row.clicks)} | {figures} | {row.errors} | {row.rss_start:.0f} "
              f"| {row.rss_peak:.0f} | {row.rss_end:.0f} | {row.server_cpu:.0%} | {row.cpu_per_click * 1000:.0f} "
              f"| {row.cpu_wait:.2f} | {'yes' if row.meets_target() else 'NO'} |")


def bounded(kind, minimum: float, allow_minimum: bool):
    """An argparse type: a finite number of `kind` above `minimum` (or equal to it, if allowed)."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not (value >= minimum if allow_minimum else value > minimum) or value in (float("inf"),) or value != value:
            relation = "at least" if allow_minimum else "above"
            raise argparse.ArgumentTypeError(f"must be a finite number {relation} {minimum:g}: {text!r}")
        return value
    return parse


def nice_level(text: str) -> int:
    try:
        level = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not -20 <= level <= 19:
        raise argparse.ArgumentTypeError(f"a nice level is from -20 to 19, not {level}")
    return level


def server_environment(settings: list[str]) -> dict[str, str]:
    """--config KEY=VALUE pairs as the environment variables the server reads its options from."""
    from streamlit import config

    options, environment = config.get_config_options(), {}
    for setting in settings:
        key, _, value = setting.partition("=")
        if key not in options or not value:
            raise ValueError(f"--config {setting!r}: expected a Streamlit option as KEY=VALUE, "
                             f"e.g. runner.postScriptGC=false")
        environment[options[key].env_var] = value
    return environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=bounded(int, 0, False), nargs="+", default=[10, 30, 100],
                        help="session counts to measure, one fresh server each")
    parser.add_argument("--clicks", type=bounded(int, 0, False), default=12, help="clicks per session after opening")
    parser.add_argument("--think", type=bounded(float, 0, True), default=1.0,
                        help="mean seconds a session waits after each answer (0 = click back to back)")
    parser.add_argument("--ramp", type=bounded(float, 0, True), default=0.0,
                        help="seconds over which the sessions open the page (0 = all at once)")
    parser.add_argument("--edit-every", type=bounded(int, 0, False), default=3,
                        help="every K-th click edits a weight")
    parser.add_argument("--click-timeout", type=bounded(float, 0, False), default=30.0,
                        help="seconds before a click fails")
    parser.add_argument("--open-timeout", type=bounded(float, 0, False), default=120.0,
                        help="seconds before opening the page fails (a class opening at once queues)")
    parser.add_argument("--timeout", type=bounded(float, 0, False), default=600.0,
                        help="seconds per session count, in all")
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                        help="a Streamlit option for the server, e.g. runner.postScriptGC=false (repeatable)")
    parser.add_argument("--server-core", type=int, default=0, help="CPU the server is pinned to")
    parser.add_argument("--server-nice", type=nice_level, default=0, metavar="-20..19",
                        help="scheduling priority of the server; below 0 (root only) it gets its core ahead of "
                             "other processes on a shared machine")
    parser.add_argument("--driver-core", type=int, default=1, help="CPU this driver is pinned to")
    args = parser.parse_args()
    cores = os.sched_getaffinity(0)
    for name in ("server_core", "driver_core"):
        if getattr(args, name) not in cores:
            parser.error(f"--{name.replace('_', '-')} {getattr(args, name)} is not one of this machine's CPUs "
                         f"{sorted(cores)}")
    try:
        os.environ.update(server_environment(args.config))  # the server inherits them
    except ValueError as problem:
        parser.error(str(problem))
    os.sched_setaffinity(0, {args.driver_core})
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when the output goes to a file
    print(f"server on CPU {args.server_core} (nice {args.server_nice}), driver on CPU {args.driver_core}; "
          f"options {args.config or 'none'}; "
          f"load average before: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    try:
        rows = [measure(count, args) for count in args.sessions]
    except KeyboardInterrupt:
        sys.exit("interrupted; the server was stopped")
    print_table(rows)
    per_click = statistics.median(row.cpu_per_click for row in rows)
    print(f"one core at {per_click * 1000:.0f} ms of server CPU per click serves at most {1 / per_click:.1f} clicks/s: "
          f"about {(args.think + 0.3) / per_click:.0f} sessions that click {args.think:g} s after each answer "
          f"and wait 0.3 s for it")
    sys.exit(0 if all(row.meets_target() for row in rows if row.sessions <= TARGET_SESSIONS) else 1)


if __name__ == "__main__":
    main()
