"""Errors of the roster import.

Tree::

    RosterError              base: ``message_zh`` / ``message_en`` fit for the user, nothing of the file's rows
    ├── RosterFileError      the file cannot be read (encoding, damaged workbook, empty, too big)
    └── RosterHeaderError    the header row has no column for a required field (``unmapped``: headers to ask)

Messages never carry an identity number or a name from the file: they say which row and which column.
"""

from __future__ import annotations


class RosterError(Exception):
    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(message_en)

    def bilingual(self) -> str:
        return f"{self.message_zh} / {self.message_en}"


class RosterFileError(RosterError):
    """The file is not a roster we can read; nothing was imported."""


class RosterHeaderError(RosterError):
    """A required column (姓名, 证件号码) was not found; ``unmapped`` lists the headers no field took."""

    def __init__(self, message_zh: str, message_en: str, unmapped: tuple[str, ...] = (),
                 missing: tuple[str, ...] = ()) -> None:
        super().__init__(message_zh, message_en)
        self.unmapped = unmapped
        self.missing = missing
