"""The center's private keys in a key file (mode 0600) rather than in its database.

Every center process behind the load balancer is started with the same file (``--key-file`` or
``OUTREACH_CENTER_KEY_FILE``); a database dump or a read-only database account then reveals no key. When the
file does not exist yet it is made once, atomically: from the keys the database already holds (so that the
laptops enrolled with this center keep trusting it, and the database copy is then removed), or fresh ones.
A file whose keys differ from those the database still holds is refused: the laptops trust one of them only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sync.center.store import CenterKeys
from sync.errors import StoreError


class KeyFileError(StoreError):
    code = "key_file"
    message_zh = "中心密钥文件无法使用"
    message_en = "the center's key file cannot be used"


def fresh_keys() -> CenterKeys:
    raw = serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    return CenterKeys(Ed25519PrivateKey.generate().private_bytes(*raw),
                      X25519PrivateKey.generate().private_bytes(*raw))


def read(path: Path) -> CenterKeys:
    """Raises: KeyFileError (unreadable, malformed, or readable by others than its owner)."""
    try:
        if os.stat(path).st_mode & 0o077:
            raise KeyFileError(message_zh="中心密钥文件的权限过宽（应为 600）",
                               message_en="the center's key file must be mode 600")
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = CenterKeys(bytes.fromhex(data["sign_key"]), bytes.fromhex(data["box_key"]))
    except (OSError, ValueError, KeyError, TypeError):
        raise KeyFileError() from None  # never the file's content in a message
    if len(keys.sign_private) != 32 or len(keys.box_private) != 32:
        raise KeyFileError()
    return keys


def create(path: Path, keys: CenterKeys) -> bool:
    """Write ``keys`` to a new file, mode 0600; False when another process made it first.

    Raises: KeyFileError (the folder cannot be written).
    """
    body = json.dumps({"sign_key": keys.sign_private.hex(), "box_key": keys.box_private.hex()}).encode()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic, and refuses to replace a file another process made meanwhile
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
    except OSError:
        raise KeyFileError() from None
    return True
