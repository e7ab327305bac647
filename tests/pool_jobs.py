"""Jobs for tests/test_export_pool.py: module-level, so worker processes can import them."""

import os
import signal
import time


def pid_after(seconds, on_progress):
    """Report progress, wait `seconds`, return this worker's pid; appends a line to a log if given a tuple."""
    log = None
    if isinstance(seconds, tuple):
        seconds, log = seconds
    started = time.time()
    for step in range(1, 5):
        on_progress(step, 4)
        time.sleep(seconds / 4)
    if log:
        with open(log, "a") as out:
            out.write(f"{os.getpid()} {started} {time.time()}\n")
    return str(os.getpid()).encode()


def dies_once(marker, on_progress):
    if not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return b"second time lucky"


def always_dies(settings, on_progress):
    os.kill(os.getpid(), signal.SIGKILL)


def raises(settings, on_progress):
    raise ValueError("no such stage")


def hangs(settings, on_progress):
    on_progress(0, 1)
    time.sleep(3600)


def floods_progress_then_dies_once(marker, on_progress):
    """First time: report progress as fast as it can and die while the reports are still being sent
    (a worker killed mid-report, as the pool's timeout or the system may kill one). Then: a normal job."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        for step in range(20_000):
            on_progress(step, 20_000)
        os.kill(os.getpid(), signal.SIGKILL)
    for step in range(1, 5):
        on_progress(step, 4)
        time.sleep(0.05)
    return b"made"
