"""Opening, creating and locking the vault; the growing wait after wrong passphrases.

The passphrase is never stored, logged or put in an exception. To let the lock screen check it without
reopening the database, a salted scrypt verifier of it is kept in memory while the vault is open.

One back-off policy for wrong passphrases: the storage's (``storage.guard``: the first 3 tries free, then
2 s doubling up to 15 minutes). Unlocking gets it from the storage layer, which remembers the count across
restarts beside the vault; the lock screen applies the same ``delay_for`` to its own count in memory.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from outreach.services.errors import (
    FirstPageDamaged,
    NotUnlocked,
    ServiceError,
    VaultExists,
    VaultMissing,
    WeakPassphrase,
    WrongPassphrase,
)
from outreach.services.ports import VaultPort
from outreach.services.security import MIN_STRENGTH, passphrase_strength
from storage import Vault
from storage.errors import (
    DamagedVaultError,
    FirstPageDamagedError,
    TooManyAttemptsError,
    VaultError,
    WrongPassphraseError,
)
from storage.guard import delay_for


class VaultOpener(Protocol):
    """Creates and opens vaults (``storage.Vault`` as a class satisfies it)."""

    def create(self, path: Path, passphrase: str, *, worker_id: str) -> VaultPort: ...

    def open(self, path: Path, passphrase: str) -> VaultPort: ...


def default_opener() -> VaultOpener:
    """``storage.Vault``."""
    return Vault


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
        #: (later pages, of which intact) when the last unlock found page 1 damaged (the vault did not open).
        self.first_page_damage: tuple[int, int] | None = None

    # --- state -----------------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.is_file()

    @property
    def damaged(self) -> bool:
        """The open vault is damaged: it can be read, not written (saving and sync are refused)."""
        return self._vault is not None and self._vault.damaged

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
        if passphrase_strength(passphrase, [worker_id]) < MIN_STRENGTH:
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
        except (WrongPassphraseError, TooManyAttemptsError) as exc:  # the storage counts and says how long
            self._not_before = self._clock() + exc.retry_after
            raise WrongPassphrase(exc.retry_after) from None
        except FirstPageDamagedError as exc:  # the passphrase is right: say what is damaged, not "wrong"
            self.first_page_damage = (exc.others, exc.intact)
            raise FirstPageDamaged(exc.others, exc.intact) from None
        except DamagedVaultError:  # the page of the device keys: nothing can be opened, signed or exported
            raise ServiceError("unlock.keys_damaged") from None
        except VaultError as exc:
            raise ServiceError("unlock.failed", detail=(exc.message_zh, exc.message_en)) from None
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

    def confirm(self, passphrase: str) -> None:
        """Check the open vault's passphrase again before a weighty step (a salvage); the lock state is kept.
        Raises WrongPassphrase (with the growing wait of the lock screen)."""
        self._gate()
        if not self._check or not hmac.compare_digest(_verifier(passphrase, self._salt), self._check):
            raise self._failed()
        self._failures = 0

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
        wait = delay_for(self._failures)
        self._not_before = self._clock() + wait
        return WrongPassphrase(wait)

    def _opened(self, vault: VaultPort, passphrase: str) -> None:
        self._vault = vault
        self.first_page_damage = None
        self._failures = 0
        self._not_before = 0.0
        self._salt = os.urandom(16)
        self._check = _verifier(passphrase, self._salt)
        self.locked = False
