"""Writing an export's bytes to a path without ever hurting what is there.

Any format goes through here: `check_target` before the slow part, so a bad
path fails at once, then `write_output` with the bytes. The rules:

- Only regular files are written. A path that names a device, a FIFO, a
  socket or a folder is refused and left untouched.
- A read-only file is not replaced unless `force` is given.
- A replaced file keeps its permission bits (and its owner, when allowed).
- A symlink is written through: its target is replaced, atomically, and the
  link itself stays a link, as a shell's `>` would do. The target obeys the
  same rules, so a link to a device is refused too.
- `-` means standard output, as command-line tools do; a terminal is refused,
  since a GIF's bytes would only garble it.
- Files are replaced atomically: a temporary file in the same folder, synced,
  then renamed over the target. On failure (or an interrupt) the temporary
  file is removed and the target is as it was.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

STDOUT = "-"

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


class OutputRefused(Exception):
    """The target cannot or must not be written; str() is one line naming why."""


def check_target(path: str, force: bool = False, stdout: BinaryIO | None = None) -> None:
    """OutputRefused if `path` cannot or must not be written. Touches nothing."""
    if path == STDOUT:
        out = stdout if stdout is not None else sys.stdout.buffer
        if out.isatty():
            raise OutputRefused("standard output is a terminal: redirect it to a file or a pipe")
        return
    _resolved_target(path, force)


def write_output(path: str, data: bytes, force: bool = False, stdout: BinaryIO | None = None) -> None:
    """Write `data` to `path` (or standard output for `-`) by the rules above."""
    if path == STDOUT:
        check_target(path, force, stdout)
        out = stdout if stdout is not None else sys.stdout.buffer
        out.write(data)
        out.flush()
        return
    target = _resolved_target(path, force)

    def recheck() -> None:
        if _resolved_target(path, force) != target:
            raise OutputRefused(f"{path} changed while the export was written; nothing written")

    write_atomically(target, data, recheck)


def write_atomically(path: str | os.PathLike, data: bytes, recheck: Callable[[], None] | None = None) -> None:
    """Write `data` to `path` all at once or not at all. An existing file's
    permission bits (and owner, when allowed) carry over; a new file gets the
    usual 0o666 minus the umask. `recheck` runs just before the rename and may
    raise, in case the path changed while the data was written."""
    target = Path(path)
    try:
        before = os.stat(target)
    except FileNotFoundError:
        before = None
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if before is None:
            os.chmod(temp_name, 0o666 & ~_umask())
        else:
            os.chmod(temp_name, stat.S_IMODE(before.st_mode))
            _keep_owner(temp_name, before)
        if recheck is not None:
            recheck()
        os.replace(temp_name, target)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise


def _resolved_target(path: str, force: bool) -> Path:
    """The regular file (existing or not) that writing `path` would replace,
    symlinks followed; OutputRefused with the reason otherwise."""
    if path == "":
        raise OutputRefused("the output file name is empty")
    if path.endswith(("/", os.sep)) and not os.path.isdir(path):
        raise OutputRefused(f"{path} names a folder, not a file")
    given = Path(path)
    target = Path(os.path.realpath(given))  # a symlink is written through to its target
    via = f" (the link {path} points to {target})" if given.is_symlink() else ""
    try:
        status = os.stat(target)  # never open: opening a FIFO would block
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise OutputRefused(f"cannot check {path}: {error.strerror or error}") from None
    if status is not None:
        for is_kind, kind in _KINDS:
            if is_kind(status.st_mode):
                raise OutputRefused(f"{path} is {kind}{via}, not a regular file; nothing written")
        if not stat.S_ISREG(status.st_mode):
            raise OutputRefused(f"{path} is not a regular file{via}; nothing written")
        read_only = not status.st_mode & 0o222 or not os.access(target, os.W_OK)
        if read_only and not force:
            raise OutputRefused(f"{path} is read-only{via}; use --force to replace it")
    folder = target.parent
    if not folder.is_dir():
        raise OutputRefused(f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputRefused(f"no permission to write in {folder}")
    return target


def _keep_owner(temp_name: str, before: os.stat_result) -> None:
    if hasattr(os, "chown"):
        try:
            os.chown(temp_name, before.st_uid, before.st_gid)
        except PermissionError:  # only root may give a file away; the bits are kept regardless
            pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
