"""Vega specs to PNG bytes with vl-convert, shared with helper processes.

vl-convert holds the GIL while it works, so threads cannot overlap it with
anything; processes can. A helper (`python -m relunet.render`, which imports
nothing but vl-convert) starts first and warms its JavaScript runtime up
(about 0.6 s) while this process loads the chart stack and builds specs. It
then takes the JavaScript work: Vega-Lite to Vega and Vega to SVG. The SVG is
rasterised by whichever process is free (rasterising needs no warm-up): the
helper does it itself when no other job is waiting for it, otherwise it
sends the SVG back and this process rasterises it when the frame is needed.
With no helpers everything runs here, lazily, when asked for.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
from collections import deque

_WARM_UP_SPEC = {"width": 1, "height": 1, "marks": []}
_HEADER = struct.Struct("<Q")
# While a helper is busy, every this many of its renders come back as SVG
# for this process to rasterise: this process also builds every spec and
# composes the frames, so it takes the smaller share.
RETURN_SVG_EVERY = 2


def render_png(vega_spec: dict, scale: float = 1.0) -> bytes:
    """SVG then PNG: the very same pixels as vega_to_png, about a third faster."""
    import vl_convert

    return vl_convert.svg_to_png(vl_convert.vega_to_svg(vega_spec), scale=scale)


def helper_count(processes: int | None) -> int:
    """Helper processes: as asked (`processes` counts this one), or one when
    there is a second core. Even 7 frames gain: the helper's warm-up replaces
    this process's own, and overlaps loading the chart stack."""
    if processes is not None:
        return processes - 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if cores >= 2 else 0


# --- the pipe protocol: length-prefixed pickles ----------------------------


