"""The command line under fire: Ctrl-C, SIGTERM and killed helper processes.

Each case runs `python -m relunet.export` in its own process group and hits it
at a range of moments. Whatever the moment, it must end (every wait has a
timeout), say at most one line, leave no temporary file, and either have
written a whole GIF or nothing."""

import io
import os
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Small frames, a few in-between ones and a helper process: a few seconds of work.
EXPORT = ["--width", "320", "--height", "180", "--tween", "2"]
DELAYS = [0.0, 0.3, 0.8, 1.5, 3.0]
NO_HANG_S = 180


def start(out) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "relunet.export", "--out", str(out), *EXPORT], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def wait_until_handling_signals(process: subprocess.Popen) -> None:
    """Until the process catches SIGTERM (its handlers are installed). Earlier, the interpreter is still
    starting up and the signals are Python's own."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                caught = next(int(line.split()[1], 16) for line in status if line.startswith("SigCgt:"))
        except (FileNotFoundError, StopIteration):
            caught = 0
        if caught & (1 << (signal.SIGTERM - 1)) or process.poll() is not None:
            return
        time.sleep(0.01)
    pytest.fail("the export never installed its signal handlers")


def helpers_of(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found += [int(child) for child in children.read().split()]
        except FileNotFoundError:
            pass
    helpers = []
    for child in found:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                if b"spawn_main" in cmdline.read():
                    helpers.append(child)
        except FileNotFoundError:
            pass
    return helpers


def finish(process: subprocess.Popen) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=NO_HANG_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the export hung")
    return process.returncode, err


def assert_whole_gif_or_nothing(folder, out, code: int) -> None:
    if code == 0:
        assert os.listdir(folder) == [out.name]
        gif = Image.open(io.BytesIO(out.read_bytes()))  # the encoder may merge identical frames
        assert gif.size == (320, 180) and 7 <= gif.n_frames <= 7 + 6 * 2
    else:
        assert os.listdir(folder) == []


@pytest.mark.parametrize(("signum", "to_group"), [(signal.SIGINT, True), (signal.SIGTERM, False)],
                         ids=["ctrl-c to the process group", "sigterm"])
@pytest.mark.parametrize("delay", DELAYS)
def test_an_interrupt_says_one_line_and_leaves_nothing(tmp_path, signum, to_group, delay):
    out = tmp_path / "talk.gif"
    process = start(out)
    wait_until_handling_signals(process)
    time.sleep(delay)
    if process.poll() is None:
        (os.killpg if to_group else os.kill)(process.pid, signum)
    code, err = finish(process)
    assert "Traceback" not in err and "Warning" not in err
    if code == 0:  # it finished first
        assert err == ""
    else:
        assert (code, err) == (128 + signum, "python -m relunet.export: interrupted; nothing written\n")
    assert_whole_gif_or_nothing(tmp_path, out, code)


@pytest.mark.parametrize("delay", [0.1, 0.4, 0.8, 1.2, 2.0, 3.0])
def test_a_killed_helper_never_hangs_the_export(tmp_path, delay):
    out = tmp_path / "talk.gif"
    process = start(out)
    wait_until_handling_signals(process)
    time.sleep(delay)
    for helper in helpers_of(process.pid):
        os.kill(helper, signal.SIGKILL)
    code, err = finish(process)
    assert "Traceback" not in err
    assert code == 0 or (code == 1 and err.count("\n") == 1)
    assert_whole_gif_or_nothing(tmp_path, out, code)


def test_an_interrupt_while_a_helper_starts_waits_until_it_has_started():
    """A helper cut off while it is handed its start-up data prints a traceback; so the interrupt waits for the
    block that starts it, then comes as usual."""
    from relunet.export.interrupts import Interrupted, deferred, install_interrupt_handlers, restore_default_handlers

    finished_the_block = False
    install_interrupt_handlers()
    try:
        with pytest.raises(Interrupted) as interrupted:
            with deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)  # the handler has run by now
                finished_the_block = True
        assert finished_the_block and interrupted.value.exit_code == 128 + signal.SIGTERM
    finally:
        restore_default_handlers()
