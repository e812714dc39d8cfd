"""Which table or index owns each page of the vault file: a read-only walk of SQLite's b-trees.

The SQLCipher build has neither ``dbstat`` nor ``sqlite_dbpage``, so the walk decrypts the pages itself
(SQLCipher 4: AES-256-CBC under the raw key, the IV in the page's reserved tail; the HMAC is checked by
``PRAGMA cipher_integrity_check``, not here). Starting from every root page of ``sqlite_schema`` it follows
interior-page children and overflow chains, and the freelist from the header. A page that fails its HMAC
check is attributed to the tree that points to it but is not descended into (its content is not trusted).

Only used to *name* damage; nothing here writes, and the pages are decrypted in memory only.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from storage.driver import SALT_SIZE

FREELIST = "(freelist)"


class _Pages:
    def __init__(self, path: Path, key: bytes, page_size: int, reserve: int) -> None:
        self._file = path.open("rb")
        self._key = key
        self.size = page_size
        self.reserve = reserve
        self.usable = page_size - reserve

    def close(self) -> None:
        self._file.close()

    def read(self, number: int) -> bytes | None:
        self._file.seek((number - 1) * self.size)
        raw = self._file.read(self.size)
        if len(raw) < self.size:
            return None
        start = SALT_SIZE if number == 1 else 0
        iv = raw[self.usable : self.usable + 16]
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(iv)).decryptor()
        plain = decryptor.update(raw[start : self.usable]) + decryptor.finalize()
        return bytes(start) + plain


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[pos + i]
        if i == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    return value, pos + 9  # pragma: no cover - the loop always returns


def _overflow(usable: int, payload: int, table: bool) -> int | None:
    """Bytes kept on the page when ``payload`` spills to overflow pages, else None."""
    limit = usable - 35 if table else ((usable - 12) * 64 // 255) - 23
    if payload <= limit:
        return None
    least = ((usable - 12) * 32 // 255) - 23
    local = least + ((payload - least) % (usable - 4))
    return local if local <= limit else least


def _children(data: bytes, number: int, usable: int) -> tuple[list[int], list[int]]:
    """(child pages, first overflow pages) of one b-tree page."""
    base = 100 if number == 1 else 0
    kind = data[base]
    if kind not in (0x02, 0x05, 0x0A, 0x0D):
        return [], []
    interior = kind in (0x02, 0x05)
    header = 12 if interior else 8
    (cells,) = struct.unpack_from(">H", data, base + 3)
    children: list[int] = []
    overflows: list[int] = []
    if interior:
        children.append(struct.unpack_from(">I", data, base + 8)[0])
    for i in range(cells):
        (offset,) = struct.unpack_from(">H", data, base + header + 2 * i)
        pos = offset
        if interior:
            children.append(struct.unpack_from(">I", data, pos)[0])
            pos += 4
            if kind == 0x05:
                continue
        payload, pos = _varint(data, pos)
        if kind == 0x0D:
            _, pos = _varint(data, pos)
        local = _overflow(usable, payload, table=kind == 0x0D)
        if local is not None:
            overflows.append(struct.unpack_from(">I", data, pos + local)[0])
    return children, overflows


def owners(
    path: Path, key: bytes, roots: Iterable[tuple[str, int]], bad: set[int], page_size: int, reserve: int
) -> dict[int, str]:
    """Map page number -> owning object name (or :data:`FREELIST`) for every page reachable.

    ``roots``: (name, root page) of every table and index (``sqlite_schema`` itself is page 1);
    ``bad``: pages that failed the HMAC check (attributed, not descended into).
    """
    pages = _Pages(path, key, page_size, reserve)
    owner: dict[int, str] = {}
    try:
        for name, root in [("sqlite_schema", 1), *roots]:
            stack = [root]
            while stack:
                number = stack.pop()
                if number <= 0 or number in owner:
                    continue
                owner[number] = name
                if number in bad:
                    continue
                data = pages.read(number)
                if data is None:
                    continue
                try:
                    children, overflows = _children(data, number, pages.usable)
                except (IndexError, struct.error):
                    continue
                stack.extend(children)
                for first in overflows:
                    _chain(pages, first, name, owner, bad)
        _freelist(pages, owner, bad)
    finally:
        pages.close()
    return owner


def _chain(pages: _Pages, first: int, name: str, owner: dict[int, str], bad: set[int]) -> None:
    number = first
    while number > 0 and number not in owner:
        owner[number] = name
        if number in bad:
            return
        data = pages.read(number)
        if data is None:
            return
        (number,) = struct.unpack_from(">I", data, 0)


def _freelist(pages: _Pages, owner: dict[int, str], bad: set[int]) -> None:
    header = pages.read(1)
    if header is None:
        return
    (trunk,) = struct.unpack_from(">I", header, 32)
    while trunk > 0 and trunk not in owner:
        owner[trunk] = FREELIST
        if trunk in bad:
            return
        data = pages.read(trunk)
        if data is None:
            return
        following, count = struct.unpack_from(">II", data, 0)
        for i in range(min(count, (pages.usable - 8) // 4)):
            (leaf,) = struct.unpack_from(">I", data, 8 + 4 * i)
            owner.setdefault(leaf, FREELIST)
        trunk = following
