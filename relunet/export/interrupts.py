"""Ctrl-C and SIGTERM for the command line: one line, exit 130 or 143.

Both signals raise `Interrupted` in the main thread, so every clean-up on the
way out runs (helper processes killed, the temporary file removed). Helper
processes ignore Ctrl-C (see relunet.export.render): the terminal sends it to
the whole process group, and only this process should answer.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
MESSAGE = "python -m relunet.export: interrupted; nothing written"


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM. A BaseException, so no `except Exception` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.exit_code = 128 + signum  # what a shell reports for a process the signal ended


# While not None, an interrupt is kept here instead of raised (see `deferred`).
_deferred: list[int] | None = None


def ignore_interrupts() -> None:
    for signum in _SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _interrupt(signum: int, frame: object) -> None:
    ignore_interrupts()  # one interrupt is enough; the clean-up must not be cut short by a second
    if _deferred is not None:
        _deferred.append(signum)
        return
    raise Interrupted(signum)


@contextmanager
def deferred() -> Iterator[None]:
    """An interrupt that comes during the block is raised once it is done. For starting a helper process: cut
    short between starting it and handing it its start-up data, the helper found its pipe closed and printed a
    traceback (the SIGTERM test, 1 run in about 20). Done here, not in the signal mask, which a child inherits."""
    global _deferred
    if threading.current_thread() is not threading.main_thread() or _deferred is not None:
        yield
        return
    _deferred = []
    try:
        yield
    finally:
        caught, _deferred = _deferred, None
        if caught:
            raise Interrupted(caught[0])


def install_interrupt_handlers() -> None:
    for signum in _SIGNALS:
        signal.signal(signum, _interrupt)


def restore_default_handlers() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def report(interrupted: Interrupted) -> int:
    """Say so in one line; the exit code for it."""
    print(MESSAGE, file=sys.stderr, flush=True)
    return interrupted.exit_code


@contextmanager
def held_back() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done. For imports: an
    exception raised inside a C extension's import (numpy's) comes out as an
    ImportError with a traceback, not as Interrupted."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


@contextmanager
def held_back_then_ignored() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while the file is replaced and reported,
    so "nothing written" is never said of a written file; afterwards they are
    ignored, since the work is done."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        ignore_interrupts()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


@contextmanager
def children_ignore_ctrl_c() -> Iterator[None]:
    """Processes started in this block ignore Ctrl-C from their first
    instruction: an ignored signal stays ignored across exec, and Python then
    installs no KeyboardInterrupt handler. Only the main thread may change
    handlers; elsewhere this does nothing (helpers also ignore it once started)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
