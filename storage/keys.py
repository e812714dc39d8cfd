"""Passphrase to key: Argon2id, with the salt SQLCipher already keeps at the start of the file.

Choice (written down as asked): we derive a raw 256-bit key ourselves with **Argon2id** and give it to
SQLCipher as a raw key (``PRAGMA key = "x'<64 hex>'"``), instead of SQLCipher's built-in
PBKDF2-HMAC-SHA512 (256,000 iterations). Argon2id is memory-hard: every guess costs 64 MiB of RAM, which
makes GPU/ASIC guessing of a short field passphrase far more expensive than PBKDF2 at the same wall time.

Parameters (:data:`PROFILE`): time_cost 3, memory 64 MiB, parallelism 2, 32-byte output. Measured on the
development machine (2 shared cores): about 0.17 s per derivation, acceptable at unlock on a field
laptop and a useful floor on the cost of every guess.

Salt: 16 random bytes chosen at creation and passed to SQLCipher (``x'<key><salt>'``) which stores them as
the first 16 bytes of the database file (they are not secret). Opening reads them back from there, so the
vault is one self-contained file; nothing but ciphertext and that salt is on disk, never the key.
The KDF profile is fixed in code and recorded inside the vault (``vault_state.kdf``); a future profile
would be tried after the current one, and ``change_passphrase`` rewrites the vault to the current one.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw

from storage.driver import PAGE_SIZE, SALT_SIZE
from storage.errors import CorruptVaultError, ForeignFileError, VaultError, WrongPassphraseError


@dataclass(frozen=True)
class KdfProfile:
    name: str
    time_cost: int
    memory_kib: int
    parallelism: int


PROFILE = KdfProfile(name="argon2id-t3-m64MiB-p2", time_cost=3, memory_kib=64 * 1024, parallelism=2)

SQLITE_MAGIC = b"SQLite format 3\x00"


def new_salt() -> bytes:
    return os.urandom(SALT_SIZE)


def derive_key(passphrase: str, salt: bytes, profile: KdfProfile = PROFILE) -> bytearray:
    """Argon2id(passphrase, salt) -> 32 raw key bytes (a bytearray the caller can wipe).

    Raises:
        ValueError: empty passphrase or wrong salt size.
    """
    if not passphrase:
        raise ValueError("empty passphrase")
    if len(salt) != SALT_SIZE:
        raise ValueError("salt must be 16 bytes")
    raw = hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=profile.time_cost,
        memory_cost=profile.memory_kib,
        parallelism=profile.parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return bytearray(raw)


def wipe(buf: bytearray | None) -> None:
    """Overwrite key material we own (Python may still hold copies; SQLCipher wipes its own)."""
    if buf is not None:
        for i in range(len(buf)):
            buf[i] = 0


def _wal_has_frames(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 32


def precheck(path: Path) -> bytes:
    """Check the file's shape before any key is tried; return its salt.

    Raises:
        ForeignFileError: a plain SQLite database or a text file.
        CorruptVaultError: empty, shorter than a page or not a whole number of pages (truncated).
    """
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(PAGE_SIZE)
    if head.startswith(SQLITE_MAGIC):
        raise ForeignFileError()
    if head and _looks_like_text(head[:64]):
        raise ForeignFileError()
    if size < PAGE_SIZE or (size % PAGE_SIZE and not _wal_has_frames(path)):
        raise CorruptVaultError()
    return head[:SALT_SIZE]


def _looks_like_text(data: bytes) -> bool:
    """Text (UTF-8 or GBK/GB18030) at the start: 64 random bytes essentially never decode as printable."""
    for encoding in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(data, final=False)  # tolerate a cut char
        except UnicodeDecodeError:
            continue
        if len(text) >= 8 and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
            return True
    return False


def classify_open_failure(path: Path) -> VaultError:
    """Name the error for a file whose page 1 did not decrypt: shape problems first, else wrong key."""
    try:
        precheck(path)
    except VaultError as exc:
        return exc
    return WrongPassphraseError()


def check_size(path: Path, page_count: int, page_size: int) -> None:
    """After the key worked: a file shorter than its own page count was truncated at a page boundary.

    Raises:
        CorruptVaultError: the file is shorter than the database it claims to hold.
    """
    if not _wal_has_frames(path) and path.stat().st_size < page_count * page_size:
        raise CorruptVaultError()
