"""Writing published files: atomic (via :mod:`pipeline.fsutil`) and readable by a web server.

``fsutil.atomic_path`` makes its temporary file with ``mkstemp``, which is private (0600); a feed or page
that only its owner can read cannot be served by nginx or Apache running as another user. Published files
therefore get the usual 0644 (less the process umask) before they are renamed into place.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.fsutil import atomic_path


def _public_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_public(path: Path, data: bytes | str) -> None:
    """Atomically write ``data`` (text is UTF-8) to ``path``, world-readable as the umask allows."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(Path(path)) as tmp:
        tmp.write_bytes(raw)
        os.chmod(tmp, _public_mode())


def copy_public(src: Path, dst: Path) -> None:
    """Atomically copy ``src`` to ``dst``, world-readable as the umask allows."""
    with atomic_path(Path(dst)) as tmp:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, _public_mode())
