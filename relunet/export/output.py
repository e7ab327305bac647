"""Writing the export: check the target early, then replace it atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def check_writable(path: str | os.PathLike) -> None:
    """OSError with a plain reason if `path` cannot be written; checked
    before the slow part so a typo fails at once."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder, not a file name")
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"no permission to write in {folder}")


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` all at once or not at all: a temporary file in
    the same folder, synced to disk, then renamed over `path`. On any failure
    the temporary file is removed and an existing `path` is left untouched."""
    target = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp_name, 0o666 & ~_umask())
        os.replace(temp_name, target)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
