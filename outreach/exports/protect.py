"""Full (unmasked) exports: an XLSX built in memory and written only encrypted (ECMA-376 agile, AES-256),
which Excel and WPS open with the password. The password is generated here, handed back once, never stored.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

#: No 0/O, 1/l/I: the password is read off a screen and typed.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def new_password(groups: int = 4, size: int = 4) -> str:
    """About 93 bits: four groups of four characters, e.g. ``k7Qm-3xTa-Pz9d-Rw4e``."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(size)) for _ in range(groups))


def write_encrypted(plain: io.BytesIO, password: str, path: Path) -> None:
    """Encrypt the in-memory workbook to ``path``; the plain bytes are overwritten in memory afterwards."""
    plain.seek(0)
    with open(path, "wb") as out:
        OOXMLFile(plain).encrypt(password, out)
        out.flush()
    buf = plain.getbuffer()
    buf[:] = b"\0" * len(buf)
    del buf
