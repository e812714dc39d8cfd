"""The normalisers of the form fields: typed text -> the value its event field takes.

Each :class:`~outreach.services.forms.FieldSpec` names one (``FieldSpec.normaliser``). A normaliser returns the
clean value, None for an empty field, or raises :class:`Problem` with the message key to show under the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from outreach.domain.identity import normalize as normalize_document_number
from outreach.domain.names import normalize_name
from outreach.domain.numbers import check_mobile
from outreach.domain.text import fold_width
from outreach.services.forms import FieldSpec, Normaliser

MAX_PHOTO_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Photo:
    """A photo file read from the worker's disk, stored as an attachment once the event is accepted."""

    data: bytes
    mime: str


Clean = str | bool | int | date | list[str] | Photo | None
"""A field's value after its normaliser."""


class Problem(Exception):
    """The typed value cannot be used; ``key`` names the message (``form.err.*``)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(value: object) -> date | None:
    """A typed date, the one reading of dates everywhere one is typed (forms, the export command line, m6).

    Year first, as written in China: ``2018-05-06``, ``2018-5-6``, ``2018/05/06``, ``2018.5.6``,
    ``2018年5月6日`` or ``20180506``; full-width digits (a Chinese input method) count as ASCII. Returns None
    for an empty value; raises ValueError for anything else and for a day that does not exist (2018-02-30).
    """
    text = fold_width(str(value or "")).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a date: {len(text)} characters")
    year, month, day = (int(g) for g in match.groups())
    return date(year, month, day)


def _text(spec: FieldSpec, raw: object) -> str | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return spec.empty
    if any(ord(c) < 0x20 for c in text):
        raise Problem("form.err.control")
    return text


def _name(spec: FieldSpec, raw: object) -> str | None:
    """Names in one form (NFC, the middle dot of minority names as U+00B7), as search expects them."""
    text = _text(spec, raw)
    return normalize_name(text) if text else text


def _document_number(spec: FieldSpec, raw: object) -> str | None:
    """Full-width characters (a Chinese input method types them) folded, separators dropped, upper case."""
    text = _text(spec, raw)
    return normalize_document_number(text) if text else text


def _mobile(spec: FieldSpec, raw: object) -> str | None:
    text = _text(spec, raw)
    if not text:
        return text
    checked = check_mobile(text)
    return checked.normalized if checked.valid else text


def _upper(spec: FieldSpec, raw: object) -> str | None:
    text = _text(spec, raw)
    return text.upper() if text else text


def _date(spec: FieldSpec, raw: object) -> date | None:
    try:
        return parse_date(raw)
    except ValueError:
        raise Problem("form.err.date") from None


def _bool(spec: FieldSpec, raw: object) -> bool:
    return bool(raw)


def _choice(spec: FieldSpec, raw: object) -> str | None:
    text = str(raw if raw is not None else "").strip()
    if text and spec.choices and text not in spec.choices:
        raise Problem("form.err.choice")
    return text or spec.empty


def _int(spec: FieldSpec, raw: object) -> int | None:
    text = _choice(spec, raw)
    return int(text) if text else None


def _multi(spec: FieldSpec, raw: object) -> list[str]:
    items = raw if isinstance(raw, list | tuple | set | frozenset) else []
    return [str(v) for v in items if v in spec.choices]


def _photo(spec: FieldSpec, raw: object) -> Photo | None:
    """A JPEG or PNG file of at most 2 MB."""
    path = str(raw if raw is not None else "").strip()
    if not path:
        return None
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError:
        raise Problem("form.err.photo_unreadable") from None
    if len(data) > MAX_PHOTO_BYTES:
        raise Problem("form.err.photo_size")
    if data.startswith(b"\xff\xd8\xff"):
        return Photo(data, "image/jpeg")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Photo(data, "image/png")
    raise Problem("form.err.photo_type")


NORMALISERS: dict[Normaliser, Callable[[FieldSpec, object], Clean]] = {
    "text": _text, "name": _name, "document_number": _document_number, "mobile": _mobile, "upper": _upper,
    "date": _date, "bool": _bool, "choice": _choice, "int": _int, "multi": _multi, "photo": _photo,
}


def normalise(spec: FieldSpec, raw: object) -> Clean:
    """The clean value of one field. Raises :class:`Problem`."""
    return NORMALISERS[spec.normaliser](spec, raw)


def is_empty(value: Clean) -> bool:
    return value is None or value == "" or value == []
