"""Typed text as a Chinese input method gives it: full-width letters, digits and signs, ideographic spaces."""

from __future__ import annotations

_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # the ideographic space


def fold_width(text: str) -> str:
    """Full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space as their ASCII forms; everything
    else (Chinese characters included) unchanged."""
    return text.translate(_FULL_WIDTH)
