"""Masking personal data for display and export (Art. 40, 41): the one place every layer masks with.

Identity numbers as ``4601**********1234``, mobiles as ``138****5678``, names as the surname and stars, and any
run of 7 or more digits in free text like a mobile. Pure functions; empty stays empty.
"""

from __future__ import annotations

import re

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