def _send(fd: int, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int) -> object | None:
    """The next message, or None at end of stream."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    body = _read_exactly(fd, _HEADER.unpack(header)[0])
    if body is None:
        return None
    return pickle.loads(body)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _waiting(fd: int) -> bool:
    """Whether another job is already waiting on `fd` (False if unknown)."""
    try:
        import select

        return bool(select.select([fd], [], [], 0)[0])
    except (ImportError, OSError, ValueError):
        return False


def serve(in_fd: int = 0, out_fd: int = 1) -> None:
    """The helper's loop: jobs (kind, key, spec, scale, may_return_svg) in,
    results out. Vega-Lite jobs are compiled as soon as they arrive (this
    process's owner waits for those); renders go in order. A render whose
    SVG may be returned is rasterised by the owner when other jobs wait here."""
    import vl_convert

    vl_convert.vega_to_svg(_WARM_UP_SPEC)
    backlog: deque = deque()
    open_ = True
    while open_ or backlog:
        while open_ and (not backlog or _waiting(in_fd)):
            job = _receive(in_fd)
            if job is None:
                open_ = False
            else:
                backlog.append(job)
        for index, job in enumerate(backlog):
            if job[0] == "vega-lite":
                _, key, spec, scale, may_return = job
                try:
                    spec = vl_convert.vegalite_to_vega(spec)
                    _send(out_fd, ("vega", key, spec))
                    backlog[index] = ("vega", key, spec, scale, may_return)
                except Exception as error:  # reported for this job; the helper carries on
                    del backlog[index]
                    _send(out_fd, ("error", key, f"{type(error).__name__}: {error}"))
                break
        else:
            if backlog:
                _, key, spec, scale, may_return = backlog.popleft()
                try:
                    svg = vl_convert.vega_to_svg(spec)
                    if may_return and (backlog or _waiting(in_fd)):
                        _send(out_fd, ("svg", key, svg))
                    else:
                        _send(out_fd, ("png", key, vl_convert.svg_to_png(svg, scale=scale)))
                except Exception as error:
                    _send(out_fd, ("error", key, f"{type(error).__name__}: {error}"))


# --- this side ---------------------------------------------------------------


class _Helper:
    """One helper process, fed by a writer thread and drained by a reader
    thread so neither side ever blocks on a full pipe."""

    def __init__(self, renderer: Renderer):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "relunet.render"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self.in_flight = 0
        self._outbox: deque = deque()
        self._wake = threading.Condition()
        self._renderer = renderer
        self._threads = [
            threading.Thread(target=self._write, daemon=True, name="relunet-render-write"),
            threading.Thread(target=self._read, daemon=True, name="relunet-render-read"),
        ]
        for thread in self._threads:
            thread.start()

    def send(self, job: tuple | None) -> None:
        with self._wake:
            self._outbox.append(job)
            self._wake.notify()

    def _write(self) -> None:
        fd = self.process.stdin.fileno()
        try:
            while True:
                with self._wake:
                    self._wake.wait_for(lambda: self._outbox)
                    job = self._outbox.popleft()
                if job is None:
                    break
                _send(fd, job)
        except OSError:
            pass  # the helper has gone; the reader reports it
        finally:
            self.process.stdin.close()

    def _read(self) -> None:
        fd = self.process.stdout.fileno()
        while (message := _receive(fd)) is not None:
            self._renderer._arrived(self, *message)
        self._renderer._helper_stopped(self)

    def close(self) -> None:
        """Stop the helper: at once if it still has work (an error or an
        interrupt here), else once it has read the end of its jobs."""
        self.send(None)
        if self.in_flight:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for thread in self._threads:
            thread.join(timeout=10)
        self.process.stdout.close()


class Renderer:
    """PNGs by key. `render` queues a Vega spec, `compile_and_render` a
    Vega-Lite spec whose Vega form `compiled` returns; `get` waits for a PNG.
    Use as a context manager."""

    def __init__(self, scale: float, helpers: int = 0):
        self._scale = scale
        self._ready = threading.Condition()
        self._results: dict[object, tuple[str, object]] = {}
        self._compiled: dict[object, dict] = {}
        self._local: dict[object, dict] = {}  # no helper: rendered when asked for
        self._owner: dict[object, _Helper] = {}
        self._helpers = []
        self._sent = 0
        try:
            for _ in range(helpers):
                self._helpers.append(_Helper(self))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def render(self, key: object, vega_spec: dict) -> None:
        self._submit("vega", key, vega_spec)

    def compile_and_render(self, key: object, vegalite_spec: dict) -> None:
        self._submit("vega-lite", key, vegalite_spec)

    def compiled(self, key: object) -> dict:
        """The Vega spec a `compile_and_render` job compiled to."""
        with self._ready:
            self._ready.wait_for(lambda: key in self._compiled or self._failed(key))
            if key in self._compiled:
                return self._compiled[key]
        return self._raise(key)

    def get(self, key: object) -> bytes:
        if key in self._local:
            try:
                return render_png(self._local.pop(key), self._scale)
            except Exception as error:
                raise RuntimeError(f"rendering failed: {type(error).__name__}: {error}") from error
        with self._ready:
            self._ready.wait_for(lambda: key in self._results)
            kind, value = self._results.pop(key)
        if kind == "png":
            return value
        if kind == "svg":
            import vl_convert

            return vl_convert.svg_to_png(value, scale=self._scale)
        raise RuntimeError(f"rendering failed: {value}")

    def close(self) -> None:
        for helper in self._helpers:
            helper.close()
        self._helpers = []

    def _submit(self, kind: str, key: object, spec: dict) -> None:
        if not self._helpers:
            if kind == "vega-lite":
                import vl_convert

                try:
                    spec = self._compiled[key] = vl_convert.vegalite_to_vega(spec)
                except Exception as error:
                    self._results[key] = ("error", f"{type(error).__name__}: {error}")
                    return
            self._local[key] = spec
            return
        helper = min(self._helpers, key=lambda h: h.in_flight)
        with self._ready:
            helper.in_flight += 1
            self._owner[key] = helper
        self._sent += 1
        helper.send((kind, key, spec, self._scale, self._sent % RETURN_SVG_EVERY == 0))

    def _failed(self, key: object) -> bool:
        return key in self._results and self._results[key][0] == "error"

    def _raise(self, key: object):
        raise RuntimeError(f"rendering failed: {self._results[key][1]}")

    def _arrived(self, helper: _Helper, kind: str, key: object, value: object) -> None:
        with self._ready:
            if kind == "vega":
                self._compiled[key] = value
            else:
                helper.in_flight -= 1
                self._owner.pop(key, None)
                self._results[key] = (kind, value)
            self._ready.notify_all()

    def _helper_stopped(self, helper: _Helper) -> None:
        with self._ready:
            for key, owner in list(self._owner.items()):
                if owner is helper:
                    del self._owner[key]
                    self._results[key] = ("error", f"helper process stopped (exit code {helper.process.poll()})")
            self._ready.notify_all()


if __name__ == "__main__":
    # Results go out on a private copy of stdout; anything printed goes to stderr.
    _out = os.dup(1)
    os.dup2(2, 1)
    serve(0, _out)
