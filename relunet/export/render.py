"""Vega specs to PNG bytes with vl-convert, here or in helper processes.

vl-convert holds the GIL while it works, so threads cannot overlap it with
anything; processes can. Helpers are a standard-library process pool whose
workers warm vl-convert's JavaScript runtime up (about 0.6 s) as they start,
while this process loads the chart stack and builds specs.

Whatever happens to a helper, the export goes on: a job whose helper died,
or that did not finish in time, is rendered again here, and so is every job
after it (the helpers are dropped: no second wait on a broken pool). With no
helpers everything runs here, lazily, when asked for. Helpers ignore Ctrl-C,
which the terminal sends to the whole process group: the main process
answers it and kills them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from relunet.export.executors import exit_with_parent, stop_executor
from relunet.export.fonts import use_page_font
from relunet.export.interrupts import children_ignore_ctrl_c, deferred

_WARM_UP_SPEC = {"width": 1, "height": 1, "marks": []}
# Every this many renders, the helper returns the SVG and this process
# rasterises it: otherwise the helper, which does all the JavaScript work, is
# the slower side and this process waits for it.
RASTERISE_HERE_EVERY = 2
# Jobs handed to each helper at a time: enough that it never waits for this
# process to hand it the next, few enough that this process can take the rest
# (1920×1080 GIF: 2 → 6.54 s, 4 → 5.94 s, 8 → 6.22 s, medians of 3).
IN_FLIGHT = 4
# A helper renders a frame in well under a second; far longer means it hangs.
JOB_TIMEOUT_S = 60.0


def render_svg(vega_spec: dict) -> str:
    """The spec as SVG text, set in the page's font."""
    import vl_convert

    use_page_font()
    return vl_convert.vega_to_svg(vega_spec)


def render_png(vega_spec: dict, scale: float = 1.0) -> bytes:
    """SVG then PNG: the very same pixels as vega_to_png, about a third faster."""
    import vl_convert

    return vl_convert.svg_to_png(render_svg(vega_spec), scale=scale)


def compile_vegalite(spec: dict) -> dict:
    import vl_convert

    return vl_convert.vegalite_to_vega(spec)


def _vega_to_svg(spec: dict, scale: float) -> str:
    return render_svg(spec)


def _rasterise(svg: str, scale: float) -> bytes:
    import vl_convert

    use_page_font()  # the text is set when rasterised: without it, this process drew a fallback face
    return vl_convert.svg_to_png(svg, scale=scale)


def _compile_and_render(spec: dict, scale: float) -> tuple[dict, bytes]:
    vega = compile_vegalite(spec)
    return vega, render_png(vega, scale)


