"""One bounded pool of worker processes that makes exports for every session
of a server, so the server's own interpreter only serves clicks.

- Bounded: at most `workers` exports run at once, and together they may
  need at most `memory_budget_mb` (each job says what it needs; one job
  always may run); the rest wait in a first-come queue whose order each
  waiting request can see (`Ticket.position`).
- Shared: a request for a job already queued, running, or recently made
  gets that job's ticket, so the same settings render once.
- Recycled: each worker process makes `max_tasks_per_child` exports, then is
  replaced (the standard library's ProcessPoolExecutor does it), so memory
  an export left behind goes back to the system.
- Never stuck: a worker that dies or runs past `job_timeout_s` is killed and
  its job is tried once more, then reported as failed in one line; every
  wait has a timeout. When the server exits, running exports are killed
  rather than waited for.
- Polite: workers run at a lower CPU priority than the server.

A job is any picklable function `run(settings, on_progress) -> bytes` (a
module-level function) with hashable, picklable settings, so every export
format can go through here. Workers run it with one process (no helpers).
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.context
import os
import signal
import sys
import threading
import time
import types
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from relunet.export.executors import exit_with_parent, pool_thread_died, stop_executor

# After killing an overdue job's worker, how long the pool may take to report the job as failed.
KILL_GRACE_S = 30.0

Job = Callable[[Any, Callable[[int, int], None]], bytes]

_progress_channel = None  # in a worker: the write end of the pool's progress pipe (set by _start_worker)


class ExportFailed(Exception):
    """An export could not be made; str() is one line for the user."""


# Exports are background work: a worker yields the CPU to the server's clicks. Nice 10, not 19: with two
# ordinary busy processes on two cores, a small GIF that takes 3 s alone took 42 s at nice 10 and was not done
# after 240 s at nice 19 (starved). Ten exports at once still keep a click's p95 at 1.05× its idle value
# (bench/export_load.py; that figure was 2.6× at nice 5 only while Streamlit's file watcher ran).
WORKER_NICENESS = 10


_main_swap = threading.Lock()

_live_pools: weakref.WeakSet[ExportPool] = weakref.WeakSet()


def _stop_every_pool() -> None:
    """At interpreter exit: shut every pool, killing its workers. Without this, the standard library's own
    exit hook would wait for each running export to finish, and then for its worker to exit."""
    for pool in list(_live_pools):
        pool.shutdown()


# The standard library's pools join their threads in a hook of threading's exit, not of atexit (which runs
# later); such hooks run last-registered first, and concurrent.futures registered its own on import, above.
# Private, so guarded: without it exit still works, only waiting for running exports.
getattr(threading, "_register_atexit", lambda hook: None)(_stop_every_pool)


class _WorkerProcess(multiprocessing.context.SpawnProcess):
    """A spawned worker that does not run the server's page. Spawning re-runs
    the parent's `__main__` file in the child, and Streamlit makes the page
    script `__main__` while it runs, so every worker would import the page's
    whole stack and draw it in bare mode. Started with a bare `__main__` (only
    for the instant the child is launched), the child imports just its job."""

    @staticmethod
    def _Popen(process_obj):
        with _main_swap:
            main = sys.modules["__main__"]
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                return multiprocessing.context.SpawnProcess._Popen(process_obj)
            finally:
                sys.modules["__main__"] = main


class _WorkerContext(multiprocessing.context.SpawnContext):
    Process = _WorkerProcess


def _start_worker(progress_channel, server_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal is the server's to answer
    os.nice(WORKER_NICENESS)
    exit_with_parent(server_pid)
    global _progress_channel
    _progress_channel = progress_channel


def _run_job(job_id: int, run: Job, settings: Any) -> bytes:
    """In a worker: run the job, reporting this process and the job's progress."""
    pid = os.getpid()
    _progress_channel.send((job_id, pid, 0, 0))

    def on_progress(done: int, total: int) -> None:
        _progress_channel.send((job_id, pid, done, total))

    return run(settings, on_progress)


@dataclass(eq=False)
class Ticket:
    """One job as the sessions waiting for it see it."""

    key: tuple
    job_id: int
    run: Job
    settings: Any
    memory_mb: float = 0.0
    future: Future = field(default_factory=Future)
    pool: ExportPool | None = None
    attempts: int = 0
    started: float | None = None  # monotonic time the current attempt started in a worker
    worker_pid: int | None = None
    killed: float | None = None  # when the watcher killed this attempt for running too long
    attempt_future: Future | None = None
    done_frames: int = 0
    total_frames: int = 0

    def done(self) -> bool:
        return self.future.done()

    def wait(self, timeout: float) -> bool:
        """True once the job is done (made or failed), waiting at most `timeout` seconds."""
        try:
            self.future.exception(timeout=timeout)
        except FutureTimeout:
            return False
        return True

    def result(self, timeout: float) -> bytes:
        """The bytes; ExportFailed, or TimeoutError if not done within `timeout` seconds."""
        try:
            return self.future.result(timeout=timeout)
        except FutureTimeout:
            raise TimeoutError("the export is not done yet") from None

    def position(self) -> int:
        """1 for the next job to start, 2 for the one after...; 0 once running or done."""
        return self.pool.position(self) if self.pool is not None else 0

    def progress(self) -> tuple[int, int]:
        """(done, total) as the job reports it; (0, 0) before it starts."""
        return self.done_frames, self.total_frames


