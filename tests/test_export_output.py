"""relunet.export.output: only regular files are written, by one set of rules.

Every special file here lives in a temporary folder; no test ever names a real
device (a regression would replace it)."""

import io
import os
import pty
import socket
import stat

import pytest

from relunet.export.output import OutputRefused, check_target, write_output

DATA = b"GIF89a new bytes"


def leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_a_new_file_is_written_with_the_usual_permissions(tmp_path):
    out = tmp_path / "new.gif"
    write_output(str(out), DATA)
    mask = os.umask(0)
    os.umask(mask)
    assert out.read_bytes() == DATA and stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
def test_a_replaced_file_keeps_its_permissions(tmp_path, mode):
    out = tmp_path / "talk.gif"
    out.write_bytes(b"old")
    out.chmod(mode)
    write_output(str(out), DATA)
    assert out.read_bytes() == DATA and stat.S_IMODE(out.stat().st_mode) == mode


def test_a_read_only_file_is_kept_unless_forced(tmp_path):
    out = tmp_path / "final.gif"
    out.write_bytes(b"keep me")
    out.chmod(0o444)
    with pytest.raises(OutputRefused, match="read-only; use --force"):
        check_target(str(out))
    with pytest.raises(OutputRefused):
        write_output(str(out), DATA)
    assert out.read_bytes() == b"keep me"
    write_output(str(out), DATA, force=True)
    assert out.read_bytes() == DATA and stat.S_IMODE(out.stat().st_mode) == 0o444
    assert leftovers(tmp_path) == []


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for attempt in (check_target, lambda path: write_output(path, DATA, force=True)):
        with pytest.raises(OutputRefused, match="is a FIFO"):
            attempt(str(fifo))  # opening a FIFO with no reader would block: the test would hang
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and leftovers(tmp_path) == []


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(OutputRefused, match="is a socket"):
            write_output(str(path), DATA, force=True)
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()


def test_a_terminal_device_is_refused(tmp_path):
    """A character device that is ours to make: a pseudo-terminal, reached through a link in tmp."""
    controller, terminal = pty.openpty()
    try:
        link = tmp_path / "tty.gif"
        link.symlink_to(os.ttyname(terminal))
        with pytest.raises(OutputRefused, match="is a character device"):
            write_output(str(link), DATA, force=True)
        assert link.is_symlink()
    finally:
        os.close(controller)
        os.close(terminal)


@pytest.mark.parametrize("name", ["", "folder", "missing/"])
def test_folders_and_empty_names_are_refused(tmp_path, name):
    (tmp_path / "folder").mkdir()
    path = "" if not name else str(tmp_path / name) + ("/" if name.endswith("/") else "")
    with pytest.raises(OutputRefused) as refused:
        write_output(path, DATA)
    assert "\n" not in str(refused.value)
    assert sorted(os.listdir(tmp_path)) == ["folder"] and os.listdir(tmp_path / "folder") == []


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    target = tmp_path / "v3.gif"
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / "latest.gif"
    link.symlink_to("v3.gif")
    write_output(str(link), DATA)
    assert link.is_symlink() and os.readlink(link) == "v3.gif"
    assert target.read_bytes() == DATA and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "latest.gif"
    link.symlink_to("made.gif")
    write_output(str(link), DATA)
    assert link.is_symlink() and (tmp_path / "made.gif").read_bytes() == DATA


def test_a_symlink_to_a_fifo_or_a_read_only_file_is_refused(tmp_path):
    fifo, read_only = tmp_path / "pipe", tmp_path / "ro.gif"
    os.mkfifo(fifo)
    read_only.write_bytes(b"keep")
    read_only.chmod(0o444)
    for target, words in ((fifo, "is a FIFO"), (read_only, "is read-only")):
        link = tmp_path / f"to-{target.name}"
        link.symlink_to(target)
        with pytest.raises(OutputRefused, match=words):
            write_output(str(link), DATA)
        assert link.is_symlink()
    assert read_only.read_bytes() == b"keep" and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_dash_means_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.BytesIO()
    write_output("-", DATA, stdout=out)
    assert out.getvalue() == DATA and os.listdir(tmp_path) == []


def test_dash_refuses_a_terminal():
    controller, terminal = pty.openpty()
    try:
        with open(terminal, "wb", closefd=False) as screen, pytest.raises(OutputRefused, match="terminal"):
            write_output("-", DATA, stdout=screen)
    finally:
        os.close(controller)
        os.close(terminal)


def test_a_path_swapped_for_a_fifo_while_writing_is_left_alone(tmp_path, monkeypatch):
    """The target is checked again just before the rename."""
    out = tmp_path / "talk.gif"
    real_fsync = os.fsync

    def swap_then_fsync(fd):
        real_fsync(fd)
        if not stat.S_ISFIFO(os.lstat(out).st_mode if out.exists() else 0):
            os.mkfifo(out)

    monkeypatch.setattr(os, "fsync", swap_then_fsync)
    with pytest.raises(OutputRefused, match="FIFO"):
        write_output(str(out), DATA)
    assert stat.S_ISFIFO(os.lstat(out).st_mode) and leftovers(tmp_path) == []
