"""storage: the encrypted vault (SQLCipher), its signed operation log and projections."""

from storage.errors import (
    AttachmentNotFoundError,
    BadInputError,
    CorruptVaultError,
    ForeignFileError,
    LogAppendError,
    NotEncryptedError,
    SchemaError,
    TooManyAttemptsError,
    VaultError,
    VaultExistsError,
    VaultLockedError,
    VaultNotFoundError,
    WrongPassphraseError,
)
from storage.oplog import LogVerdict
from storage.vault import Vault

__all__ = [
    "AttachmentNotFoundError",
    "BadInputError",
    "CorruptVaultError",
    "ForeignFileError",
    "LogAppendError",
    "LogVerdict",
    "NotEncryptedError",
    "SchemaError",
    "TooManyAttemptsError",
    "Vault",
    "VaultError",
    "VaultExistsError",
    "VaultLockedError",
    "VaultNotFoundError",
    "WrongPassphraseError",
]
