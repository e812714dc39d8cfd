"""Telling a damaged first page from a wrong passphrase, and repairing that page for a salvage.

SQLCipher checks a key by decrypting page 1: a page 1 that fails its HMAC looks exactly like a wrong key. But
every page carries its own HMAC under a key derived from the same raw key (SQLCipher 4: HMAC-SHA512 over the
page's ciphertext and IV and its number, little-endian, keyed with PBKDF2-HMAC-SHA512(key, salt ^ 0x3a, 2
iterations)). So when page 1 fails while other pages verify under the derived key, the passphrase is right
and page 1 is damaged (:func:`diagnose`). This tells an attacker nothing new: page 1's own HMAC already
answers the same question for every guess, and every guess still costs an Argon2id derivation.

What page 1 holds: the file header (page size, format, reserve: fixed values for a vault) and the root of the
schema table, which for a vault is one cell pointing to the pages that hold the table definitions. A damaged
byte garbles one 16-byte block of its plaintext (AES-CBC) and one bit of the next. :func:`repaired_copy`
writes an encrypted copy whose page 1 is the decrypted page (with the header's fixed fields set back) under a
fresh IV and a valid HMAC; SQLite can then read the copy, and :mod:`storage.salvage` keeps only operations
whose hash and signature verify, so a garbled byte can lose data but never let a wrong operation through.

Not told apart: damage to the first 16 bytes (the salt itself, an input of the key derivation) reads as a
wrong passphrase, since no page then verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from storage import files
from storage.driver import PAGE_SIZE, SALT_SIZE

#: SQLCipher 4 defaults: 16-byte IV and 64-byte HMAC-SHA512 at the end of every page.
RESERVE = 80
_IV = 16
_MAC = 64
#: Pages besides page 1 whose HMAC is tried before calling the passphrase wrong.
PROBE_PAGES = 8


@dataclass(frozen=True)
class FirstPageDamage:
    """Page 1 fails its check while ``intact`` of the other ``others`` pages verify: the key is right."""

    others: int
    intact: int


def _hmac_key(key: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", key, bytes(b ^ 0x3A for b in salt), 2, 32)


def _page_ok(raw: bytes, number: int, mac_key: bytes) -> bool:
    usable = PAGE_SIZE - RESERVE
    start = SALT_SIZE if number == 1 else 0
    mac = hmac.new(mac_key, raw[start : usable + _IV] + struct.pack("<I", number), hashlib.sha512).digest()
    return hmac.compare_digest(mac, raw[usable + _IV : usable + _IV + _MAC])


def diagnose(path: Path, key: bytes, salt: bytes) -> FirstPageDamage | None:
    """None when page 1 verifies under ``key`` or when none of the next :data:`PROBE_PAGES` pages does
    either (a wrong key); else how many of the other pages verify. Reads the file only."""
    mac_key = _hmac_key(key, salt)
    others = intact = 0
    with path.open("rb") as f:
        first = f.read(PAGE_SIZE)
        if len(first) < PAGE_SIZE or _page_ok(first, 1, mac_key):
            return None
        number = 2
        while len(raw := f.read(PAGE_SIZE)) == PAGE_SIZE:
            others += 1
            intact += _page_ok(raw, number, mac_key)
            if others == PROBE_PAGES and not intact:
                return None
            number += 1
    return FirstPageDamage(others, intact) if intact else None


def _repaired_first(raw: bytes, key: bytes, mac_key: bytes, page_count: int) -> bytes:
    usable = PAGE_SIZE - RESERVE
    iv = raw[usable : usable + _IV]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    plain = bytearray(bytes(SALT_SIZE) + decryptor.update(raw[SALT_SIZE:usable]) + decryptor.finalize())
    # The header's fixed fields for every vault (SQLite file format, section 1.3); a vault is always in WAL mode.
    plain[16:24] = struct.pack(">HBBBBBB", PAGE_SIZE, 2, 2, RESERVE, 64, 32, 32)
    plain[28:32] = struct.pack(">I", page_count)
    plain[44:48] = struct.pack(">I", 4)
    plain[56:60] = struct.pack(">I", 1)
    plain[92:96] = plain[24:28]  # "version valid for" = change counter: the page count above is trusted
    new_iv = os.urandom(_IV)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(new_iv)).encryptor()
    body = raw[:SALT_SIZE] + encryptor.update(bytes(plain[SALT_SIZE:usable])) + encryptor.finalize() + new_iv
    mac = hmac.new(mac_key, body[SALT_SIZE:] + struct.pack("<I", 1), hashlib.sha512).digest()
    return body + mac + raw[usable + _IV + _MAC :]


def repaired_copy(path: Path, key: bytes, salt: bytes, target: Path) -> None:
    """Write ``target`` (mode 600, encrypted like the original): the vault at ``path`` with its page 1
    re-encrypted under a valid HMAC (its WAL copied beside it when it has one). ``path`` is only read.

    Raises:
        OSError: the target's disk refused (the caller removes what was written).
    """
    mac_key = _hmac_key(key, salt)
    wal = path.with_name(path.name + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 32
    size = path.stat().st_size
    files.create_private_file(target)
    with path.open("rb") as src, target.open("r+b") as out:
        first = src.read(PAGE_SIZE)
        out.write(_repaired_first(first, key, mac_key, size // PAGE_SIZE))
        shutil.copyfileobj(src, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())
    if has_wal:
        copy = target.with_name(target.name + "-wal")
        files.create_private_file(copy)
        with wal.open("rb") as src, copy.open("r+b") as out:
            shutil.copyfileobj(src, out, 1 << 20)
