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
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from relunet.export.executors import exit_with_parent, stop_executor
from relunet.export.fonts import use_page_font
from relunet.export.interrupts import children_ignore_ctrl_c

_WARM_UP_SPEC = {"width": 1, "height": 1, "marks": []}
# Every this many renders, the helper returns the SVG and this process
# rasterises it: otherwise the helper, which does all the JavaScript work, is
# the slower side and this process waits for it.
RASTERISE_HERE_EVERY = 2
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


class Renderer:
    """PNGs by key. `render` queues a Vega spec, `compile_and_render` a
    Vega-Lite spec whose Vega form `compiled` returns; `get` waits for a PNG.
    Use as a context manager."""

    def __init__(self, scale: float, helpers: int = 0):
        self._scale = scale
        self._jobs: dict[object, tuple[str, dict, Future | None]] = {}
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
        if self._pool is not None and self._renders % RASTERISE_HERE_EVERY == 0:
            self._jobs[key] = ("svg", vega_spec, self._submit(_vega_to_svg, vega_spec, self._scale))
        else:
            self._jobs[key] = ("vega", vega_spec, self._submit(render_png, vega_spec, self._scale))

    def compile_and_render(self, key: object, vegalite_spec: dict) -> None:
        self._jobs[key] = ("vega-lite", vegalite_spec, self._submit(_compile_and_render, vegalite_spec, self._scale))

    def compiled(self, key: object) -> dict:
        """The Vega spec a `compile_and_render` job compiled to."""
        if key not in self._compiled:
            kind, spec, future = self._jobs[key]
            vega, png = self._outcome(future, _compile_and_render, spec)
            self._compiled[key] = vega
            self._jobs[key] = ("done", png, None)
        return self._compiled[key]

    def __contains__(self, key: object) -> bool:
        """Whether a job for `key` is queued and not yet taken with `get`."""
        return key in self._jobs

    def get(self, key: object) -> bytes:
        kind, spec, future = self._jobs.pop(key)
        if kind == "done":
            return spec
        if kind == "vega":
            return self._outcome(future, render_png, spec)
        if kind == "svg":
            return _rasterise(self._outcome(future, _vega_to_svg, spec), self._scale)
        vega, png = self._outcome(future, _compile_and_render, spec)
        self._compiled.setdefault(key, vega)
        return png

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

    def _submit(self, function, spec: dict, *args) -> Future | None:
        if self._pool is None:
            return None
        try:
            with children_ignore_ctrl_c():  # the pool starts its helpers when jobs arrive
                return self._pool.submit(function, spec, *args)
        except (BrokenProcessPool, RuntimeError):  # a helper died earlier: render here from now on
            self._abandon_pool()
            return None

    def _outcome(self, future: Future | None, function, spec: dict):
        """The job's result, from its helper or, if the helper failed, from here.
        A bad spec fails the same way in both, so it is reported, not retried."""
        if future is not None and (self._pool is not None or future.done()):
            try:
                return future.result(timeout=JOB_TIMEOUT_S)
            except (BrokenProcessPool, TimeoutError, CancelledError):
                self._abandon_pool()
            except Exception as error:
                raise RuntimeError(f"rendering failed: {type(error).__name__}: {error}") from error
        try:
            return function(spec, self._scale)
        except Exception as error:
            raise RuntimeError(f"rendering failed: {type(error).__name__}: {error}") from error

    def _abandon_pool(self) -> None:
        """Stop using the helpers (they died or hang); the work goes on here."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        stop_executor(pool)
