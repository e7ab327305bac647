"""Stopping a standard-library process pool without waiting on anything that can hang."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor


def exit_with_parent(parent: int, check_every_s: float = 1.0) -> None:
    """In a worker: end this process as soon as `parent` (the pid of the process that started it, passed
    in, since it may be gone already) is no longer its parent. A parent killed outright (or a server stopped
    while an export runs) must not leave a worker rendering on, orphaned."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(check_every_s)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def pool_thread_died(executor: ProcessPoolExecutor | None) -> bool:
    """True if the pool's own thread (which hands out jobs and replaces workers) has ended; reads a private
    attribute, guarded: without it, False."""
    thread = getattr(executor, "_executor_manager_thread", None)
    return thread is not None and not thread.is_alive()


def stop_executor(executor: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes and let the pool's own thread wind down.

    A pool whose worker died while a large job was being sent to it can leave
    the thread that feeds jobs blocked on a full pipe forever (CPython closes
    that pipe only on Windows, gh-107219), and the interpreter waits for that
    thread at exit. With every reader of the pipe closed, the blocked write
    fails and the thread ends. The pool's thread must be gone before the
    interpreter exits, or Python 3.11 wakes it through a pipe it has already
    closed and prints an error; and shutting the pool while that thread still
    runs races it (it may find the pool's process table already gone). Reaches into two private attributes, each
    guarded: without them this is a plain kill and shutdown."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    manager = getattr(executor, "_executor_manager_thread", None)
    if not any(process.is_alive() for process in processes):
        # No worker to kill (each left after its last job): killing wakes nothing, so the pool's thread would sit
        # in its wait until the timeouts below (10 s per pool). The pool's own shutdown wakes it and it ends; it
        # waits for that thread before clearing the pool (no race), and a thread of ours bounds that wait.
        closer = threading.Thread(target=executor.shutdown, kwargs={"wait": True, "cancel_futures": True},
                                  name="pool-shutdown", daemon=True)
        closer.start()
        closer.join(timeout=5)
        if not closer.is_alive():
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())  # it started one after all
    for process in processes:
        process.kill()
    for process in processes:
        process.join(timeout=5)
    if manager is not None:  # it sees the workers gone, fails their jobs and ends; only then is the pool shut
        manager.join(timeout=5)
        if manager.is_alive():  # stuck feeding a dead worker: close the pipe's last reader, then it ends
            reader = getattr(getattr(executor, "_call_queue", None), "_reader", None)
            if reader is not None:
                try:
                    reader.close()
                except OSError:
                    pass
            manager.join(timeout=5)
    late = [p for p in (getattr(executor, "_processes", None) or {}).values() if p not in processes]
    executor.shutdown(wait=False, cancel_futures=True)
    for process in late:  # started while the old ones were being killed
        process.kill()
