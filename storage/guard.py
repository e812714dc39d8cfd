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
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from storage.errors import TooManyAttemptsError

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
    _write(vault, failures, last)
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


def _write(vault: Path, failures: int, last: float) -> None:
    path = guard_path(vault)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump({"failures": failures, "last_failure": last}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