class ExportPool:
    def __init__(
        self,
        workers: int = 1,
        max_tasks_per_child: int = 1,
        job_timeout_s: float = 600.0,
        keep_results: int = 8,
        retries: int = 1,
        memory_budget_mb: float = float("inf"),
    ):
        self.workers = workers
        self.memory_budget_mb = memory_budget_mb
        self.job_timeout_s = job_timeout_s
        self._max_tasks_per_child = max_tasks_per_child
        self._keep_results = keep_results
        self._retries = retries
        self._lock = threading.Lock()
        self._context = _WorkerContext()  # spawned: a server's threads must not be forked
        # Progress goes over a plain pipe, not a multiprocessing.Queue: a queue's writers share a lock, and a
        # worker killed while its queue thread held it (the timeout's kill, say) left every later worker
        # unable to report progress, or to exit, which stalled the pool. Each report is one write of well
        # under PIPE_BUF bytes, which the system keeps whole between writers without any lock.
        self._progress, self._progress_writer = self._context.Pipe(duplex=False)
        self._executor: ProcessPoolExecutor | None = None
        self._ids = itertools.count(1)
        self._waiting: deque[Ticket] = deque()
        self._running: dict[int, Ticket] = {}
        self._tickets: dict[tuple, Ticket] = {}  # queued or running, by key
        self._made: OrderedDict[tuple, Ticket] = OrderedDict()  # recently made, by key
        self._closed = False
        self._watcher = threading.Thread(target=self._watch, name="export-pool-watch", daemon=True)
        self._watcher.start()
        _live_pools.add(self)

    # --- what sessions call ---------------------------------------------------

    def submit(self, run: Job, settings: Hashable, memory_mb: float = 0.0) -> Ticket:
        """The ticket for `run(settings)`: an identical job's if one is queued,
        running or recently made, else a new one at the back of the queue.
        `memory_mb`: what the job's worker needs at its peak."""
        key = (run.__module__, run.__qualname__, settings)
        with self._lock:
            if self._closed:
                raise ExportFailed("the server is shutting down")
            if key in self._made:
                self._made.move_to_end(key)
                return self._made[key]
            if key in self._tickets:
                return self._tickets[key]
            ticket = Ticket(key, next(self._ids), run, settings, memory_mb, pool=self)
            self._tickets[key] = ticket
            self._waiting.append(ticket)
            started = self._dispatch()
        self._follow(started)
        return ticket

    def position(self, ticket: Ticket) -> int:
        with self._lock:
            for place, waiting in enumerate(self._waiting, start=1):
                if waiting is ticket:
                    return place
        return 0

    def queued(self) -> int:
        with self._lock:
            return len(self._waiting)

    def worker_pids(self) -> list[int]:
        with self._lock:
            executor = self._executor
        return list(getattr(executor, "_processes", None) or {})

    def shutdown(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            executor, self._executor = self._executor, None
            tickets = list(self._waiting) + list(self._running.values())
            self._waiting.clear()
            self._running.clear()
            self._tickets.clear()
        for ticket in tickets:
            if not ticket.future.done():
                ticket.future.set_exception(ExportFailed("the server is shutting down"))
        if executor is not None:
            stop_executor(executor)
        if self._watcher.is_alive():  # it reads the pipe, so this cannot block; it wakes it at once
            self._progress_writer.send(None)
        self._watcher.join(timeout=5)
        if not self._watcher.is_alive():
            self._progress.close()
            self._progress_writer.close()

    # --- inside ---------------------------------------------------------------

    def _dispatch(self) -> list[tuple[Ticket, ProcessPoolExecutor | None, Future]]:
        """Start waiting jobs while a worker is free. Callers hold the lock, and
        then (without it: a finished job's callback takes the lock) `_follow`
        what this returns."""
        started = []
        while self._waiting and len(self._running) < self.workers and not self._closed:
            in_use = sum(running.memory_mb for running in self._running.values())
            if self._running and in_use + self._waiting[0].memory_mb > self.memory_budget_mb:
                break  # first come, first served: the next job waits for memory rather than being overtaken
            ticket = self._waiting.popleft()
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.workers, mp_context=self._context, initializer=_start_worker,
                    initargs=(self._progress_writer, os.getpid()),
                    max_tasks_per_child=self._max_tasks_per_child,
                )
            ticket.attempts += 1
            ticket.started, ticket.worker_pid, ticket.killed = time.monotonic(), None, None
            ticket.done_frames = ticket.total_frames = 0
            self._running[ticket.job_id] = ticket
            try:
                inner = self._executor.submit(_run_job, ticket.job_id, ticket.run, ticket.settings)
            except Exception as error:  # broken, shut, or unable to start a worker: this pool is done
                inner = Future()
                inner.set_exception(BrokenProcessPool(f"{type(error).__name__}: {error}"))
            ticket.attempt_future = inner
            started.append((ticket, self._executor, inner))
        return started

    def _follow(self, started: list[tuple[Ticket, ProcessPoolExecutor | None, Future]]) -> None:
        for ticket, executor, inner in started:
            inner.add_done_callback(lambda done, t=ticket, pool=executor: self._finished(t, pool, done))

    def _finished(self, ticket: Ticket, executor: ProcessPoolExecutor | None, inner: Future) -> None:
        error = BrokenProcessPool("cancelled") if inner.cancelled() else inner.exception()
        broken = isinstance(error, BrokenProcessPool)
        with self._lock:
            if self._running.get(ticket.job_id) is not ticket or ticket.attempt_future is not inner:
                return  # already settled (shut down, or given up on after a kill that never finished it)
            del self._running[ticket.job_id]
            if broken and executor is self._executor:
                self._executor = None  # a broken pool takes no more jobs: the next job starts a new one
                old = executor
            else:
                old = None
            if broken and ticket.attempts <= self._retries and not self._closed:
                self._waiting.appendleft(ticket)  # tried once more, first in line
                settled = False
            else:
                self._tickets.pop(ticket.key, None)
                if error is None:
                    self._made[ticket.key] = ticket
                    while len(self._made) > self._keep_results:
                        self._made.popitem(last=False)
                settled = True
            started = self._dispatch()
        self._follow(started)
        if old is not None:
            threading.Thread(target=stop_executor, args=(old,), daemon=True).start()
        if not settled:
            return
        if error is None:
            ticket.future.set_result(inner.result())
        elif broken:
            ticket.future.set_exception(ExportFailed("the export's worker process stopped unexpectedly, twice"))
        else:
            ticket.future.set_exception(ExportFailed(f"{type(error).__name__}: {error}"))

    def _watch(self) -> None:
        """Progress from the workers, and the timeout: a job running too long has its worker killed (and is
        then retried once, like any job whose worker died)."""
        while True:
            message = self._progress.recv() if self._progress.poll(1.0) else ()  # () if nothing this second
            if message is None or self._closed:
                return
            if not threading.main_thread().is_alive():  # the server is exiting: it must not wait for exports
                with self._lock:
                    executor, self._executor = self._executor, None
                if executor is not None:
                    stop_executor(executor)
                return
            now = time.monotonic()
            with self._lock:
                if message:
                    job_id, pid, done, total = message
                    ticket = self._running.get(job_id)
                    if ticket is not None:
                        ticket.worker_pid, ticket.done_frames, ticket.total_frames = pid, done, total
                overdue = [t for t in self._running.values()
                           if t.killed is None and now - t.started > self.job_timeout_s]
                # The pool's own thread hands out jobs and starts each recycled worker's successor. If starting one
                # fails there (it is pickled: after this module is reloaded in a live server, the old worker class
                # no longer pickles), that thread dies and its jobs would wait for the timeout above. Seen dead here,
                # with the lock held, every callback it ran has run: what is still running on it is stranded.
                stranded = list(self._running.values()) if pool_thread_died(self._executor) else []
                lost = [t for t in self._running.values() if t.killed is not None and now - t.killed > KILL_GRACE_S]
                executor = self._executor
                for ticket in overdue:
                    ticket.killed = now
            for ticket in overdue:
                if ticket.worker_pid is not None:
                    try:
                        os.kill(ticket.worker_pid, signal.SIGKILL)  # the pool then fails the job: it is retried
                    except ProcessLookupError:
                        pass
                elif executor is not None:  # it never reached a worker: the pool itself is stuck
                    threading.Thread(target=stop_executor, args=(executor,), daemon=True).start()
            for ticket in stranded:  # retried on a new pool, once, like a job whose worker died
                self._fail_attempt(ticket, "the pool's own thread stopped", executor, give_up=False)
            for ticket in lost:  # killed, yet the pool never reported it: give up on that pool, fail it here
                self._fail_attempt(ticket, "the worker did not answer", executor, give_up=True)

    def _fail_attempt(self, ticket: Ticket, why: str, executor: ProcessPoolExecutor | None, give_up: bool) -> None:
        """Settle an attempt its pool will never report: as a broken pool (retried once on a new one), or,
        with `give_up`, by dropping that pool and failing the job at once."""
        failed = Future()
        failed.set_exception(BrokenProcessPool(why))
        with self._lock:
            if give_up and self._executor is executor:
                self._executor = None
            if self._running.get(ticket.job_id) is not ticket:
                return  # settled meanwhile
            ticket.attempt_future = failed
            if give_up:
                ticket.attempts = self._retries + 1
        self._finished(ticket, None if give_up else executor, failed)
