"""Photos for the forms (M12): chosen from a list of the files a camera or scanner put in a folder, and
described by what a worker can check (kind, size, date, width x height), never by an internal reference.

The folder is the ``photo_folder`` setting (a camera's or scanner's), else the user's Pictures folder. Only
JPEG and PNG files are listed (what the vault accepts, ``normalise._photo``), newest first, and only their
first bytes are read to find the dimensions, so a folder of large files lists at once.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from outreach import locations
from outreach.services.ports import VaultPort
from outreach.services.session import VaultSession

#: Times are shown as in Hainan.
CHINA = timezone(timedelta(hours=8))

#: File endings listed (lower case).
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
#: At most this many files are listed (newest first).
LIST_LIMIT = 200
#: Bytes read from the start of a file to find its dimensions.
_HEAD = 256 * 1024


@dataclass(frozen=True)
class PhotoInfo:
    """One photo as the worker sees it. ``path`` is "" for the photo already stored in the vault."""

    name: str
    path: str
    mime: str
    size: int
    when: datetime | None
    width: int | None = None
    height: int | None = None

    @property
    def summary(self) -> str:
        """``JPEG · 35 KB · 2026-11-20 10:31 · 480×640``: what the worker checks (words-free, both languages)."""
        kind = {"image/jpeg": "JPEG", "image/png": "PNG"}.get(self.mime, self.mime)
        size = f"{self.size / 1024:.0f} KB" if self.size >= 1024 else f"{self.size} B"
        parts = [kind, size]
        if self.when is not None:
            parts.append(self.when.strftime("%Y-%m-%d %H:%M"))
        if self.width and self.height:
            parts.append(f"{self.width}×{self.height}")
        return " · ".join(parts)


def image_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG from its first bytes, or None when they do not say."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24 and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return int(width), int(height)
    if not head.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 < len(head):
        if head[i] != 0xFF:
            i += 1
            continue
        marker = head[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack(">H", head[i + 2:i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame: its size
            height, width = struct.unpack(">HH", head[i + 5:i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def _mime(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def file_info(path: Path) -> PhotoInfo | None:
    """What a photo file is, or None when it is not a readable JPEG or PNG."""
    try:
        with path.open("rb") as f:
            head = f.read(_HEAD)
        stat = path.stat()
    except OSError:
        return None
    mime = _mime(head)
    if mime is None:
        return None
    size = image_size(head)
    return PhotoInfo(name=path.name, path=str(path), mime=mime, size=stat.st_size,
                     when=datetime.fromtimestamp(stat.st_mtime, CHINA),
                     width=size[0] if size else None, height=size[1] if size else None)


class PhotoService:
    """The photo folder's files, and a person's stored photo, described."""

    def __init__(self, session: VaultSession, folder: Callable[[], Path | None]) -> None:
        self._session = session
        self._folder = folder

    def folder(self) -> Path:
        return self._folder() or locations.pictures_dir()

    def in_folder(self) -> list[PhotoInfo]:
        """The JPEG and PNG files of the photo folder, newest first (none when it cannot be read)."""
        folder = self.folder()
        try:
            files = [p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES and p.is_file()]
        except OSError:
            return []
        files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        found = (file_info(p) for p in files[:LIST_LIMIT])
        return [info for info in found if info is not None]

    def of_person(self, person_id: str) -> PhotoInfo | None:
        """The photo already on record for a person, described; None when they have none."""
        person = self._session.vault.get_person(person_id)
        return self.stored(person.photo_ref) if person is not None else None

    def describe(self, path: str) -> PhotoInfo | None:
        """A photo file typed or chosen on a form, described; None when it is not a readable JPEG or PNG."""
        return file_info(Path(path).expanduser()) if path.strip() else None

    def stored(self, ref: str | None) -> PhotoInfo | None:
        """The photo the vault holds under ``ref`` (a person's ``photo_ref``), described; None if absent."""
        return describe_stored(self._session.vault, ref)


def describe_stored(vault: VaultPort, ref: str | None) -> PhotoInfo | None:
    """A photo stored in the vault, described (its reference is never shown); None when absent."""
    if not ref:
        return None
    info = vault.attachment_info(ref)
    if info is None:
        return None
    mime, stored_at, size = info
    try:
        when: datetime | None = datetime.fromisoformat(stored_at).astimezone(CHINA)
    except ValueError:
        when = None
    dims = image_size(vault.get_attachment(ref)[:_HEAD])
    return PhotoInfo(name="", path="", mime=mime, size=size, when=when,
                     width=dims[0] if dims else None, height=dims[1] if dims else None)
