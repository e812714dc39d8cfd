"""Opening, creating and locking the vault; the growing wait after wrong passphrases.

The passphrase is never stored, logged or put in an exception. To let the lock screen check it without
reopening the database, a salted scrypt verifier of it is kept in memory while the vault is open.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from outreach.services.errors import (
    NotUnlocked,
    ServiceError,
    Unavailable,
    VaultExists,
    VaultMissing,
    WeakPassphrase,
    WrongPassphrase,
)
from outreach.services.ports import VaultPort
from outreach.services.security import MIN_STRENGTH, passphrase_strength, wait_after_failures


class VaultOpener(Protocol):
    """Creates and opens vaults (``storage.Vault`` as a class satisfies it)."""

    def create(self, path: Path, passphrase: str, *, worker_id: str) -> VaultPort: ...

    def open(self, path: Path, passphrase: str) -> VaultPort: ...


def default_opener() -> VaultOpener:
    """``storage.Vault``; raises :class:`Unavailable` when the storage layer is not installed."""
    try:
        from storage import Vault
    except ImportError as exc:  # pragma: no cover - only without the storage layer
        raise Unavailable("error.storage_missing") from exc
    return Vault


def _is_wrong_passphrase(exc: BaseException) -> bool:
    name = type(exc).__name__.lower()
    return "passphrase" in name or "wrongkey" in name or "badkey" in name or "notadatabase" in name


def _verifier(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)


class VaultSession:
    """The one open vault of the app, its lock state and the wrong-passphrase back-off."""

    def __init__(
        self,
        path: Path,
        opener: Callable[[], VaultOpener] = default_opener,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self._opener = opener
        self._clock = clock
        self._vault: VaultPort | None = None
        self._failures = 0
        self._not_before = 0.0
        self._salt = b""
        self._check = b""
        self.locked = False

    # --- state -----------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.is_file()

    @property
    def is_open(self) -> bool:
        return self._vault is not None

    @property
    def vault(self) -> VaultPort:
        if self._vault is None:
            raise NotUnlocked()
        return self._vault

    def wait_remaining(self) -> float:
        """Seconds before another passphrase may be tried (0: now)."""
        return max(0.0, self._not_before - self._clock())

    # --- use cases -------------------------------------------------------------------------------
    def create(self, passphrase: str, again: str, *, worker_id: str = "worker") -> None:
        """Create a new vault. Raises VaultExists, WeakPassphrase (too weak / entries differ)."""
        if self.exists():
            raise VaultExists()
        if passphrase != again:
            raise WeakPassphrase("unlock.mismatch")
        if passphrase_strength(passphrase) < MIN_STRENGTH:
            raise WeakPassphrase("unlock.weak")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        vault = self._opener().create(self.path, passphrase, worker_id=worker_id)
        self._opened(vault, passphrase)

    def unlock(self, passphrase: str) -> None:
        """Open the vault. Raises VaultMissing, WrongPassphrase (with the wait before the next try)."""
        self._gate()
        if not self.exists():
            raise VaultMissing()
        try:
            vault = self._opener().open(self.path, passphrase)
        except ServiceError:
            raise
        except Exception as exc:  # the storage layer's errors, by name: no hard import of storage here
            retry_after = getattr(exc, "retry_after", None)
            if isinstance(retry_after, int | float):
                self._not_before = self._clock() + float(retry_after)
                raise WrongPassphrase(float(retry_after)) from None
            if _is_wrong_passphrase(exc):
                raise self._failed() from None
            raise ServiceError("unlock.failed") from exc
        self._opened(vault, passphrase)

    def lock(self) -> None:
        """Hide everything until :meth:`resume` gets the passphrase again. The vault stays open."""
        self.locked = True

    def resume(self, passphrase: str) -> None:
        """Leave the lock screen. Raises WrongPassphrase (with the growing wait)."""
        self._gate()
        if not self._check or not hmac.compare_digest(_verifier(passphrase, self._salt), self._check):
            raise self._failed()
        self._failures = 0
        self.locked = False

    def close(self) -> None:
        vault, self._vault = self._vault, None
        self._check = b""
        if vault is not None:
            vault.close()

    # --- internals -------------------------------------------------------------------------------
    def _gate(self) -> None:
        remaining = self.wait_remaining()
        if remaining > 0:
            raise WrongPassphrase(remaining)

    def _failed(self) -> WrongPassphrase:
        self._failures += 1
        wait = wait_after_failures(self._failures)
        self._not_before = self._clock() + wait
        return WrongPassphrase(wait)

    def _opened(self, vault: Any, passphrase: str) -> None:
        self._vault = vault
        self._failures = 0
        self._not_before = 0.0
        self._salt = os.urandom(16)
        self._check = _verifier(passphrase, self._salt)
        self.locked = False
