"""storage: the encrypted vault (SQLCipher), its signed operation log and projections.

Design in short:

* One file, everything inside: the vault is a single SQLCipher 4 database (AES-256, per-page HMAC). It holds
  the operation log, the projections (people, cards, visits, subject versions, outbox, push outcomes), sync
  metadata, photos as BLOBs and the device's Ed25519 key pair. ``temp_store=MEMORY``: no plaintext temp files.
* Key: Argon2id (t=3, 64 MiB, p=2, ~0.2 s) over the passphrase and a 16-byte random salt, handed to SQLCipher
  as a raw key. The salt is SQLCipher's own file salt (first 16 bytes); the key is never on disk.
  :mod:`storage.driver` is the only module that connects and refuses a driver that does not encrypt.
* Wrong passphrases: a clear bilingual error, file untouched; a sidecar ``<vault>.attempts.json`` (count and
  time only) drives an exponential back-off that survives restarts (:mod:`storage.guard`).
* Log: append-only (triggers), ``seq`` 1..n, each operation hashed (``outreach.domain.operation``), chained by
  ``prev_hash``, signed by the device key. ``verify_log`` names the first altered/removed/inserted/reordered op.
* Durability: WAL + ``synchronous=FULL``; ``append`` returns after the commit frame is fsynced; the
  projections and the outbox change in the same transaction as the log row.
* Schema: named migrations, each in its own transaction, recorded in ``schema_migrations``.
* Damage: every page's HMAC is checked at opening (:mod:`storage.integrity`, pages named with their table by
  :mod:`storage.pagemap`); a damaged vault is read-only and :mod:`storage.salvage` saves every operation that
  verifies. Read-only media open without writing; driver errors become the vault's own (full disk ...).
"""

from storage.errors import (
    AttachmentNotFoundError,
    BadInputError,
    CorruptVaultError,
    DamagedVaultError,
    DiskFullError,
    FirstPageDamagedError,
    ForeignFileError,
    LogAppendError,
    NotEncryptedError,
    ReadOnlyVaultError,
    SchemaError,
    TooManyAttemptsError,
    VaultBusyError,
    VaultError,
    VaultExistsError,
    VaultIOError,
    VaultLockedError,
    VaultNotFoundError,
    WrongPassphraseError,
)
from storage.integrity import DamageReport
from storage.oplog import LogVerdict
from storage.vault import Vault

__all__ = [
    "AttachmentNotFoundError",
    "BadInputError",
    "CorruptVaultError",
    "DamageReport",
    "DamagedVaultError",
    "DiskFullError",
    "FirstPageDamagedError",
    "ForeignFileError",
    "LogAppendError",
    "LogVerdict",
    "NotEncryptedError",
    "ReadOnlyVaultError",
    "SchemaError",
    "TooManyAttemptsError",
    "Vault",
    "VaultBusyError",
    "VaultError",
    "VaultExistsError",
    "VaultIOError",
    "VaultLockedError",
    "VaultNotFoundError",
    "WrongPassphraseError",
]
