"""Masking for exports (Art. 40, 41) and the escape of cells a spreadsheet would run as formulas.

Masked exports show identity numbers as ``4601**********1234``, mobiles as ``138****5678``, names as the
surname and stars; never a photo or a bank account number (those columns do not exist at all).
"""

from __future__ import annotations

import re

#: Characters a spreadsheet treats as the start of a formula (or that hide one: tab, carriage return).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")

_LONG_DIGITS = re.compile(r"\d{7,}")


def mask_middle(value: str | None, keep_start: int, keep_end: int) -> str:
    """Keep ``keep_start`` leading and ``keep_end`` trailing characters, stars between. Empty stays empty."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end:]


def mask_id_number(number: str | None) -> str:
    """``460100194912310021`` -> ``4601**********0021``."""
    return mask_middle(number, 4, 4)


def mask_mobile(number: str | None) -> str:
    """``13812345678`` -> ``138****5678``."""
    return mask_middle(number, 3, 4)


def mask_name(name: str | None) -> str:
    """``王小明`` -> ``王**``; a Latin name keeps its first letter."""
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_free_text(text: str | None) -> str:
    """Notes may hold a number typed by hand: any run of 7 or more digits is masked like a mobile."""
    if not text:
        return ""
    return _LONG_DIGITS.sub(lambda m: mask_middle(m.group(0), 3, 4), text)


def safe_cell(value: str) -> str:
    """A text cell a spreadsheet will not run: a leading ``= + - @``, tab or CR gets an apostrophe first."""
    if value and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value
