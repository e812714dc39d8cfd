"""Back-off after wrong passphrases, remembered across restarts in a small sidecar file.

``<vault>.attempts.json`` beside the vault holds only ``{"failures": n, "last_failure": unix time}``: no
secret, nothing about any person; it must be readable without the key, so it cannot live in the vault.
After ``n`` consecutive failures the next attempt is refused (:class:`TooManyAttemptsError`) until
``BASE_DELAY * 2 ** (n - FREE_ATTEMPTS)`` seconds (capped at ``MAX_DELAY``) have passed since the last
failure; the first ``FREE_ATTEMPTS`` mistakes cost nothing. A success resets the count.

Tampering, kept simple: a missing (vault exists) or unreadable counter file is treated as
``FREE_ATTEMPTS + 2`` failures *just now*, so deleting or garbling it buys a wait, not a reset. Someone who
rewrites the file with valid JSON can reset it: the file is not authenticated, because authenticating
it would need a secret on disk. That person can also copy the vault and guess offline, which no counter
stops; the real floor is the Argon2id cost of every guess (see :mod:`storage.keys`) and the strength of
the passphrase.

Media that cannot be written (a read-only stick, a full disk) never stop a read: the file is then only read;
a count that cannot be written is not kept, and a missing file there costs no wait (nothing could remember
it: the wait would restart at every attempt and the vault could never open). The file is mode 600.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from storage.errors import TooManyAttemptsError
from storage.files import FILE_MODE, is_media_error

FREE_ATTEMPTS = 3
BASE_DELAY = 2.0
MAX_DELAY = 15 * 60.0

#: Clock used for the back-off (tests replace it).
clock: Callable[[], float] = time.time


def guard_path(vault: Path) -> Path:
    return vault.with_name(vault.name + ".attempts.json")


def delay_for(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive wrong passphrases."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return float(min(MAX_DELAY, BASE_DELAY * 2 ** (failures - FREE_ATTEMPTS)))


def read_state(vault: Path) -> tuple[int, float]:
    """(failures, last_failure). Missing or garbled file: a penalty starting now (written back)."""
    path = guard_path(vault)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        failures = int(data["failures"])
        last = float(data["last_failure"])
        if failures < 0:
            raise ValueError
        return failures, last
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError):
        pass
    failures, last = FREE_ATTEMPTS + 2, clock()
    if not _write(vault, failures, last):
        return 0, 0.0
    return failures, last


def check(vault: Path) -> None:
    """Refuse an attempt while the back-off is running.

    Raises:
        TooManyAttemptsError: with ``retry_after`` seconds.
    """
    failures, last = read_state(vault)
    wait = delay_for(failures) - (clock() - last)
    if wait > 0:
        raise TooManyAttemptsError(wait)


def record_failure(vault: Path) -> int:
    failures, _ = read_state(vault)
    failures += 1
    _write(vault, failures, clock())
    return failures


def reset(vault: Path) -> None:
    _write(vault, 0, 0.0)


def _write(vault: Path, failures: int, last: float) -> bool:
    """Write the count atomically (mode 600); False when the medium is read-only or full (nothing kept)."""
    path = guard_path(vault)
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), FILE_MODE)
            json.dump({"failures": failures, "last_failure": last}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if not is_media_error(exc):
            raise
        try:
            tmp.unlink()
        except OSError:
            pass
        return False
    return True