def _start_helper(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to answer
    exit_with_parent(parent)
    render_svg(_WARM_UP_SPEC)


def helper_count(processes: int | None) -> int:
    """Helper processes: as asked (`processes` counts this one), or one when
    there is a second core. Even 7 frames gain: the helper's warm-up replaces
    this process's own, and overlaps loading the chart stack."""
    if processes is not None:
        return processes - 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if cores >= 2 else 0


@dataclass
class _Job:
    kind: str  # "vega", "svg" (a helper draws the SVG, this process rasterises it) or "vega-lite"
    spec: dict
    future: Future | None = None  # set once handed to a helper
    result: object = None  # the finished result: PNG bytes, or (Vega spec, PNG bytes) for "vega-lite"
    finished: bool = False


_IN_HELPER = {"vega": render_png, "svg": _vega_to_svg, "vega-lite": _compile_and_render}
_HERE = {"vega": render_png, "svg": render_png, "vega-lite": _compile_and_render}


class Renderer:
    """PNGs by key. `render` queues a Vega spec, `compile_and_render` a
    Vega-Lite spec whose Vega form `compiled` returns; `get` waits for a PNG.
    Use as a context manager.

    Jobs wait in this process's own queue; the helpers are handed only a
    few at a time (IN_FLIGHT each), in order. Whenever this process would
    wait for a helper, it takes the last job still queued and does it
    itself, so neither side idles while work is left (on 2 cores, median of
    3 interleaved runs: the default GIF at 1920×1080 went from 6.69 to 6.24 s,
    at 960×540 from 3.56 to 3.26 s)."""

    def __init__(self, scale: float, helpers: int = 0):
        self._scale = scale
        self._jobs: dict[object, _Job] = {}
        self._queued: deque = deque()  # keys of jobs no helper has been handed yet
        self._handed: deque = deque()  # futures of the jobs handed to the helpers, oldest first
        self._in_flight = IN_FLIGHT * helpers
        self._compiled: dict[object, dict] = {}
        self._renders = 0
        # "spawn", never "fork": a helper forked while any other thread runs (a
        # server's, or an earlier pool's) can deadlock on a lock that thread held.
        self._pool = (
            ProcessPoolExecutor(helpers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_helper,
                                initargs=(os.getpid(),))
            if helpers > 0 else None
        )

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:  # a failure or an interrupt: the helpers' work is not wanted
            self._abandon_pool()

    def render(self, key: object, vega_spec: dict) -> None:
        self._renders += 1
        helped = self._pool is not None and self._renders % RASTERISE_HERE_EVERY == 0
        self._queue(key, _Job("svg" if helped else "vega", vega_spec))

    def compile_and_render(self, key: object, vegalite_spec: dict) -> None:
        self._queue(key, _Job("vega-lite", vegalite_spec))

    def compiled(self, key: object) -> dict:
        """The Vega spec a `compile_and_render` job compiled to."""
        if key not in self._compiled:
            self._compiled[key], _ = self._result(key)  # the job keeps its PNG for `get`
        return self._compiled[key]

    def __contains__(self, key: object) -> bool:
        """Whether a job for `key` is queued and not yet taken with `get`."""
        return key in self._jobs

    def get(self, key: object) -> bytes:
        kind = self._jobs[key].kind
        result = self._result(key)
        del self._jobs[key]
        if kind == "vega-lite":
            vega, png = result
            self._compiled.setdefault(key, vega)
            return png
        return result

    def close(self) -> None:
        """Every job has been collected, so the helpers are idle: stop them, waiting a bounded time."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=JOB_TIMEOUT_S)
        if any(process.is_alive() for process in processes):
            stop_executor(pool)

    def _queue(self, key: object, job: _Job) -> None:
        self._jobs[key] = job
        self._queued.append(key)
        self._hand_out()

    def _hand_out(self) -> None:
        """Keep each helper IN_FLIGHT jobs ahead, from the front of the queue."""
        while self._handed and self._handed[0].done():
            self._handed.popleft()
        while self._pool is not None and self._queued and len(self._handed) < self._in_flight:
            key = self._queued.popleft()
            job = self._jobs[key]
            job.future = self._submit(_IN_HELPER[job.kind], job.spec, self._scale)
            if job.future is None:  # the pool broke: this job, like the rest, is done here
                self._queued.appendleft(key)
                return
            self._handed.append(job.future)

    def _result(self, key: object):
        job = self._jobs[key]
        if not job.finished and job.future is None:  # not handed out (or failed here before): do it now
            if key in self._queued:
                self._queued.remove(key)
            self._do_here(job)
        while not job.finished and self._pool is not None and not job.future.done() and self._queued:
            self._do_here(self._jobs[self._queued.pop()])  # rather than wait: the job the helpers reach last
        if not job.finished:
            self._collect(job)
        self._hand_out()
        return job.result

    def _do_here(self, job: _Job) -> None:
        job.result, job.finished = self._here(job.kind, job.spec), True

    def _here(self, kind: str, spec: dict):
        try:
            return _HERE[kind](spec, self._scale)
        except Exception as error:
            raise RuntimeError(f"rendering failed: {type(error).__name__}: {error}") from error

    def _collect(self, job: _Job) -> None:
        """A handed-out job's result from its helper or, if the helper failed, from here.
        A bad spec fails the same way in both, so it is reported, not retried."""
        if self._pool is not None or job.future.done():
            try:
                outcome = job.future.result(timeout=JOB_TIMEOUT_S)
            except (BrokenProcessPool, TimeoutError, CancelledError):
                self._abandon_pool()
            except Exception as error:
                raise RuntimeError(f"rendering failed: {type(error).__name__}: {error}") from error
            else:
                job.result = _rasterise(outcome, self._scale) if job.kind == "svg" else outcome
                job.finished = True
                return
        self._do_here(job)

    def _submit(self, function, spec: dict, *args) -> Future | None:
        if self._pool is None:
            return None
        try:
            with deferred(), children_ignore_ctrl_c():  # the pool starts its helpers when jobs arrive
                return self._pool.submit(function, spec, *args)
        except (BrokenProcessPool, RuntimeError):  # a helper died earlier: render here from now on
            self._abandon_pool()
            return None

    def _abandon_pool(self) -> None:
        """Stop using the helpers (they died or hang); the work goes on here."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        stop_executor(pool)
