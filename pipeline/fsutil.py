"""Atomic file writes: write to a temporary name in the same folder, fsync, then rename into place.

A reader (or a later run after ``kill -9``) sees either the old file or the complete new one, never a
half-written file at a final path. Temporary names start with ``.tmp-``.

Every file lands with the usual 0644 (0666 less the process umask), not ``mkstemp``'s private 0600: a feed,
page or episode that only its owner can read cannot be served by nginx or Apache running as another user.
:func:`copy_atomic` copies a file the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import OutputError

TMP_PREFIX = ".tmp-"


def explain_os_error(err: OSError, path: Path) -> OutputError:
    """One clear line for a failed write (full disk, permissions, read-only file system)."""
    if err.errno == errno.ENOSPC:
        return OutputError(f"no space left on the device while writing {path}; free some space and run again")
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"cannot write {path}: permission denied; choose another --output folder")
    return OutputError(f"cannot write {path}: {err.strerror or err}")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success fsync it and rename it to ``path``.

    On any exception the temporary file is removed and ``path`` is left untouched.
    OSErrors (full disk, permissions) become :class:`OutputError` with one clear line.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix="-" + path.name[-40:], dir=path.parent)
        os.close(fd)
    except OSError as err:
        raise explain_os_error(err, path) from err
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; published files must be world-readable
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise explain_os_error(err, path) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def copy_atomic(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` atomically."""
    with atomic_path(Path(dst)) as tmp:
        shutil.copyfile(src, tmp)


def _umask() -> int:
    """The process umask, read without changing it (Linux /proc), else the common 022."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return 0o022


def fsync_dir(folder: Path) -> None:
    """fsync a folder so a rename inside it survives a crash (best effort)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
