"""Message catalogues: every text the worker sees, Simplified Chinese first, English second.

Design: one plain dict per language (``zh_CN.py``, ``en.py``), keyed by dotted ids such as
``"home.title"``; placeholders use ``str.format`` names (``{count}``). A dict is enough for two languages
and a few hundred short texts, needs no compile step, is checked by a test (same keys in both languages,
every key used in the code present, same placeholders), and cannot fail at run time for want of a
compiled ``.mo`` file. Plural forms are avoided by wording ("待同步：{count}").

The current language is process-wide (one worker, one app); :func:`set_language` switches it.
"""

from __future__ import annotations

from typing import Final

from outreach.i18n import en, receipt_en, receipt_zh_CN, zh_CN

LANGUAGES: Final = ("zh_CN", "en")
#: The receipt's texts (``receipt.*``) live in their own modules and are merged here.
CATALOGUES: Final[dict[str, dict[str, str]]] = {
    "zh_CN": {**zh_CN.MESSAGES, **receipt_zh_CN.MESSAGES},
    "en": {**en.MESSAGES, **receipt_en.MESSAGES},
}

_current = "zh_CN"


def set_language(lang: str) -> None:
    """Switch the process-wide language; unknown values fall back to Chinese."""
    global _current
    _current = lang if lang in CATALOGUES else "zh_CN"


def language() -> str:
    return _current


def t(key: str, /, **params: object) -> str:
    """The text for ``key`` in the current language, placeholders filled.

    A missing key never crashes the app: it shows the other language's text, then the key itself
    (the catalogue test makes sure neither happens in a release).
    """
    text = CATALOGUES[_current].get(key)
    if text is None:
        other = "en" if _current == "zh_CN" else "zh_CN"
        text = CATALOGUES[other].get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has(key: str) -> bool:
    return all(key in cat for cat in CATALOGUES.values())
