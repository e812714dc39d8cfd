"""Names on the card (Art. 5): Chinese citizens in standard Chinese characters; others the Chinese characters on
their document, or a Latin (English) name when they have no Chinese name. Nothing here raises.

Chinese characters are recognised by Unicode block (Basic, Extension A-I, compatibility ideographs), so rare
characters (生僻字) in the supplementary planes are accepted. Ethnic-minority names joined with a middle dot are
accepted in their usual forms (买买提·艾力); the dot variants U+30FB, U+2022, U+2027, U+FF0E and others are
normalised to U+00B7.
"""

from __future__ import annotations

import re
import unicodedata

from outreach.domain.refusal import Refusal, refusal

MAX_NAME = 50
MIDDLE_DOT = "\u00b7"
_DOTS = "\u00b7\u30fb\u2022\u2027\u22c5\u318d\uff65\u16eb\u2219\uff0e"

_CJK_RANGES = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # Basic
    (0xF900, 0xFAFF),  # Compatibility ideographs
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2EE5F),  # Extensions C, D, E, F, I
    (0x2F800, 0x2FA1F),  # Compatibility supplement
    (0x30000, 0x323AF),  # Extensions G, H
    (0x3007, 0x3007),  # 〇 (used in names)
)


def is_han(ch: str) -> bool:
    """True for a Chinese character (any CJK unified or compatibility ideograph block)."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def normalize_name(name: str) -> str:
    """NFC, outer spaces removed, middle-dot variants as U+00B7 (for Chinese names only)."""
    text = unicodedata.normalize("NFC", name).strip()
    if any(is_han(c) for c in text):
        text = "".join(MIDDLE_DOT if c in _DOTS else c for c in text)
        text = re.sub(r"\s*\u00b7\s*", MIDDLE_DOT, text)
    return text


def check_name(name: str, *, citizen: bool) -> list[Refusal]:
    """Problems with a name (empty list = acceptable).

    Args:
        name: as typed.
        citizen: True for Chinese citizens (standard Chinese characters only, Art. 5).
    """
    if len(name) > MAX_NAME:
        return [
            refusal(
                "name_too_long",
                "5",
                f"姓名过长（{len(name)} 个字符）",
                f"the name is too long ({len(name)} characters)",
            )
        ]
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        return [
            refusal(
                "name_control_characters",
                "5",
                "姓名含有控制字符或不可见字符",
                "the name contains control or invisible characters",
            )
        ]
    text = normalize_name(name)
    if not text:
        return [refusal("name_empty", "5", "未填写姓名", "the name is empty")]
    has_han = any(is_han(c) for c in text)
    if has_han or citizen:
        return _check_chinese(text, citizen=citizen)
    if not re.fullmatch(r"[A-Za-z\u00c0-\u024f]+(?:[ .'\-,][A-Za-z\u00c0-\u024f]+)*\.?", text):
        return [
            refusal(
                "name_latin_format", "5", "英文姓名只能包含拉丁字母、空格、连字符、撇号和点",
                "a Latin name may contain letters, spaces, hyphens, apostrophes and dots only",
            )
        ]  # fmt: skip
    return []


def _check_chinese(text: str, *, citizen: bool) -> list[Refusal]:
    bad = sorted({c for c in text if not is_han(c) and c != MIDDLE_DOT})
    if bad:
        shown = "".join(bad)
        if citizen:
            return [
                refusal(
                    "name_not_chinese", "5", f"中国公民姓名应使用规范汉字，不能含有“{shown}”",
                    f"a Chinese citizen's name must be in Chinese characters; not allowed: {shown!r}",
                )
            ]  # fmt: skip
        return [
            refusal(
                "name_mixed_script", "5", f"姓名不能混用汉字与“{shown}”",
                f"a Chinese-character name cannot contain {shown!r}",
            )
        ]  # fmt: skip
    if text.startswith(MIDDLE_DOT) or text.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in text:
        return [
            refusal(
                "name_dot_position", "5", "姓名中的间隔号“·”位置不正确", "misplaced middle dot in the name"
            )
        ]
    return []
