"""Files beside and around the vault: private modes whatever the umask, and read-only media.

The vault file and its companions (``-wal``, ``-shm``, ``.attempts.json``) are mode 600; a folder the vault
creates is mode 700. SQLite creates ``-wal`` and ``-shm`` with the main file's mode, and the main file is
created here (empty, ``O_EXCL``, 600) before SQLCipher writes its first page, so no moment exists where a
wider mode is on disk. A folder that already existed is left as it was (it may be the user's home).
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
COMPANIONS = ("-wal", "-shm")


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents with mode 700 (umask-proof); existing ones are kept."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=DIR_MODE)
        os.chmod(path, DIR_MODE)


def create_private_file(path: Path) -> None:
    """Create an empty file with mode 600 (umask-proof).

    Raises:
        FileExistsError: something exists at ``path``.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def tighten(path: Path) -> None:
    """Mode 600 for the vault's companions that exist (a vault made by an older version may be 644)."""
    for suffix in ("", *COMPANIONS):
        target = Path(str(path) + suffix)
        with contextlib.suppress(OSError):
            if target.exists() and target.stat().st_mode & 0o077:
                os.chmod(target, FILE_MODE)


def is_read_only(path: Path) -> bool:
    """True when the vault cannot be written where it lies: a read-only file system or a file or folder
    the user may not write (``access`` also reports ``EROFS`` for root)."""
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def nearly_full(path: Path, margin: int = 1 << 20) -> bool:
    """True when the disk holding ``path`` has less than ``margin`` bytes free (SQLite reports a write
    refused for lack of space in the WAL or its index as a plain I/O error)."""
    import shutil

    try:
        return shutil.disk_usage(path.parent if not path.is_dir() else path).free < margin
    except OSError:
        return False


def is_media_error(exc: OSError) -> bool:
    """A read-only medium or a full disk (an error to live with, not to crash on)."""
    return exc.errno in (errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM)
